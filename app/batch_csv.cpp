#include "app/batch_csv.hpp"

#include <csv.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "app/display_text.hpp"
#include "app/terminal_text.hpp"
#include "connector/lms.hpp"
#include "core/time_format.hpp"

namespace certd::app {
namespace {

constexpr std::size_t k_max_rows = 100000;
constexpr std::size_t k_max_field = 4096;

// Collects libcsv's callbacks into records that remember their line.
struct Collector {
  std::vector<std::string> fields;
  std::vector<std::pair<int, std::vector<std::string>>> records;
  int line = 1;         // line being fed to the parser
  int record_line = 1;  // line where the current record started
  bool starting = true;
};

void on_field(void* data, std::size_t length, void* user) {
  auto* c = static_cast<Collector*>(user);
  if (c->starting) c->record_line = c->line;
  c->starting = false;
  c->fields.emplace_back(data ? static_cast<const char*>(data) : "", data ? length : 0);
}

void on_record(int, void* user) {
  auto* c = static_cast<Collector*>(user);
  c->records.emplace_back(c->record_line, std::move(c->fields));
  c->fields.clear();
  c->starting = true;
}

std::string trimmed(std::string text) {
  auto not_space = [](unsigned char ch) { return !std::isspace(ch); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return text;
}

// Feeds the parser line by line so each record knows where it started.
Result<Collector> collect(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  csv_parser parser;
  csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
  Collector c;
  std::size_t start = 0;
  while (start < text.size()) {
    // Lines end in LF, CRLF or a lone CR (Excel's "CSV (Macintosh)"), as
    // libcsv's records do; each is one line for the error messages.
    std::size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    else end += text.compare(end, 2, "\r\n") == 0 ? 2 : 1;
    std::string_view piece = text.substr(start, end - start);
    if (csv_parse(&parser, piece.data(), piece.size(), on_field, on_record, &c) != piece.size()) {
      std::string what = csv_strerror(csv_error(&parser));
      csv_free(&parser);
      return Error(ErrorCode::parse_error, what, SourceLocation{"", c.line, 0});
    }
    // A last line without a line break still is that line: libcsv hands
    // over its last field only in csv_fini below.
    if (piece.back() == '\n' || piece.back() == '\r') ++c.line;
    start = end;
  }
  int status = csv_fini(&parser, on_field, on_record, &c);
  csv_free(&parser);
  if (status != 0) return Error(ErrorCode::parse_error, "unterminated quoted field", SourceLocation{"", c.record_line, 0});
  return c;
}

// Everything a row prints or a report shows is checked here, at import,
// so a bad name is reported with its line instead of failing at render
// time or reaching a report raw (app/display_text.hpp).
std::string text_problem(const BatchRow& row) {
  struct Column {
    const char* name;
    const std::string& value;
    TextKind kind;
  };
  const Column columns[] = {{"student", row.student, TextKind::name},
                            {"name", row.name, TextKind::name},
                            {"course", row.course, TextKind::name},
                            {"title", row.title, TextKind::name},
                            {"notes", row.notes, TextKind::notes}};
  for (const Column& column : columns) {
    if (column.value.empty()) continue;  // optional, or checked as missing before
    if (Status checked = check_display_text(column.value, column.kind, std::string("column '") + column.name + "'");
        !checked)
      return checked.error().message();
  }
  return "";
}

// The printed name: the `name` cell, else the given and family names in
// the order of their script, as the LMS connector makes them
// (connector/lms.hpp: 王 + 小明 -> 王小明).
std::string full_name(const std::string& name, const std::string& given, const std::string& family) {
  if (!name.empty()) return name;
  return connector::compose_full_name(given, family);
}

// The parts are checked as the columns they came from, so an error names
// the cell to fix.
std::string name_parts_problem(const std::string& given, const std::string& family) {
  for (const auto& [column, value] : {std::pair<const char*, const std::string*>{"firstname", &given},
                                      std::pair<const char*, const std::string*>{"lastname", &family}}) {
    if (value->empty()) continue;
    if (value->size() > k_max_field) return "a field is longer than 4096 bytes";
    if (Status checked = check_display_text(*value, TextKind::name, std::string("column '") + column + "'"); !checked)
      return checked.error().message();
  }
  return "";
}

// How an error names a row's award: by its title, with its course as
// context, as mails do.
std::string award_of(const BatchRow& row) {
  if (row.title.empty()) return row.course;
  return row.course.empty() ? "'" + row.title + "'" : "'" + row.title + "' in " + row.course;
}

}  // namespace

BatchFile parse_batch_csv(std::string_view text, const std::string& file_name, TimePoint today) {
  BatchFile out;
  auto fail = [&](int line, std::string message) {
    out.errors.emplace_back(ErrorCode::invalid_argument, std::move(message), SourceLocation{file_name, line, 0});
  };
  auto collected = collect(text);
  if (!collected) {
    fail(collected.error().where().line, "not valid CSV: " + collected.error().message());
    return out;
  }
  auto& records = collected->records;
  if (records.empty()) {
    fail(1, "the file is empty; expected a header row: student,name,course and/or title[,expires_on][,notes]");
    return out;
  }
  if (records.size() - 1 > k_max_rows) {
    fail(1, "more than " + std::to_string(k_max_rows) + " rows; split the file");
    return out;
  }

  std::map<std::string, std::size_t> column;
  const auto& header = records.front().second;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string name = lower(trimmed(header[i]));
    static const std::set<std::string> k_known = {"student", "name",  "firstname",  "lastname",
                                                  "course",  "title", "expires_on", "notes"};
    if (!k_known.count(name))
      fail(records.front().first,
           "unknown column '" + terminal_safe(header[i]) +
               "' (known: student, name, firstname, lastname, course, title, expires_on, notes)");
    else if (!column.emplace(name, i).second) fail(records.front().first, "column '" + name + "' appears twice");
  }
  if (!column.count("student")) fail(records.front().first, "missing column 'student'");
  // An award of its own may have no course: its title names it.
  bool has_title = column.count("title") > 0;
  if (!column.count("course") && !has_title) fail(records.front().first, "missing column 'course' (or 'title')");
  bool name_parts = column.count("firstname") && column.count("lastname");
  if (!column.count("name") && !name_parts)
    fail(records.front().first, "missing column 'name' (or 'firstname' and 'lastname')");
  if (!out.errors.empty()) return out;

