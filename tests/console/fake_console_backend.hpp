#pragma once
// An in-memory ConsoleBackend for the console's routing and security
// tests; the store's own tests cover the real one.

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include "console/console_backend.hpp"
#include "core/time_format.hpp"

namespace certd::testing {

class FakeConsoleBackend final : public console::ConsoleBackend {
 public:
  Status put_lti_state(const store::NewLtiState& state, std::int64_t, std::int64_t) override {
    states[state.state] = state;
    return ok();
  }
  Result<std::optional<store::LtiStateRow>> take_lti_state(const std::string& state, std::int64_t now) override {
    auto it = states.find(state);
    if (it == states.end()) return std::optional<store::LtiStateRow>();
    store::LtiStateRow row = it->second;
    states.erase(it);
    if (row.expires_at <= now) return std::optional<store::LtiStateRow>();
    return std::optional<store::LtiStateRow>(row);
  }
  Status create_session(const store::NewSession& session) override {
    sessions[session.token_hash] = session;
    return ok();
  }
  Result<std::optional<store::SessionRow>> session(const std::string& hash, std::int64_t now) override {
    auto it = sessions.find(hash);
    if (it == sessions.end() || now >= it->second.idle_expires_at || now >= it->second.expires_at)
      return std::optional<store::SessionRow>();
    return std::optional<store::SessionRow>(it->second);
  }
  Status touch_session(const std::string& hash, std::int64_t now, std::int64_t idle_until) override {
    auto it = sessions.find(hash);
    if (it == sessions.end()) return Error(ErrorCode::not_found, "no session");
    it->second.last_seen_at = now;
    it->second.idle_expires_at = idle_until;
    return ok();
  }
  Status delete_session(const std::string& hash) override {
    sessions.erase(hash);
    return ok();
  }
  Status audit(const store::NewAuditEntry& entry) override {
    audit_log.push_back(entry);
    return ok();
  }
  Result<std::vector<console::QueueEntry>> queue(const std::string& course) override {
    std::vector<console::QueueEntry> out;
    for (const auto& [entry_course, entry] : queue_entries)
      if (entry_course == course) out.push_back(entry);
    return out;
  }
  Result<console::ApprovalOutcome> approve(const std::string& course, const std::vector<store::Id>& ids,
                                           const std::string& notes, const std::string& teacher) override {
    console::ApprovalOutcome outcome;
    for (store::Id id : ids) {
      auto it = std::find_if(queue_entries.begin(), queue_entries.end(),
                             [&](const auto& e) { return e.first == course && e.second.id == id; });
      if (it == queue_entries.end()) {
        outcome.failed.push_back("row " + std::to_string(id) + ": not in this course");
        continue;
      }
      outcome.issued.push_back("NUM-" + std::to_string(id));
      approved.push_back({id, notes, teacher});
      queue_entries.erase(it);
    }
    return outcome;
  }
  Status hold(const std::string& course, const std::vector<store::Id>& ids, const std::string&) override {
    for (auto& [entry_course, entry] : queue_entries)
      if (entry_course == course && std::find(ids.begin(), ids.end(), entry.id) != ids.end()) entry.held = true;
    return ok();
  }
  Result<std::vector<store::CertificateRow>> certificates_of(const std::string& student_id) override {
    std::vector<store::CertificateRow> out;
    for (const auto& row : certificates)
      if (row.certificate.student_id == student_id) out.push_back(row);
    return out;
  }
  Result<std::optional<store::CertificateRow>> certificate(const std::string& number) override {
    for (const auto& row : certificates)
      if (row.certificate.number == number) return std::optional<store::CertificateRow>(row);
    return std::optional<store::CertificateRow>();
  }
  Result<std::string> pdf_bytes(const store::CertificateRow& row) override { return "%PDF-" + row.certificate.number; }

