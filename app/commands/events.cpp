// certd events list [--failed] [--json] [--limit N] | retry ID...|--all
// An operator sees what came in and what could not be processed (with the
// reason and the next attempt), and makes failed events due now.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands/commands.hpp"
#include "app/event_processor.hpp"
#include "app/progress_codec.hpp"
#include "app/runtime.hpp"
#include "app/terminal_text.hpp"
#include "app/text_table.hpp"
#include "core/time_format.hpp"
#include "store/store.hpp"

namespace certd::app {

namespace {

using nlohmann::json;

struct EventsOptions {
  bool failed = false;
  bool json_output = false;
  int limit = 100;
  std::vector<long long> ids;
  bool all = false;
};

// Who and where an event is about, read from its payload (names come from
// the LMS or a webhook: someone else typed them).
struct About {
  std::string student;
  std::string course;
};

About about(const store::EventRow& row) {
  if (row.event.kind == k_event_lms_change) {
    if (auto change = parse_change_event(row.event.payload))
      return {change->snapshot.student.fullname + " (" + std::to_string(change->snapshot.student.id) + ")",
              change->snapshot.course.shortname};
    return {};
  }
  json body = json::parse(row.event.payload, nullptr, /*allow_exceptions=*/false);
  const json* data = body.is_object() && body.contains("data") && body["data"].is_object() ? &body["data"] : &body;
  About found;
  if (!data->is_object()) return found;
  for (const char* key : {"user_id", "student"})
    if (data->contains(key)) found.student = (*data)[key].is_string() ? (*data)[key].get<std::string>() : (*data)[key].dump();
  if (data->contains("course"))
    found.course = (*data)["course"].is_string() ? (*data)["course"].get<std::string>() : (*data)["course"].dump();
  return found;
}


std::string next_attempt(const store::EventRow& row, std::int64_t now) {
  if (row.status != store::EventStatus::failed) return "";
  if (row.attempts == 0) return "not retried (a teacher's action)";
  if (!row.next_attempt_at) return "after a rules/template/config change or certd events retry";
  if (*row.next_attempt_at <= now) return "due now";
  return format_iso8601(from_unix(*row.next_attempt_at));
}

int list(Runtime& runtime, const EventsOptions& o) {
  std::optional<store::EventStatus> status;
  if (o.failed) status = store::EventStatus::failed;
  auto rows = runtime.store->recent_events(status, o.limit);
  if (!rows) return fail("events list", rows.error());
  std::int64_t now = to_unix(runtime.clock.now());
  if (o.json_output) {
    // JSON escapes control characters itself; the values stay as stored.
    json out = json::array();
    for (const store::EventRow& r : *rows) {
      About a = about(r);
      out.push_back({{"id", r.id}, {"student", a.student}, {"course", a.course}, {"source", r.event.source},
                     {"kind", r.event.kind}, {"state", store::to_string(r.status)}, {"attempts", r.attempts},
                     {"reason", r.error},
                     {"next_attempt_at", r.next_attempt_at && r.status == store::EventStatus::failed
                                             ? json(format_iso8601(from_unix(*r.next_attempt_at)))
                                             : json(nullptr)},
                     {"received_at", format_iso8601(from_unix(r.event.received_at))}});
    }
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return k_exit_ok;
  }
  TextTable table({"ID", "STUDENT", "COURSE", "SOURCE", "STATE", "ATTEMPTS", "REASON", "NEXT ATTEMPT"});
  for (const store::EventRow& r : *rows) {
    About a = about(r);
    table.add({std::to_string(r.id), terminal_safe(a.student), terminal_safe(a.course), terminal_safe(r.event.source),
               store::to_string(r.status), std::to_string(r.attempts), terminal_safe(r.error), next_attempt(r, now)});
  }
  if (table.empty()) {
    std::cout << (o.failed ? "No failed events.\n" : "No events.\n");
    return k_exit_ok;
  }
  std::cout << table.render();
  return k_exit_ok;
}

int retry(Runtime& runtime, const EventsOptions& o) {
  if (o.ids.empty() == !o.all) {
    std::cerr << "certd events retry: give event ids, or --all\n";
    return k_exit_usage;
  }
  std::vector<store::Id> ids(o.ids.begin(), o.ids.end());
  auto due = runtime.store->make_failed_events_due(ids, to_unix(runtime.clock.now()));
  if (!due) return fail("events retry", due.error());
  std::cout << *due << " failed events are due now; the running daemon, or the next certd run --once, "
            << "processes them.\n";
  return k_exit_ok;
}

}  // namespace

void define_events(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto options = std::make_shared<EventsOptions>();
  command.require_subcommand(1);
  CLI::App* list_command = command.add_subcommand("list", "events newest first: state, attempts, reason, next attempt");
  list_command->add_flag("--failed", options->failed, "only events that could not be processed");
  list_command->add_flag("--json", options->json_output, "print one JSON array");
  list_command->add_option("--limit", options->limit, "at most this many events")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  CLI::App* retry_command = command.add_subcommand("retry", "make failed events due now");
  retry_command->add_option("ids", options->ids, "event ids");
  retry_command->add_flag("--all", options->all, "every failed event");
  handler = [&globals, options, list_command]() {
    auto runtime = open_store_runtime(globals);
    if (!runtime) return fail("events", runtime.error());
    if (list_command->parsed()) return list(**runtime, *options);
    return retry(**runtime, *options);
  };
}

}  // namespace certd::app
