#pragma once
// One certificate to issue, whatever asked for it (a rule, a teacher's
// approval, "Issue now", an ad-hoc award, a batch row or a reissue), with
// everything the PDF, the store and the outbox need.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "rules/idempotency.hpp"
#include "store/records.hpp"

namespace certd::app {

struct IssueJob {
  rules::IdempotencyKey key;
  std::string kind;  // automatic | approved | forced | adhoc | batch | reissue
  std::string rule_id;
  std::string template_id;
  std::string student_id;
  std::string student_name;
  std::string student_email;
  std::vector<std::string> guardian_emails;
  std::string course;       // shortname (the store's course column)
  std::string course_name;  // printed on the certificate
  // What the certificate is called (mails, reports, {{title}}): an ad-hoc
  // award's own title; empty: the course's name, as for a rule's.
  std::string title;
  std::int64_t lms_course_id = 0;  // 0: no LMS write-back (CSV batches, ad-hoc without course)
  std::int64_t lms_student_id = 0;
  std::string teacher;
  std::string notes;
  std::string requested_by;  // who asked: "rule", a teacher's name, "batch 7"
  std::string level;
  std::string grade;
  std::vector<std::string> skills;
  std::optional<TimePoint> expires_at;
  std::optional<store::Id> batch_id;
  bool notify_student = true;
  bool notify_guardians = false;
  std::string next_course;  // progression: enrol here after issuing
  std::string clear_issue_now;  // JSON of the LMS mark to clear, if any
  std::vector<std::string> skipped_conditions;  // forced: listed in the LMS note
};

enum class IssueStatus { issued, already_issued, failed };

struct IssueOutcome {
  IssueStatus status = IssueStatus::failed;
  std::string number;
  std::optional<store::Id> certificate_id;
  std::string error;  // failed: what went wrong, in words
};

}  // namespace certd::app
