#pragma once
// Log records to the systemd journal with their fields, when certd runs as a
// service whose stderr is the journal anyway (systemd.exec(5),
// $JOURNAL_STREAM): `journalctl -u certd CERTIFICATE=...` then finds a
// certificate's lines. Elsewhere stderr stays as it is.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.hpp"

namespace certd::app {

// Whether `journal_stream` ($JOURNAL_STREAM: "<device>:<inode>" in decimal)
// names the file `device` and `inode` describe. Malformed text (empty, a
// sign, spaces, a missing or extra part) names nothing.
bool journal_stream_is(std::string_view journal_stream, std::uint64_t device, std::uint64_t inode);

// Whether stderr is the journal stream systemd connected: $JOURNAL_STREAM
// matches fstat(2) of it, so a stderr redirected since is not taken for it.
bool stderr_is_journal();

// The record's journal fields, "NAME=value" each: PRIORITY (syslog's
// number), SYSLOG_IDENTIFIER=certd, MESSAGE, then the call's fields in order.
// A field whose name the journal would refuse (not upper-case letters,
// digits and '_', not starting with '_' or a digit, over 64 characters) or
// whose value is empty is left out.
std::vector<std::string> journal_record(log::Level level, std::string_view message, const log::Fields& fields);

// The log::Writer that sends journal_record() to the journal
// (sd_journal_sendv); false if the journal did not take it.
bool write_to_journal(log::Level level, std::string_view message, const log::Fields& fields);

// Installs write_to_journal when stderr_is_journal(); main() calls it once,
// before any thread starts.
void log_to_journal_when_connected();

}  // namespace certd::app
