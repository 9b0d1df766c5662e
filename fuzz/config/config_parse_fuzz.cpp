// libFuzzer target: any bytes as certd.yaml. config::parse must return a
// config or located errors, never throw, crash or hang; every error of a
// non-empty file names a line and column in it; and a config it accepts
// has what the daemon needs (the required keys and the derived defaults).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "yaml/yaml_reader.hpp"

namespace {

using namespace certd;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_config: %s: %s\n", what, detail.c_str());
  std::abort();
}

int line_count(std::string_view text) {
  int lines = 1;
  for (char ch : text) lines += ch == '\n';
  return lines;
}

void check_errors(const config::LoadResult& result, std::string_view text) {
  for (const Error& error : result.errors) {
    const SourceLocation& where = error.where();
    if (error.message().empty()) fail("empty message", error.to_string());
    if (where.file != "fuzz.yaml") fail("error names another file", error.to_string());
    if (text.empty() || text.size() > yaml::Limits().max_bytes) continue;
    if (where.line <= 0 || where.column <= 0) fail("error without line:column", error.to_string());
    if (where.line > line_count(text)) fail("error past the last line", error.to_string());
  }
}

void check_accepted(const config::Config& config) {
  if (config.lms.url.empty()) fail("accepted without lms.url", "");
  if (!config.lms.token.configured()) fail("accepted without an LMS token", "");
  if (config.issuer.name.empty()) fail("no issuer.name default", config.lms.url);
  if (config.portal.public_url.empty()) fail("no portal.public_url default", "");
  for (const std::string* path : {&config.data_dir, &config.rules_dir, &config.templates_dir, &config.issuer.key_file,
                                  &config.notify.outbox_dir})
    if (path->empty() || path->front() != '/') fail("path not absolute", *path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  config::LoadResult result;
  try {
    result = config::parse(text, "fuzz.yaml", "/etc/certd");
  } catch (const std::exception& e) {
    fail("exception escaped config::parse", e.what());
  } catch (...) {
    fail("exception escaped config::parse", "not a std::exception");
  }
  check_errors(result, text);
  if (result.ok()) check_accepted(result.config);
  return 0;
}
