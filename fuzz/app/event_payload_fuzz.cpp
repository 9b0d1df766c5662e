// libFuzzer target: any bytes as a stored event payload, read the ways
// the event processor reads them (app/progress_codec.hpp): an LMS change
// with its snapshot, a snapshot alone (pending entries), an "issue now"
// mark, and a webhook body naming a student and a course. None may crash,
// throw or leak; what parses turns into rule facts; and what parses,
// written again and read back, writes the same text (a replayed event
// decides the same way).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/progress_codec.hpp"

namespace {

using namespace certd;
using namespace certd::app;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_event_payload: %s: %s\n", what, detail.c_str());
  std::abort();
}

// A value read and written once is in certd's own form: reading and
// writing that again must give the same text.
template <typename Read, typename Write>
void check_stable(const std::string& text, Read read, Write write, const char* what) {
  auto first = read(text);
  if (!first) {
    if (first.error().message().empty()) fail("an error without a message", what);
    return;
  }
  const std::string once = write(*first);
  auto second = read(once);
  if (!second) fail("certd cannot read what it wrote", std::string(what) + ": " + once);
  const std::string twice = write(*second);
  if (twice != once) fail("written differently after a round trip", std::string(what) + ": " + once + " / " + twice);
}

void check_change_event(const std::string& payload) {
  auto event = parse_change_event(payload);
  if (!event) return;
  (void)facts_from_progress(event->snapshot);
  auto write = [](const ChangeEvent& e) { return change_event_payload(e.change, e.snapshot); };
  check_stable(payload, parse_change_event, write, "change event");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check_change_event(text);
  check_stable(text, progress_from_json, progress_to_json, "snapshot");
  check_stable(text, issue_now_mark_from_json, issue_now_mark_to_json, "issue-now mark");
  if (auto progress = progress_from_json(text)) (void)facts_from_progress(*progress);
  if (auto target = parse_webhook_target(text); target && (target->student <= 0 || target->course.empty()))
    fail("a webhook target that names no one", text);
  return 0;
}
