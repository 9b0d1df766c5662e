// libFuzzer target: console::parse_multipart (console/multipart.hpp). The
// input is "<content-type>\n<body>". Nothing may crash; a success keeps
// every limit and names every part; a failure is invalid_argument.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "console/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t newline = input.find('\n');
  std::string_view type = input.substr(0, newline);
  std::string_view body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  certd::console::MultipartLimits limits;
  limits.max_parts = 8;
  limits.max_part_bytes = 4096;
  limits.max_header_bytes = 256;
  auto parts = certd::console::parse_multipart(body, type, limits);
  if (!parts) {
    if (parts.error().code() != certd::ErrorCode::invalid_argument) std::abort();
    return 0;
  }
  if (parts->size() > limits.max_parts) std::abort();
  for (const auto& p : *parts)
    if (p.name.empty() || p.body.size() > limits.max_part_bytes || p.body.size() > body.size()) std::abort();
  return 0;
}
