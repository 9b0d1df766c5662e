#include "app/issue_now_webhook.hpp"

#include "app/event_processor.hpp"
#include "app/progress_codec.hpp"
#include "core/log.hpp"
#include "store/store.hpp"

namespace certd::app {

Result<bool> record_issue_now_mark(connector::Lms& lms, store::Store& store,
                                   const connector::CourseProgress& progress, TimePoint now) {
  CERTD_ASSIGN_OR_RETURN(std::optional<connector::IssueNowMark> mark,
                         lms.issue_now_mark(progress.course, progress.student.id));
  if (!mark) return false;
  // The change the poll would make of this mark (connector/moodle/moodle_poll.cpp
  // apply_visit), so that either path finds the other's event by its key.
  connector::Change change;
  change.kind = connector::ChangeKind::issue_now;
  change.student = mark->student;
  change.course = mark->course;
  change.at = mark->marked_at;
  change.key = mark->key();
  change.issue_now = *mark;
  store::NewEvent event{k_source_lms_poll, change.key, k_event_lms_change, change_event_payload(change, progress),
                        to_unix(now)};
  CERTD_ASSIGN_OR_RETURN(store::Inserted recorded, store.record_event(event));
  CERTD_LOG_INFO("issue-now webhook for student {} in {}: mark {} {}", progress.student.id, progress.course.shortname,
                 change.key, recorded.created ? "recorded as event #" + std::to_string(recorded.id)
                                              : "was recorded already (event #" + std::to_string(recorded.id) + ")");
  return true;
}

}  // namespace certd::app
