#include "app/poll_status.hpp"

#include <nlohmann/json.hpp>

#include "store/store.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

// Lenient readers: a field of the wrong type reads as its default, so one
// odd value does not hide the rest of the screen.
std::string text_of(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::int64_t number_of(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_number_integer() ? found->get<std::int64_t>() : 0;
}

int count_of(const json& object, const char* key) { return static_cast<int>(number_of(object, key)); }

const json& array_of(const json& object, const char* key) {
  static const json k_empty = json::array();
  auto found = object.find(key);
  return found != object.end() && found->is_array() ? *found : k_empty;
}

json course_json(const CoursePollStatus& course) {
  return {{"shortname", course.shortname}, {"polled_at", course.polled_at}, {"requests", course.requests},
          {"changes", course.changes}, {"error", course.error}};
}

json condition_json(const connector::SiteCondition& condition) {
  return {{"key", condition.key}, {"subject", condition.subject}, {"detail", condition.detail},
          {"advice", condition.advice}, {"lms_code", condition.lms_code}, {"since", to_unix(condition.since)}};
}

CoursePollStatus course_from(const json& object) {
  return {text_of(object, "shortname"), number_of(object, "polled_at"), count_of(object, "requests"),
          count_of(object, "changes"), text_of(object, "error")};
}

connector::SiteCondition condition_from(const json& object) {
  connector::SiteCondition condition;
  condition.key = text_of(object, "key");
  condition.subject = text_of(object, "subject");
  condition.detail = text_of(object, "detail");
  condition.advice = text_of(object, "advice");
  condition.lms_code = text_of(object, "lms_code");
  condition.since = from_unix(number_of(object, "since"));
  return condition;
}

}  // namespace

PollStatus after_good_poll(const connector::PollStats& stats, std::vector<connector::SiteCondition> conditions,
                           TimePoint at) {
  PollStatus status;
  status.last_cycle_at = to_unix(at);
  status.requests = stats.requests;
  status.changes = stats.changes;
  for (const connector::CoursePoll& course : stats.courses)
    status.courses.push_back({course.shortname, status.last_cycle_at, course.requests, course.changes, course.error});
  status.conditions = std::move(conditions);
  return status;
}

PollStatus after_failed_poll(std::optional<PollStatus> previous, const std::string& error, TimePoint at) {
  PollStatus status = previous ? std::move(*previous) : PollStatus{};
  status.last_cycle_at = to_unix(at);
  // An error without words would read as "ok".
  status.error = error.empty() ? "the poll failed" : error;
  status.requests = 0;
  status.changes = 0;
  return status;
}

std::string encode_poll_status(const PollStatus& status) {
  json courses = json::array();
  for (const CoursePollStatus& course : status.courses) courses.push_back(course_json(course));
  json conditions = json::array();
  for (const connector::SiteCondition& condition : status.conditions) conditions.push_back(condition_json(condition));
  json document = {{"version", k_poll_status_version}, {"last_cycle_at", status.last_cycle_at},
                   {"error", status.error}, {"requests", status.requests}, {"changes", status.changes},
                   {"courses", courses}, {"conditions", conditions}};
  // LMS text is not always valid UTF-8: replace rather than throw.
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<PollStatus> decode_poll_status(std::string_view text) {
  json document = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!document.is_object() || number_of(document, "version") != k_poll_status_version) return std::nullopt;
  if (number_of(document, "last_cycle_at") <= 0) return std::nullopt;
  PollStatus status;
  status.last_cycle_at = number_of(document, "last_cycle_at");
  status.error = text_of(document, "error");
  status.requests = count_of(document, "requests");
  status.changes = count_of(document, "changes");
  for (const json& course : array_of(document, "courses"))
    if (course.is_object()) status.courses.push_back(course_from(course));
  for (const json& condition : array_of(document, "conditions"))
    if (condition.is_object()) status.conditions.push_back(condition_from(condition));
  return status;
}

Result<std::optional<PollStatus>> read_poll_status(store::Store& store) {
  CERTD_ASSIGN_OR_RETURN(std::optional<std::string> text, store.get_state(k_poll_status_key));
  if (!text) return std::optional<PollStatus>();
  return decode_poll_status(*text);
}

Status record_poll(store::Store& store, const connector::PollStats* stats, const std::string& error,
                   std::vector<connector::SiteCondition> conditions, TimePoint at) {
  PollStatus status;
  if (stats) {
    status = after_good_poll(*stats, std::move(conditions), at);
  } else {
    CERTD_ASSIGN_OR_RETURN(std::optional<PollStatus> previous, read_poll_status(store));
    status = after_failed_poll(std::move(previous), error, at);
  }
  return store.set_state(k_poll_status_key, encode_poll_status(status));
}

}  // namespace certd::app