  // Student, course and title: two awards with titles of their own are
  // two certificates, even in one course or with none.
  std::map<std::tuple<std::string, std::string, std::string>, int> seen;
  for (std::size_t r = 1; r < records.size(); ++r) {
    // Named, not a structured binding: the lambda below captures `fields`,
    // which clang refuses before C++20 (the fuzz build uses clang).
    const auto& line = records[r].first;
    const auto& fields = records[r].second;
    if (fields.size() == 1 && trimmed(fields[0]).empty()) continue;  // blank line
    auto field = [&](const char* name) -> std::string {
      auto it = column.find(name);
      return it == column.end() || it->second >= fields.size() ? std::string() : trimmed(fields[it->second]);
    };
    if (fields.size() > header.size()) {
      fail(line, "row has " + std::to_string(fields.size()) + " fields; the header has " + std::to_string(header.size()));
      continue;
    }
    BatchRow row{line, field("student"), full_name(field("name"), field("firstname"), field("lastname")),
                 field("course"), std::nullopt, field("notes"), field("title")};
    std::string problem;
    if (row.student.empty()) problem = "student is empty";
    else if (row.name.empty()) problem = "name is empty";
    else if (row.course.empty() && row.title.empty())
      problem = has_title ? "course and title are both empty; a row needs one of them" : "course is empty";
    else if (row.name.size() > k_max_field || row.notes.size() > k_max_field || row.title.size() > k_max_field)
      problem = "a field is longer than 4096 bytes";
    if (problem.empty()) problem = name_parts_problem(field("firstname"), field("lastname"));
    if (problem.empty()) problem = text_problem(row);
    if (problem.empty() && !field("expires_on").empty()) {
      row.expires_on = parse_iso8601(field("expires_on"));
      if (!row.expires_on || field("expires_on").size() != 10)
        problem = "expires_on '" + terminal_safe(field("expires_on")) + "' is not a date (YYYY-MM-DD)";
      else if (*row.expires_on < today) problem = "expires_on " + field("expires_on") + " is in the past";
    }
    if (problem.empty()) {
      auto [it, fresh] = seen.emplace(std::make_tuple(lower(row.student), lower(row.course), lower(row.title)), line);
      if (!fresh) problem = "student " + row.student + " is already listed for " + award_of(row) + " on line " + std::to_string(it->second);
    }
    if (!problem.empty()) fail(line, problem);
    else out.rows.push_back(std::move(row));
  }
  if (out.rows.empty() && out.errors.empty()) fail(1, "the file has a header but no rows");
  return out;
}

}  // namespace certd::app
