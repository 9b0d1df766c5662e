// libFuzzer target: any request to the portal (portal::Portal::handle),
// written as HTTP would carry it:
//
//   <METHOD> <path>[?<query>]\n<name>: <value>\n...\n\n<body>
//
// Nothing may crash or leak, whatever the method, path, headers or body.
// Every answer has a status from 200 to 599 and a JSON body when it says
// JSON; a page never shows a piece of the path that holds HTML markup
// unescaped; only well-formed certificate numbers reach the look-up
// record; and only a family's own token opens its page.

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "portal_school.hpp"
#include "render/certificate_number.hpp"

namespace {

using namespace certd;
using namespace certd::portal;

[[noreturn]] void fail(const char* what, const Request& request, const Response& response) {
  std::fprintf(stderr, "fuzz_portal_routing: %s: %s %s -> %d %s\n", what, request.method.c_str(),
               request.path.c_str(), response.status, response.body.substr(0, 300).c_str());
  std::abort();
}

std::string_view next_line(std::string_view& text) {
  std::size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  return line;
}

Request parse_request(std::string_view text) {
  Request request;
  std::string_view first = next_line(text);
  std::size_t space = first.find(' ');
  request.method = std::string(first.substr(0, space));
  std::string_view target = space == std::string_view::npos ? std::string_view() : first.substr(space + 1);
  std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  for (std::string_view line = next_line(text); !line.empty(); line = next_line(text)) {
    std::size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    std::string& joined = request.headers[name];
    joined += (joined.empty() ? "" : ", ") + std::string(value);
  }
  request.body = std::string(text);
  request.client = "203.0.113.7";
  return request;
}

Response handle(const Request& request) {
  FakePortalBackend backend;
  fuzzing::fill(backend);
  FixedClock clock(fuzzing::k_now);
  Portal portal(fuzzing::options(), backend, clock, fuzzing::two_sources());
  return portal.handle(request);
}

// A piece of the path with markup in it, shown as it is, would let a link
// run script in the portal's pages. A piece that the same page shows when
// the piece is replaced by a plain word is the page's own text (its error
// message, say), not an echo of the path.
void check_escaped(const Request& request, const Response& response) {
  if (response.content_type.rfind("text/html", 0) != 0) return;
  std::size_t start = 0;
  while (start <= request.path.size()) {
    std::size_t end = request.path.find('/', start);
    std::string piece = request.path.substr(start, end - start);
    if (piece.find_first_of("<>\"'") != std::string::npos && response.body.find(piece) != std::string::npos) {
      Request neutral = request;
      neutral.path.replace(start, piece.size(), "x");
      if (handle(neutral).body.find(piece) == std::string::npos)
        fail("a page shows markup from the path unescaped", request, response);
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Request request = parse_request(std::string_view(reinterpret_cast<const char*>(data), size));
  FakePortalBackend backend;
  fuzzing::fill(backend);
  FixedClock clock(fuzzing::k_now);
  Portal portal(fuzzing::options(), backend, clock, fuzzing::two_sources());
  Response response = portal.handle(request);

  if (response.status < 200 || response.status > 599) fail("a status out of range", request, response);
  if (response.content_type == "application/json" && !response.body.empty() &&
      nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false).is_discarded())
    fail("an answer that is not JSON", request, response);
  check_escaped(request, response);
  for (const store::NewVerification& lookup : backend.verifications)
    if (!render::valid_number(lookup.number)) fail("a look-up recorded for no certificate number", request, response);
  for (const std::string& claim : backend.claimed)
    if (claim != "family1" && claim != "family2") fail("a family page opened by another token", request, response);
  return 0;
}
