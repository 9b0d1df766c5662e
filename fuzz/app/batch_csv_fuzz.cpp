// libFuzzer target: any bytes as the CSV of `certd batch import`
// (app::parse_batch_csv). It must never crash, hang or leak; every refusal
// names this file and a line in it; and every row it accepts is one the
// rest of certd can trust: student and name present, a course or a title
// (or both), each printable (check_display_text), no student twice for the
// same course and title, no expiry in the past.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "app/batch_csv.hpp"
#include "app/display_text.hpp"
#include "core/clock.hpp"

namespace {

using namespace certd;
using namespace certd::app;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_batch_csv: %s: %s\n", what, detail.c_str());
  std::abort();
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return text;
}

void check_row(const BatchRow& row, TimePoint today, int lines) {
  if (row.line < 2 || row.line > lines) fail("a row on a line the file does not have", std::to_string(row.line));
  if (row.course.empty() && row.title.empty()) fail("an accepted row with neither course nor title", row.student);
  for (const std::string* cell : {&row.student, &row.name, &row.course, &row.title}) {
    if (cell->empty() && (cell == &row.course || cell == &row.title)) continue;  // one of them may be
    if (Status checked = check_display_text(*cell, TextKind::name, "cell"); !checked)
      fail("an accepted cell that is not printable", checked.error().message());
  }
  if (!row.notes.empty())
    if (Status checked = check_display_text(row.notes, TextKind::notes, "notes"); !checked)
      fail("accepted notes that are not printable", checked.error().message());
  if (row.expires_on && *row.expires_on < today) fail("an accepted row born expired", row.student);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const TimePoint k_today = from_unix(1795392000);  // 2026-11-23
  std::string_view text(reinterpret_cast<const char*>(data), size);
  BatchFile file = parse_batch_csv(text, "fuzz.csv", k_today);
  int lines = 1;
  for (char c : text) lines += c == '\n' || c == '\r';
  for (const Error& error : file.errors) {
    if (error.message().empty()) fail("an error without a message", error.to_string());
    if (error.where().file != "fuzz.csv" || error.where().line < 1 || error.where().line > lines)
      fail("an error not located in the file", error.to_string());
  }
  std::set<std::tuple<std::string, std::string, std::string>> listed;
  for (const BatchRow& row : file.rows) {
    check_row(row, k_today, lines);
    if (!listed.emplace(lower(row.student), lower(row.course), lower(row.title)).second)
      fail("a student listed twice", row.student);
  }
  return 0;
}
