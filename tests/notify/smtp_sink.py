#!/usr/bin/python3
"""A real SMTP server (aiosmtpd) for the notify tests.

Writes each message's raw bytes to DIR/<n>.eml, answers like Postfix
("250 2.0.0 Ok: queued as <id>"), and rejects recipients at
reject.example with 550. Stops on SIGINT or SIGTERM.
Usage: smtp_sink.py PORT DIR
"""
import asyncio
import os
import signal
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@reject.example"):
            return "550 5.1.1 <%s>: Recipient address rejected" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        queue_id = "q%06d" % self.count
        path = os.path.join(self.folder, queue_id + ".eml")
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 Ok: queued as " + queue_id


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
