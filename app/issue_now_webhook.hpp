#pragma once
// A signed "issue-now" webhook from the Moodle plugin (moodle/local_certd):
// a teacher ticked the "issue now" activity for a student. The webhook is
// only a hint: the mark is read from the LMS, so a webhook cannot invent
// one, and it is recorded as the very event the poll records for that mark
// (source k_source_lms_poll, id IssueNowMark::key()). A mark that arrives
// by webhook and by poll is then one event: one certificate, one clearing.

#include "connector/lms.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace certd::store {
class Store;
}

namespace certd::app {

// The `type` the plugin sends (moodle/local_certd/classes/payload.php).
inline constexpr const char* k_event_webhook_issue_now = "issue-now";
// The source of the poll's events (app/daemon.cpp record_changes).
inline constexpr const char* k_source_lms_poll = "moodle";

// true: the LMS shows the mark and its event is recorded (now, or before by
// the poll or an earlier webhook); the caller has nothing more to do.
// false: the LMS shows no mark (already cleared, or a student's own tick):
// decide from the progress, as for any webhook. `progress` is the
// student's, read fresh for the webhook; it becomes the event's snapshot.
Result<bool> record_issue_now_mark(connector::Lms& lms, store::Store& store,
                                   const connector::CourseProgress& progress, TimePoint now);

}  // namespace certd::app