  // "Issue now" over `issue_now_students` and `issue_now_rules` (course
  // -> entries); a student's unmet conditions from `unmet_of`. Issued
  // certificates go to `forced`, once per (course, rule, student).
  Result<console::IssueNowChoices> issue_now_choices(const std::string& course) override {
    if (!lms_error.empty()) return Error(ErrorCode::unavailable, lms_error);
    console::IssueNowChoices choices;
    for (const auto& [c, student] : issue_now_students)
      if (c == course) choices.students.push_back(student);
    for (const auto& [c, rule] : issue_now_rules)
      if (c == course) choices.rules.push_back(rule);
    return choices;
  }
  Result<console::IssueNowPreview> preview_issue_now(const std::string& course, const std::string& student_id,
                                                     const std::string& rule_id) override {
    CERTD_ASSIGN_OR_RETURN(auto chosen, issue_now_pick(course, student_id, rule_id));
    console::IssueNowPreview preview;
    preview.student_name = chosen.first.name;
    preview.certificate = chosen.second.certificate;
    preview.unmet = unmet_of[student_id];
    for (const ForcedIssue& f : forced)
      if (f.course == course && f.rule_id == rule_id && f.student_id == student_id) preview.existing_number = f.number;
    return preview;
  }
  Result<console::IssueNowDone> issue_now(const std::string& course, const std::string& student_id,
                                          const std::string& rule_id, const std::string& teacher) override {
    CERTD_ASSIGN_OR_RETURN(auto chosen, issue_now_pick(course, student_id, rule_id));
    console::IssueNowDone done{"", chosen.first.name, chosen.second.certificate, false};
    for (const ForcedIssue& f : forced) {
      if (f.course != course || f.rule_id != rule_id || f.student_id != student_id) continue;
      done.number = f.number;
      done.already_issued = true;
      return done;
    }
    done.number = "FORCED-" + std::to_string(forced.size() + 1);
    forced.push_back({course, rule_id, student_id, teacher, done.number});
    return done;
  }
  Result<std::pair<console::IssueNowStudent, console::IssueNowRule>> issue_now_pick(const std::string& course,
                                                                                   const std::string& student_id,
                                                                                   const std::string& rule_id) {
    if (!lms_error.empty()) return Error(ErrorCode::unavailable, lms_error);
    auto rule = std::find_if(issue_now_rules.begin(), issue_now_rules.end(),
                             [&](const auto& r) { return r.first == course && r.second.id == rule_id; });
    if (rule == issue_now_rules.end()) return Error(ErrorCode::invalid_argument, "not a certificate of this course");
    auto student = std::find_if(issue_now_students.begin(), issue_now_students.end(),
                                [&](const auto& s) { return s.first == course && s.second.id == student_id; });
    if (student == issue_now_students.end()) return Error(ErrorCode::not_found, "not a student of this course");
    return std::make_pair(student->second, rule->second);
  }

