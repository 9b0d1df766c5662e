#include "core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

namespace certd::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::info)};
std::atomic<Writer> g_writer{nullptr};

spdlog::logger& logger() {
  // Logs go to stderr so command output on stdout stays clean for scripts.
  static auto instance = [] {
    auto l = spdlog::stderr_color_mt("certd");
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    l->set_level(spdlog::level::trace);
    return l;
  }();
  return *instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
    case Level::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

bool enabled(Level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view message) { write(level, message, Fields()); }

void write(Level level, std::string_view message, const Fields& fields) {
  Writer writer = g_writer.load();
  if (writer && writer(level, message, fields)) return;
  logger().log(to_spdlog(level), "{}", message);
}

void set_level(Level level) { g_level.store(static_cast<int>(level)); }

void set_writer(Writer writer) { g_writer.store(writer); }

bool parse_level(std::string_view name, Level* level) {
  static constexpr std::pair<std::string_view, Level> k_levels[] = {
      {"debug", Level::debug}, {"info", Level::info}, {"warn", Level::warn},
      {"error", Level::error}, {"off", Level::off}};
  for (const auto& [text, value] : k_levels) {
    if (text == name) {
      *level = value;
      return true;
    }
  }
  return false;
}

}  // namespace certd::log
