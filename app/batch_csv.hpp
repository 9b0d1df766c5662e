#pragma once
// Turing Certs' "Issue via CSV": a recipients file read into typed rows,
// every bad row reported by its line number.
//
// Columns (a header row naming them is required; order is free):
//   student       LMS user id or e-mail address   (required)
//   name          the name printed on the certificate (required, unless
//                 firstname and lastname are given: then it is made from
//                 them in the order of their script, connector/lms.hpp)
//   firstname, lastname   given and family name (optional; see name)
//   course        course shortname or full name, printed as context
//   title         what the award is called in mails, on the portal and
//                 in reports (optional; without it, its course names it)
//   A row needs a course or a title, or both: an award of its own has a
//   title and maybe no course, as with `certd issue --title`
//   (app/teacher_actions.hpp).
//   expires_on    YYYY-MM-DD                        (optional)
//   notes         printed where the template shows notes (optional)

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace certd::app {

struct BatchRow {
  int line = 0;  // 1-based line of the row in the file
  std::string student;
  std::string name;
  std::string course;  // may be empty when the row has a title
  std::optional<TimePoint> expires_on;
  std::string notes;
  std::string title;  // empty: the award is called by its course
};

struct BatchFile {
  std::vector<BatchRow> rows;     // the good rows
  std::vector<Error> errors;      // "file:line: what is wrong", one per bad row
};

// Parses CSV text (RFC 4180 through libcsv; UTF-8, optional BOM). A row
// whose expiry date lies before `today` is an error (it would be born
// expired); so is a row with neither course nor title, a student named
// twice for the same course and title, and a student, name, course,
// title or notes cell that check_display_text refuses
// (not UTF-8, control or bidi characters, too long; app/display_text.hpp):
// "file:line: column 'name' contains ...", the cell shown escaped. A name
// or title that a spreadsheet would run ("=HYPERLINK(...)") is text here:
// every CSV certd writes neutralises it (app/csv_writer.hpp).
BatchFile parse_batch_csv(std::string_view text, const std::string& file_name, TimePoint today);

}  // namespace certd::app
