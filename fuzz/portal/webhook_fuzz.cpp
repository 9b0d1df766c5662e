// libFuzzer target: webhook requests (POST /hooks/{source}) through
// portal::Portal, so the signature check (WebhookVerifier) and the body's
// JSON both see what an outsider sends. An input is
//
//   <source>\n<webhook-id>\n<webhook-timestamp>\n<webhook-signature>\n<body>
//
// where a signature line "SIGN" has the fuzzer sign the request with that
// source's secret, and "SIGN <other>" with another source's, so inputs
// reach past the signature check. Nothing may crash or leak; every answer
// is JSON; and a request is accepted only when the fuzzer signed it with
// the secret of the source it was sent to (a forged or cross-source
// signature never is), and then its event is recorded for that source.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "portal_school.hpp"

namespace {

using namespace certd;
using namespace certd::portal;

[[noreturn]] void fail(const char* what, const Response& response) {
  std::fprintf(stderr, "fuzz_webhook: %s: %d %s\n", what, response.status, response.body.c_str());
  std::abort();
}

std::string_view next_line(std::string_view& text) {
  std::size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<WebhookVerifier> k_signer = fuzzing::two_sources();  // signs, as a sender would
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string source(next_line(text));
  const std::string id(next_line(text));
  const std::string timestamp(next_line(text));
  std::string signature(next_line(text));
  const std::string body(text);

  std::string signed_for;  // the source whose secret signed it, if the fuzzer signed it
  if (signature == "SIGN" || signature.rfind("SIGN ", 0) == 0) {
    signed_for = signature == "SIGN" ? source : signature.substr(5);
    signature = k_signer->sign(signed_for, id, std::strtoll(timestamp.c_str(), nullptr, 10), body);
  }
  FakePortalBackend backend;
  fuzzing::fill(backend);
  FixedClock clock(fuzzing::k_now);
  Portal portal(fuzzing::options(), backend, clock, fuzzing::two_sources());
  Request request{"POST", "/hooks/" + source,
                  {{"webhook-id", id}, {"webhook-timestamp", timestamp}, {"webhook-signature", signature}},
                  body, "203.0.113.7", ""};
  Response response = portal.handle(request);

  if (response.content_type == "application/json" && !response.body.empty() &&
      nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false).is_discarded())
    fail("an answer that is not JSON", response);
  const bool accepted = response.status >= 200 && response.status < 300;
  if (accepted && (signed_for.empty() || signed_for != source)) fail("accepted without its source's signature", response);
  if (accepted && (backend.events.size() != 1 || backend.events.begin()->second.source != "webhook:" + source))
    fail("accepted without recording its event", response);
  if (!accepted && !backend.events.empty()) fail("an event recorded for a refused request", response);
  return 0;
}
