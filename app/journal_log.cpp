#include "app/journal_log.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
// Without it sd_journal_sendv adds CODE_FILE, CODE_LINE and CODE_FUNC of
// the call, which here would name this file for every record.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>

namespace certd::app {
namespace {

constexpr const char* k_identifier = "certd";

std::optional<std::uint64_t> decimal(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// syslog(3) priorities, which journalctl -p filters on.
int priority(log::Level level) {
  switch (level) {
    case log::Level::debug: return 7;
    case log::Level::info: return 6;
    case log::Level::warn: return 4;
    case log::Level::error: return 3;
    case log::Level::off: break;
  }
  return 6;
}

// journald drops a field whose name breaks its rule (and fields starting
// with '_' are its own, trusted ones): such a name is a bug here, and the
// record keeps the rest.
bool valid_field_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '_' ||
      std::isdigit(static_cast<unsigned char>(name.front())))
    return false;
  return std::all_of(name.begin(), name.end(),
                     [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'; });
}

}  // namespace

bool journal_stream_is(std::string_view journal_stream, std::uint64_t device, std::uint64_t inode) {
  const auto colon = journal_stream.find(':');
  if (colon == std::string_view::npos) return false;
  auto stream_device = decimal(journal_stream.substr(0, colon));
  auto stream_inode = decimal(journal_stream.substr(colon + 1));
  return stream_device && stream_inode && *stream_device == device && *stream_inode == inode;
}

bool stderr_is_journal() {
  const char* journal_stream = std::getenv("JOURNAL_STREAM");
  if (!journal_stream) return false;
  struct stat info {};
  if (::fstat(2, &info) != 0) return false;
  return journal_stream_is(journal_stream, static_cast<std::uint64_t>(info.st_dev),
                           static_cast<std::uint64_t>(info.st_ino));
}

std::vector<std::string> journal_record(log::Level level, std::string_view message, const log::Fields& fields) {
  std::vector<std::string> record;
  record.reserve(3 + fields.size());
  record.push_back("PRIORITY=" + std::to_string(priority(level)));
  record.push_back(std::string("SYSLOG_IDENTIFIER=") + k_identifier);
  record.push_back("MESSAGE=" + std::string(message));
  for (const log::Field& field : fields)
    if (valid_field_name(field.name) && !field.value.empty()) record.push_back(field.name + ("=" + field.value));
  return record;
}

// sd_journal_sendv takes each field as one iovec and sends them as one
// datagram (a value with a newline is framed by length, so a message
// cannot forge fields).
bool write_to_journal(log::Level level, std::string_view message, const log::Fields& fields) {
  std::vector<std::string> record = journal_record(level, message, fields);
  std::vector<iovec> parts(record.size());
  for (std::size_t i = 0; i < record.size(); ++i) parts[i] = iovec{record[i].data(), record[i].size()};
  return sd_journal_sendv(parts.data(), static_cast<int>(parts.size())) >= 0;
}

void log_to_journal_when_connected() {
  if (stderr_is_journal()) log::set_writer(&write_to_journal);
}

}  // namespace certd::app
