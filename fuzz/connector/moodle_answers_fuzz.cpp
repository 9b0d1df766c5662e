// libFuzzer target: Moodle's web-service answers, as the Moodle adapter
// reads them (connector/moodle/). The input is a script of answers, one
// record per answer:
//
//   <wsfunction>[ <HTTP status>]\n<body>\n----\n<next record>...
//
// A scripted transport (tests/connector/scripted_transport.hpp) answers
// each request with the next record for its wsfunction (the last one
// again when they run out; a Moodle exception for a function without one;
// status 0: no HTTP answer at all). Over it,
// the adapter checks the site, polls twice (the second time with the
// cursor of the first), reads one student's progress and does each
// write-back. Nothing may crash, hang or leak, whatever Moodle answers;
// and what a poll returns must keep the promises of connector/lms.hpp.
// The seeds are the recordings of a real Moodle (fuzz/connector/moodle_seeds.py).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connector/cursor_store.hpp"
#include "connector/lms.hpp"
#include "connector/moodle/http_transport.hpp"
#include "connector/moodle/moodle_lms.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "tests/connector/scripted_transport.hpp"

namespace {

using namespace certd;
using namespace certd::connector;

using testing::Script;
using testing::ScriptedAnswer;
using testing::ScriptedTransport;

constexpr std::string_view k_separator = "\n----\n";

Script parse_script(std::string_view text) {
  Script script;
  while (!text.empty()) {
    std::size_t end = text.find(k_separator);
    std::string_view record = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + k_separator.size());
    std::size_t newline = record.find('\n');
    std::string_view header = record.substr(0, newline);
    ScriptedAnswer answer;
    answer.body = newline == std::string_view::npos ? std::string() : std::string(record.substr(newline + 1));
    std::size_t space = header.find(' ');
    if (space != std::string_view::npos) {
      answer.status = std::atoi(std::string(header.substr(space + 1)).c_str());
      header = header.substr(0, space);
    }
    script[std::string(header)].push_back(std::move(answer));
  }
  return script;
}

class FixedClock final : public Clock {
 public:
  TimePoint now() const override { return from_unix(1795500000); }
};

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_moodle: %s: %s\n", what, detail.c_str());
  std::abort();
}

// The school of the recordings (tests/connector/recordings/_seed.json),
// with small pages so that paging is reached.
moodle::MoodleOptions options(const Script& script) {
  moodle::MoodleOptions o;
  o.url = "https://moodle.invalid";
  o.token = "fuzz";
  o.courses = {"SWIM-L3", "FA-101", "SWIM-L4"};
  o.max_connections = 1;
  o.max_requests_per_second = 0;
  o.retry_pause = std::chrono::milliseconds(0);
  o.sweep_budget = 0;
  o.users_page_size = 2;
  o.report_page_size = 2;
  if (script.count("core_reportbuilder_retrieve_report")) o.completions_report = 7;
  return o;
}

void check_poll(const PollResult& result) {
  for (const Change& change : result.changes) {
    if (change.key.rfind("moodle:", 0) != 0) fail("a change key not in the adapter's form", change.key);
    if (!result.snapshot(change.student, change.course.id)) fail("a change without its snapshot", change.key);
  }
}

void poll_twice(Lms& lms) {
  MemoryCursorStore cursors;
  for (int cycle = 0; cycle < 2; ++cycle) {
    Result<PollResult> result = lms.poll_changes(cursors);
    if (!result) return;
    check_poll(*result);
    for (const auto& [key, value] : result->cursor_updates) (void)cursors.set(key, value);
  }
}

void write_back(Lms& lms) {
  Course course{2, "SWIM-L3", "Swimming Level 3", true};
  (void)lms.add_note({6, 2, "SWL3-7K4M-9QXA", "Swimming Level 3", "https://certs.invalid/v/SWL3-7K4M-9QXA", "n-1"});
  (void)lms.send_message({6, "Your certificate is ready.", "m-1"});
  (void)lms.set_profile_field(6, "certificates", "SWL3-7K4M-9QXA");
  (void)lms.complete_activity(course, "Certificate issued", 6);
  IssueNowMark mark;
  mark.student = 6;
  mark.course = course;
  mark.activity = 14;
  mark.marked_at = from_unix(1795400000);
  (void)lms.clear_issue_now(mark);
  (void)lms.enrol({6, 4, 5});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The adapter logs each condition it meets; the fuzzer's output is its own.
  static const bool k_quiet = [] {
    log::set_level(log::Level::off);
    return true;
  }();
  (void)k_quiet;
  Script script = parse_script(std::string_view(reinterpret_cast<const char*>(data), size));
  FixedClock clock;
  moodle::MoodleOptions o = options(script);
  std::unique_ptr<Lms> lms = moodle::make_moodle_lms(std::move(o), std::make_unique<ScriptedTransport>(script), clock);
  if (auto site = lms->check_site(); site)
    for (const std::string& missing : site->missing)
      if (missing.empty()) fail("an empty line in the site check", "");
  poll_twice(*lms);
  if (auto progress = lms->progress(Course{2, "SWIM-L3", "Swimming Level 3", true}, 6); progress)
    if (progress->grade_percent && !(*progress->grade_percent == *progress->grade_percent))
      fail("a grade that is not a number", std::to_string(*progress->grade_percent));
  if (auto students = lms->enrolled_students(Course{2, "SWIM-L3", "", true}); !students && students.error().message().empty())
    fail("an error without a message", "");
  write_back(*lms);
  return 0;
}
