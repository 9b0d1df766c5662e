#include "app/status_report.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "app/school.hpp"
#include "app/terminal_text.hpp"
#include "app/text_table.hpp"
#include "core/time_format.hpp"
#include "render/signing.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

// A stored time of 0 comes from a garbled record: shown as unknown.
json time_json(std::int64_t unix_seconds) {
  return unix_seconds > 0 ? json(format_iso8601(from_unix(unix_seconds))) : json(nullptr);
}

json poll_json(const std::optional<PollStatus>& poll) {
  json courses = json::array();
  if (!poll)
    return {{"last_cycle_at", nullptr}, {"ok", false}, {"error", ""}, {"requests", 0}, {"changes", 0},
            {"courses", courses}};
  for (const CoursePollStatus& course : poll->courses)
    courses.push_back({{"shortname", course.shortname}, {"polled_at", time_json(course.polled_at)},
                       {"requests", course.requests}, {"changes", course.changes}, {"error", course.error}});
  return {{"last_cycle_at", time_json(poll->last_cycle_at)}, {"ok", poll->ok()}, {"error", poll->error},
          {"requests", poll->requests}, {"changes", poll->changes}, {"courses", courses}};
}

json conditions_json(const std::optional<PollStatus>& poll) {
  json conditions = json::array();
  if (!poll) return conditions;
  for (const connector::SiteCondition& c : poll->conditions)
    conditions.push_back({{"key", c.key}, {"subject", c.subject}, {"detail", c.detail}, {"advice", c.advice},
                          {"lms_code", c.lms_code}, {"since", time_json(to_unix(c.since))}});
  return conditions;
}

// "3 min ago": enough to see at a glance whether the poller is alive.
std::string ago(std::int64_t then, std::int64_t now) {
  std::int64_t seconds = now - then;
  if (seconds < 0) return "in the future: check the clocks";
  if (seconds < 60) return std::to_string(seconds) + " s ago";
  if (seconds < 3600) return std::to_string(seconds / 60) + " min ago";
  if (seconds < 48 * 3600) return std::to_string(seconds / 3600) + " h ago";
  return std::to_string(seconds / 86400) + " days ago";
}

std::string when(std::int64_t then, std::int64_t now) {
  if (then <= 0) return "unknown";
  return format_iso8601(from_unix(then)) + " (" + ago(then, now) + ")";
}

constexpr std::size_t k_label_width = 12;

std::string line(const std::string& label, const std::string& text) {
  return label + std::string(label.size() < k_label_width ? k_label_width - label.size() : 1, ' ') + text + "\n";
}

// A table under its section line, indented.
std::string indented(const std::string& table) {
  std::string out;
  std::istringstream lines(table);
  for (std::string row; std::getline(lines, row);) out += "  " + row + "\n";
  return out;
}

std::string poll_section(const std::optional<PollStatus>& poll, std::int64_t now) {
  if (!poll) return line("Last poll", "never polled (no cycle recorded by certd run yet)");
  std::string result = poll->ok() ? "ok, " + std::to_string(poll->requests) + " requests, " +
                                        std::to_string(poll->changes) + " changes"
                                  : "FAILED: " + terminal_safe(poll->error);
  std::string out = line("Last poll", when(poll->last_cycle_at, now) + ": " + result);
  if (poll->courses.empty()) return out + line("Courses", "none reported");
  out += line("Courses", std::to_string(poll->courses.size()) + " watched" +
                            (poll->ok() ? "" : ", as of the last cycle that worked"));
  TextTable table({"COURSE", "LAST POLL", "REQUESTS", "CHANGES", "RESULT"});
  for (const CoursePollStatus& course : poll->courses)
    table.add({terminal_safe(course.shortname), when(course.polled_at, now), std::to_string(course.requests),
               std::to_string(course.changes), course.error.empty() ? "ok" : terminal_safe(course.error)});
  return out + indented(table.render());
}