  // --- Issued certificates: a row is of the course its `course` field
  // names (the real backend decides by rule; see console_backend_issued.cpp).
  Result<console::CertificateList> course_certificates(const std::string& course, const std::string& query,
                                                       std::size_t limit) override {
    auto lower = [](std::string t) {
      for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return t;
    };
    console::CertificateList list;
    for (auto it = certificates.rbegin(); it != certificates.rend(); ++it) {
      const store::NewCertificate& c = it->certificate;
      if (c.course != course) continue;
      const std::string q = lower(query);
      if (!q.empty() && lower(c.number).find(q) == std::string::npos &&
          lower(c.student_name).find(q) == std::string::npos && lower(c.student_id).find(q) == std::string::npos)
        continue;
      ++list.matched;
      if (list.shown.size() < limit) list.shown.push_back(*it);
    }
    return list;
  }
  Result<console::CertificateDetail> certificate_detail(const std::string& course, const std::string& number) override {
    CERTD_ASSIGN_OR_RETURN(store::CertificateRow* row, course_row(course, number));
    console::CertificateDetail detail{*row, {}};
    for (const store::NotificationRow& n : deliveries)
      if (n.number == number) detail.deliveries.push_back(n);
    return detail;
  }
  Result<std::string> reissue(const std::string& course, const std::string& number,
                              const console::ConsoleActor& teacher) override {
    CERTD_ASSIGN_OR_RETURN(store::CertificateRow* row, course_row(course, number));
    store::CertificateRow copy = *row;
    if (row->status == store::CertificateStatus::issued) mark_revoked(*row, store::RevocationCategory::replaced, "reissued");
    copy.certificate.number = "RE-" + number;
    copy.certificate.kind = "reissue";
    audit_log.push_back({teacher.display_name + " (" + teacher.user_key + ")", "reissue", number, copy.certificate.number, 0});
    certificates.push_back(copy);
    return copy.certificate.number;
  }
  Status revoke(const std::string& course, const std::string& number, store::RevocationCategory category,
                const std::string& reason, const console::ConsoleActor& teacher) override {
    if (reason.find_first_not_of(" \t") == std::string::npos) return Error(ErrorCode::invalid_argument, "a reason is required");
    CERTD_ASSIGN_OR_RETURN(store::CertificateRow* row, course_row(course, number));
    if (row->status == store::CertificateStatus::revoked) return Error(ErrorCode::conflict, "already revoked");
    mark_revoked(*row, category, reason);
    audit_log.push_back({teacher.display_name + " (" + teacher.user_key + ")", "revoke", number, reason, 0});
    return ok();
  }
  Result<console::ResendOutcome> resend(const std::string& course, const std::string& number,
                                        const console::ConsoleActor& teacher) override {
    CERTD_TRY(course_row(course, number));
    console::ResendOutcome outcome;
    for (store::NotificationRow& n : deliveries) {
      if (n.number != number) continue;
      if (n.status == "sent" && n.resend_count < 3) {
        ++n.resend_count;
        ++outcome.queued;
      } else {
        ++outcome.skipped;
      }
    }
    audit_log.push_back({teacher.display_name + " (" + teacher.user_key + ")", "notify.resend", number, "", 0});
    return outcome;
  }
  // --- Ad-hoc awards: templates from `award_template_list`, students
  // from issue_now_students; issued awards go to `awards`, once per
  // (request id, student). A title or notes containing a control
  // character is refused, as check_display_text would.
  Result<std::vector<console::AwardTemplate>> award_templates() override { return award_template_list; }
  Result<std::string> award_preview_pdf(const std::string& course, const console::AwardRequest& request,
                                        const std::string& teacher) override {
    CERTD_TRY(award_check(course, request));
    ++award_previews;
    return "%PDF-1.7 PREVIEW " + request.template_id + " " + request.student_ids.front() + " " + teacher;
  }
  Result<console::AwardOutcome> award(const std::string& course, const console::AwardRequest& request,
                                      const std::string& teacher) override {
    CERTD_TRY(award_check(course, request));
    if (request.request_id.empty()) return Error(ErrorCode::invalid_argument, "no request id");
    console::AwardOutcome outcome;
    for (const std::string& id : request.student_ids) {
      std::string name = (*award_student(course, id))->name;
      auto done = std::find_if(awards.begin(), awards.end(), [&](const AwardIssue& a) {
        return a.request_id == request.request_id && a.student_id == id;
      });
      if (done != awards.end()) {
        outcome.issued.push_back({name, done->number, true});
        continue;
      }
      std::string number = "AWARD-" + std::to_string(awards.size() + 1);
      awards.push_back({course, request.request_id, id, request.template_id, request.title, request.notes, teacher,
                        number});
      outcome.issued.push_back({name, number, false});
    }
    return outcome;
  }
  Result<const console::IssueNowStudent*> award_student(const std::string& course, const std::string& id) {
    for (const auto& [c, s] : issue_now_students)
      if (c == course && s.id == id) return &s;
    return Error(ErrorCode::not_found, "not a student of this course");
  }
  Status award_check(const std::string& course, const console::AwardRequest& request) {
    if (!lms_error.empty()) return Error(ErrorCode::unavailable, lms_error);
    if (request.student_ids.empty()) return Error(ErrorCode::invalid_argument, "no student");
    if (std::none_of(award_template_list.begin(), award_template_list.end(),
                     [&](const console::AwardTemplate& t) { return t.id == request.template_id; }))
      return Error(ErrorCode::invalid_argument, "unknown template");
    for (const std::string& text : {request.title, request.notes})
      if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 && c != '\n'; }))
        return Error(ErrorCode::invalid_argument, "the text has a control character");
    for (const std::string& id : request.student_ids) CERTD_TRY(award_student(course, id));
    return ok();
  }
  // --- Reports: the course's rows of `certificates` (newest first, as
  // course_certificates), their `deliveries` and `verifications`; the
  // quota counts `certificates` of every course issued in now's month.
  Result<std::string> metrics_text(std::int64_t now) override {
    metrics_asked_at = now;
    return std::string("certd_events{state=\"new\"} 0\n");
  }
  Result<console::CourseReport> course_report(const std::string& course, std::int64_t now) override {
    if (!report_error.empty()) return Error(ErrorCode::unavailable, report_error);
    console::CourseReport report;
    CERTD_ASSIGN_OR_RETURN(console::CertificateList list, course_certificates(course, "", console::k_report_rows));
    report.certificates = list.shown;
    report.certificates_total = list.matched;
    auto of_course = [&](const std::string& number) {
      return std::any_of(list.shown.begin(), list.shown.end(),
                         [&](const store::CertificateRow& r) { return r.certificate.number == number; });
    };
    for (auto it = deliveries.rbegin(); it != deliveries.rend(); ++it)
      if (of_course(it->number)) report.deliveries.push_back(*it);
    report.deliveries_total = report.deliveries.size();
    for (const store::VerificationRow& v : verifications)
      if (of_course(v.number)) report.verifications.push_back(v);
    report.verifications_total = report.verifications.size();
    auto [first, next] = month_of(from_unix(now));
    report.quota.month = format_date(first).substr(0, 7);
    for (const store::CertificateRow& r : certificates)
      if (r.certificate.issued_at >= to_unix(first) && r.certificate.issued_at < to_unix(next)) ++report.quota.used;
    report.quota.per_month = quota_per_month;
    if (quota_per_month > report.quota.used) report.quota.left = quota_per_month - report.quota.used;
    return report;
  }

  Result<store::CertificateRow*> course_row(const std::string& course, const std::string& number) {
    for (store::CertificateRow& row : certificates)
      if (row.certificate.number == number && row.certificate.course == course) return &row;
    return Error(ErrorCode::not_found, "No certificate " + number + " in this course");
  }
  static void mark_revoked(store::CertificateRow& row, store::RevocationCategory category, const std::string& reason) {
    row.status = store::CertificateStatus::revoked;
    row.revoke_category = category;
    row.revoke_reason = reason;
    row.revoked_at = 1'790'000'000;
  }

  // Local accounts and API tokens: a "hash" here is "hash:" and the
  // password; password_checks counts every check, dummy ones too.
  Result<std::optional<store::LocalUserRow>> local_user(const std::string& name) override {
    auto it = local_users.find(name);
    if (it == local_users.end()) return std::optional<store::LocalUserRow>();
    return std::optional<store::LocalUserRow>(it->second);
  }
  bool password_matches(const std::string& hash, const std::string& password) override {
    ++password_checks;
    return !hash.empty() && hash == "hash:" + password;
  }
  Status record_login_failure(const std::string& name, std::int64_t now, int max_failures,
                              std::int64_t lock_seconds) override {
    auto it = local_users.find(name);
    if (it == local_users.end()) return Error(ErrorCode::not_found, "no such user");
    if (++it->second.failed_logins >= max_failures) {
      it->second.failed_logins = 0;
      it->second.locked_until = now + lock_seconds;
    }
    return ok();
  }
  Status record_login_success(const std::string& name) override {
    auto it = local_users.find(name);
    if (it == local_users.end()) return Error(ErrorCode::not_found, "no such user");
    it->second.failed_logins = 0;
    return ok();
  }
  Result<std::optional<store::ApiTokenRow>> api_token(const std::string& hash) override {
    for (const store::ApiTokenRow& t : api_tokens)
      if (t.token.token_hash == hash) return std::optional<store::ApiTokenRow>(t);
    return std::optional<store::ApiTokenRow>();
  }
  Status touch_api_token(store::Id id, std::int64_t now) override {
    for (store::ApiTokenRow& t : api_tokens)
      if (t.id == id) {
        t.last_used_at = now;
        return ok();
      }
    return Error(ErrorCode::not_found, "no such token");
  }
  std::vector<std::string> rule_courses() override { return {"FA-101", "SWIM-L3"}; }

  // CSV batches: a "CSV" here is lines of "student,name,course" after a
  // header; a row of another course (or with fewer cells) is bad by line.
  Result<std::vector<console::BatchTemplateChoice>> batch_templates() override {
    return std::vector<console::BatchTemplateChoice>{{"course-completion", "Course completion"}};
  }
  Result<std::vector<console::BatchSummary>> course_batches(const std::string& course) override {
    std::vector<console::BatchSummary> out;
    for (auto it = batches.rbegin(); it != batches.rend(); ++it)
      if (it->first == course) out.push_back(it->second.summary);
    return out;
  }
  Result<console::BatchCheck> check_batch(const std::string& course, const console::BatchUpload& upload) override {
    if (upload.template_id != "course-completion") return Error(ErrorCode::invalid_argument, "Choose one of the templates");
    console::BatchCheck check;
    std::vector<std::string> good;
    std::size_t start = 0;
    for (int line = 1; start < upload.csv.size(); ++line) {
      std::size_t end = upload.csv.find('\n', start);
      std::string text = upload.csv.substr(start, end == std::string::npos ? std::string::npos : end - start);
      start = end == std::string::npos ? upload.csv.size() : end + 1;
      if (line == 1 || text.empty()) continue;
      std::size_t last = text.rfind(',');
      std::string row_course = last == std::string::npos ? "" : text.substr(last + 1);
      if (std::count(text.begin(), text.end(), ',') != 2 || row_course != course)
        check.errors.push_back("line " + std::to_string(line) + ": the row is for course '" + row_course + "'");
      else
        good.push_back(text);
    }
    check.good_rows = static_cast<int>(good.size());
    if (!good.empty() && (check.errors.empty() || upload.skip_bad)) {
      check.ticket = "ticket-" + std::to_string(checked.size() + 1);
      checked[check.ticket] = {upload.owner, course, static_cast<int>(good.size())};
    }
    return check;
  }
  Result<console::BatchStarted> start_batch(const std::string& course, const std::string& ticket,
                                            const std::string& owner, const console::ConsoleActor& teacher) override {
    auto it = checked.find(ticket);
    if (it == checked.end() || it->second.owner != owner || it->second.course != course)
      return Error(ErrorCode::not_found, "This upload is no longer waiting");
    console::BatchDetail detail;
    detail.summary.id = static_cast<store::Id>(batches.size() + 1);
    detail.summary.status = "running";
    detail.summary.total = it->second.rows;
    detail.summary.created_by = teacher.display_name;
    batches.emplace_back(course, detail);
    checked.erase(it);
    console::BatchStarted started;
    started.batch = detail.summary.id;
    started.new_rows = static_cast<int>(detail.summary.total);
    return started;
  }
  Result<console::BatchDetail> course_batch(const std::string& course, store::Id id) override {
    for (const auto& [c, detail] : batches)
      if (c == course && detail.summary.id == id) return detail;
    return Error(ErrorCode::not_found, "No batch " + std::to_string(id) + " in this course");
  }
  Result<std::int64_t> cancel_batch(const std::string& course, store::Id id, const std::string& reason,
                                    const console::ConsoleActor& teacher) override {
    if (reason.empty()) return Error(ErrorCode::invalid_argument, "Say why the batch is cancelled");
    for (auto& [c, detail] : batches)
      if (c == course && detail.summary.id == id) {
        detail.summary.status = "cancelled";
        audit_log.push_back({teacher.user_key, "batch.cancel", std::to_string(id), reason, 0});
        return detail.summary.issued;
      }
    return Error(ErrorCode::not_found, "No batch " + std::to_string(id) + " in this course");
  }
  struct CheckedUpload {
    std::string owner;
    std::string course;
    int rows = 0;
  };
  std::map<std::string, CheckedUpload> checked;
  std::vector<std::pair<std::string, console::BatchDetail>> batches;  // (course, batch)

  std::map<std::string, store::LocalUserRow> local_users;
  std::vector<store::ApiTokenRow> api_tokens;
  int password_checks = 0;

  struct Approval {
    store::Id id;
    std::string notes;
    std::string teacher;
  };
  std::map<std::string, store::NewLtiState> states;
  std::map<std::string, store::NewSession> sessions;
  std::vector<store::NewAuditEntry> audit_log;
  std::vector<std::pair<std::string, console::QueueEntry>> queue_entries;
  std::vector<Approval> approved;
  std::vector<store::CertificateRow> certificates;
  struct ForcedIssue {
    std::string course;
    std::string rule_id;
    std::string student_id;
    std::string teacher;
    std::string number;
  };
  std::vector<std::pair<std::string, console::IssueNowStudent>> issue_now_students;
  std::vector<std::pair<std::string, console::IssueNowRule>> issue_now_rules;
  std::map<std::string, std::vector<std::string>> unmet_of;
  std::vector<ForcedIssue> forced;
  std::string lms_error;  // set: every "Issue now" call fails as unavailable with it
  std::vector<store::NotificationRow> deliveries;  // Issued certificates: the e-mails, by number
  std::vector<store::VerificationRow> verifications;  // Reports: newest first
  std::int64_t quota_per_month = 0;                   // Reports: 0, no quota
  std::int64_t metrics_asked_at = 0;                  // metrics_text's `now`, once asked
  std::string report_error;                           // set: course_report fails as unavailable with it
  struct AwardIssue {
    std::string course;
    std::string request_id;
    std::string student_id;
    std::string template_id;
    std::string title;
    std::string notes;
    std::string teacher;
    std::string number;
  };
  std::vector<console::AwardTemplate> award_template_list{{"encouragement", "Encouragement award"},
                                                          {"swim-level", "Swim level"}};
  std::vector<AwardIssue> awards;
  int award_previews = 0;
};

}  // namespace certd::testing
