#include "app/batch_course.hpp"

#include <algorithm>

namespace certd::app {

void refuse_other_courses(BatchFile& file, const std::string& course) {
  std::vector<BatchRow> kept;
  for (BatchRow& row : file.rows) {
    if (row.course == course) {
      kept.push_back(std::move(row));
      continue;
    }
    std::string what = row.course.empty() ? "the course column is empty; this page imports rows of " + course + " only"
                                          : "the row is for course '" + row.course + "'; this page imports rows of " +
                                                course + " only";
    file.errors.push_back(Error(ErrorCode::invalid_argument, what, SourceLocation{"", row.line, 0}));
  }
  file.rows = std::move(kept);
  std::stable_sort(file.errors.begin(), file.errors.end(),
                   [](const Error& a, const Error& b) { return a.where().line < b.where().line; });
}

std::vector<std::string> errors_by_line(const BatchFile& file) {
  std::vector<std::string> lines;
  for (const Error& e : file.errors)
    lines.push_back(e.where().line > 0 ? "line " + std::to_string(e.where().line) + ": " + e.message() : e.message());
  return lines;
}

}  // namespace certd::app
