#pragma once
// connector::CourseProgress <-> JSON text. Event rows and pending entries
// keep the snapshot the decision was made on, so an approval days later
// issues exactly what the teacher saw, and a replayed event decides the
// same way.

#include <string>

#include "connector/lms.hpp"
#include "core/result.hpp"
#include "rules/facts.hpp"

namespace certd::app {

std::string progress_to_json(const connector::CourseProgress& progress);
Result<connector::CourseProgress> progress_from_json(const std::string& text);

// The payload of an "lms.change" event: the change and the snapshot of the
// student in that course when it was seen.
std::string change_event_payload(const connector::Change& change, const connector::CourseProgress& snapshot);
struct ChangeEvent {
  connector::Change change;
  connector::CourseProgress snapshot;
  std::string snapshot_json;
};
Result<ChangeEvent> parse_change_event(const std::string& payload);

// What a "progress" webhook body names (docs/architecture.md "Portal and
// API"): {"type": ..., "data": {"user_id": 42, "course": "FA-101"}}. The
// facts themselves are read from the LMS. Errors: invalid_argument when
// data lacks a positive integer user_id or a non-empty course shortname.
struct WebhookTarget {
  connector::UserId student = 0;
  std::string course;
};
Result<WebhookTarget> parse_webhook_target(const std::string& body);

std::string issue_now_mark_to_json(const connector::IssueNowMark& mark);
Result<connector::IssueNowMark> issue_now_mark_from_json(const std::string& text);

// What the rules see of a snapshot.
rules::StudentFacts facts_from_progress(const connector::CourseProgress& progress);

}  // namespace certd::app
