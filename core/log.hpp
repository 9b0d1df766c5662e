#pragma once
// Logging facade (docs/style.md §9). Messages are formatted only when their
// level is enabled; app/ decides where they go (spdlog behind log.cpp).
// Never log secrets, tokens, names or e-mail addresses: ids only.

#include <fmt/format.h>

#include <string_view>

namespace certd::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

bool enabled(Level level);
void write(Level level, std::string_view message);
// Thread-safe; app calls these once at start.
void set_level(Level level);
// Returns false if `name` is not one of debug, info, warn, error, off.
bool parse_level(std::string_view name, Level* level);

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
