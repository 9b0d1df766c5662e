#pragma once
// Logging facade (docs/style.md §9). Messages are formatted only when their
// level is enabled; app/ decides where they go: stderr (spdlog behind
// log.cpp), or a writer it installs (the journal's, app/journal_log.hpp).
// Never log secrets, tokens, names or e-mail addresses: ids only.

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certd::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

// One structured field of a record, kept apart from the text for a writer
// that stores fields (the journal: `journalctl CERTIFICATE=...`); stderr
// shows only the message. The name is a literal in the journal's form
// (CERTIFICATE, STUDENT, EVENT, RULE, BATCH); a field with an empty value
// is left out.
struct Field {
  Field(const char* field_name, std::string_view field_value) : name(field_name), value(field_value) {}
  Field(const char* field_name, long long field_value) : name(field_name), value(std::to_string(field_value)) {}
  const char* name;
  std::string value;
};
using Fields = std::vector<Field>;

// Takes a record instead of stderr; returns false when it could not, and
// the record then goes to stderr. A plain function, so installing one needs
// no ownership.
using Writer = bool (*)(Level level, std::string_view message, const Fields& fields);

bool enabled(Level level);
void write(Level level, std::string_view message);
void write(Level level, std::string_view message, const Fields& fields);
// Thread-safe; app calls these once at start.
void set_level(Level level);
// nullptr: back to stderr.
void set_writer(Writer writer);
// Returns false if `name` is not one of debug, info, warn, error, off.
bool parse_level(std::string_view name, Level* level);

namespace detail {
// The fields come first, so that a braced list of them in a macro call
// (whose commas split macro arguments) arrives here whole.
template <typename... Args>
void write_with_fields(Level level, const Fields& fields, fmt::format_string<Args...> format, Args&&... args) {
  write(level, fmt::format(format, std::forward<Args>(args)...), fields);
}
}  // namespace detail

}  // namespace certd::log

#define CERTD_LOG_AT_(level, ...)                                              \
  do {                                                                         \
    if (::certd::log::enabled(level))                                          \
      ::certd::log::write(level, ::fmt::format(__VA_ARGS__));                  \
  } while (false)
#define CERTD_LOG_DEBUG(...) CERTD_LOG_AT_(::certd::log::Level::debug, __VA_ARGS__)
#define CERTD_LOG_INFO(...) CERTD_LOG_AT_(::certd::log::Level::info, __VA_ARGS__)
#define CERTD_LOG_WARN(...) CERTD_LOG_AT_(::certd::log::Level::warn, __VA_ARGS__)
#define CERTD_LOG_ERROR(...) CERTD_LOG_AT_(::certd::log::Level::error, __VA_ARGS__)

// With fields first, built only when the level is on:
//   CERTD_LOG_INFO_F(log::Fields{{"CERTIFICATE", number}, {"STUDENT", id}}, "issued {}", number);
#define CERTD_LOG_AT_F_(level, ...)                                            \
  do {                                                                         \
    if (::certd::log::enabled(level))                                          \
      ::certd::log::detail::write_with_fields(level, __VA_ARGS__);             \
  } while (false)
#define CERTD_LOG_DEBUG_F(...) CERTD_LOG_AT_F_(::certd::log::Level::debug, __VA_ARGS__)
#define CERTD_LOG_INFO_F(...) CERTD_LOG_AT_F_(::certd::log::Level::info, __VA_ARGS__)
#define CERTD_LOG_WARN_F(...) CERTD_LOG_AT_F_(::certd::log::Level::warn, __VA_ARGS__)
#define CERTD_LOG_ERROR_F(...) CERTD_LOG_AT_F_(::certd::log::Level::error, __VA_ARGS__)