std::string conditions_section(const std::optional<PollStatus>& poll, std::int64_t now) {
  if (!poll || poll->conditions.empty()) return line("Conditions", "none in force");
  std::string out = line("Conditions", std::to_string(poll->conditions.size()) + " in force (what the poll works around):");
  // One block per condition: the detail and the advice are sentences,
  // too long for table cells.
  for (const connector::SiteCondition& c : poll->conditions) {
    out += "  " + terminal_safe(c.subject) + ", since " + when(to_unix(c.since), now) +
           (c.lms_code.empty() ? "" : " (Moodle: " + terminal_safe(c.lms_code) + ")") + "\n";
    out += "    " + terminal_safe(c.detail) + "\n";
    if (!c.advice.empty()) out += "    what to do: " + terminal_safe(c.advice) + "\n";
  }
  return out;
}

std::string quota_text(const StatusReport& report) {
  if (report.quota_per_month <= 0)
    return std::to_string(report.quota_used) + " issued in " + report.month + "; no monthly quota";
  return std::to_string(report.quota_used) + " of " + std::to_string(report.quota_per_month) + " issued in " +
         report.month;
}

}  // namespace

Result<StatusReport> gather_status(store::Store& store, const School& school, TimePoint now) {
  StatusReport report;
  report.generated_at = now;
  report.issuer_name = school.config.issuer.name;
  if (school.signer) report.key_fingerprint = school.signer->public_key().key_id();
  CERTD_ASSIGN_OR_RETURN(report.poll, read_poll_status(store));
  CERTD_ASSIGN_OR_RETURN(report.events_new, store.count_events(store::EventStatus::new_));
  CERTD_ASSIGN_OR_RETURN(report.events_failed, store.count_events(store::EventStatus::failed));
  CERTD_ASSIGN_OR_RETURN(report.pending, store.count_pending());
  CERTD_ASSIGN_OR_RETURN(report.outbox, store.count_outbox());
  auto [first, next] = month_of(now);
  CERTD_ASSIGN_OR_RETURN(report.quota_used, store.count_certificates_issued(to_unix(first), to_unix(next)));
  report.quota_per_month = school.config.quota.per_month;
  report.month = format_date(first).substr(0, 7);
  return report;
}

std::string status_json(const StatusReport& r) {
  json document = {
      {"generated_at", format_iso8601(r.generated_at)},
      {"issuer", {{"name", r.issuer_name}, {"key_fingerprint", r.key_fingerprint}}},
      {"poll", poll_json(r.poll)},
      {"conditions", conditions_json(r.poll)},
      {"events", {{"new", r.events_new}, {"failed", r.events_failed}}},
      // Held entries wait for a teacher too, whatever they waited for first.
      {"pending", {{"approval", r.pending.approval + r.pending.held}, {"quota", r.pending.quota}}},
      {"outbox", {{"queued", r.outbox.queued}, {"retrying", r.outbox.retrying}, {"failed", r.outbox.failed}}},
      {"quota", {{"used", r.quota_used}, {"per_month", r.quota_per_month > 0 ? r.quota_per_month : 0},
                 {"month", r.month}}},
  };
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string status_text(const StatusReport& r) {
  std::int64_t now = to_unix(r.generated_at);
  std::string out = line("Issuer", terminal_safe(r.issuer_name) + ", key fingerprint " + r.key_fingerprint);
  out += line("Generated", format_iso8601(r.generated_at));
  out += poll_section(r.poll, now);
  out += conditions_section(r.poll, now);
  out += line("Events", std::to_string(r.events_new) + " new, " + std::to_string(r.events_failed) +
                            " failed" + (r.events_failed > 0 ? " (kept and retried: certd events list --failed)" : ""));
  out += line("Pending", std::to_string(r.pending.approval + r.pending.held) + " waiting for a teacher" +
                             (r.pending.held > 0 ? " (" + std::to_string(r.pending.held) + " held)" : "") + ", " +
                             std::to_string(r.pending.quota) + " waiting for the monthly quota");
  out += line("Outbox", std::to_string(r.outbox.queued) + " queued, " + std::to_string(r.outbox.retrying) +
                            " retrying, " + std::to_string(r.outbox.failed) + " failed for good" +
                            (r.outbox.failed > 0 ? " (certd report deliveries)" : ""));
  out += line("Quota", quota_text(r));
  return out;
}

}  // namespace certd::app
