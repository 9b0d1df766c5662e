#pragma once
// One poll cycle at a time over an Lms: finds the changes since the stored
// cursor, logs the cycle (requests, changes, time), and makes the new
// cursor durable only when the caller says the changes are safe.
//
//   auto result = poller.poll();            // reads, finds, writes nothing
//   record every change as an event (key = Change::key) ...
//   poller.commit(*result);                 // then move the cursor
//
// A crash between poll() and commit() makes the next cycle find the same
// changes with the same keys: nothing lost, and the event ids dedupe them.
//
// Thread-safety: one thread at a time (the daemon's poller thread).

#include "connector/cursor_store.hpp"
#include "connector/lms.hpp"
#include "core/result.hpp"

namespace certd::connector {

class Poller {
 public:
  Poller(Lms& lms, CursorStore& cursors) : m_lms(lms), m_cursors(cursors) {}

  Result<PollResult> poll();
  Status commit(const PollResult& result);

 private:
  Lms& m_lms;
  CursorStore& m_cursors;
};

}  // namespace certd::connector
