// libFuzzer entry: template text must never crash, hang or leak the
// parser; every refusal is a located error.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "render/template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  certd::render::SpecLoad load = certd::render::parse_template(text, "/templates/fuzz.yaml");
  for (const certd::Error& error : load.errors)
    if (error.message().empty()) __builtin_trap();  // every error says something
  return 0;
}
