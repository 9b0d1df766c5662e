// libFuzzer target: any text as a duration ("2y", "5mo") and as a size
// ("256KiB"), the forms config and rule files use. Parsing must never
// crash or overflow, and whatever parses must format back to text that
// parses to the same value (a duration printed by certd reads back).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/duration.hpp"

namespace {

using namespace certd;

[[noreturn]] void fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "fuzz_duration: %s: '%.*s'\n", what, static_cast<int>(text.size()), text.data());
  std::abort();
}

void check_duration(std::string_view text) {
  std::optional<Duration> parsed = parse_duration(text);
  if (!parsed) return;
  if (parsed->count() < 0) fail("negative duration", text);
  std::string printed = format_duration(*parsed);
  std::optional<Duration> again = parse_duration(printed);
  if (!again || *again != *parsed) fail("does not read back", printed);
}

void check_size(std::string_view text) {
  std::optional<std::uint64_t> parsed = parse_size(text);
  if (!parsed) return;
  std::optional<std::uint64_t> again = parse_size(std::to_string(*parsed));
  if (!again || *again != *parsed) fail("size does not read back", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_duration(text);
  check_size(text);
  // Any count of seconds, negative too, must format without trouble.
  if (size >= sizeof(std::int64_t)) {
    std::int64_t seconds = 0;
    std::memcpy(&seconds, data, sizeof seconds);
    if (format_duration(Duration(seconds)).empty()) fail("empty formatted duration", text);
  }
  return 0;
}
