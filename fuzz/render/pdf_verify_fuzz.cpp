// libFuzzer target: any bytes as a PDF given to `certd verify FILE.pdf`
// (render::verify_pdf, against a fixed issuer key whose signature the
// seeds carry, so mutations reach every verdict). It must never crash,
// hang or leak; every verdict comes with a message; VALID comes with the
// signed facts; and decoding stops at the limits (within one decoder
// buffer), whatever the file says.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "render/pdf_verifier.hpp"
#include "render/signing.hpp"

namespace {

using namespace certd::render;

constexpr std::uint64_t k_kibibyte = 1024;
// One decoder's output buffer, with room to spare: how far decoding may
// run past a limit before it stops.
constexpr std::uint64_t k_slack = 1024 * k_kibibyte;

// Smaller than the defaults so each input is quick, large enough for the
// certificate seed (0.3 MiB decoded, a few thousand tokens).
PdfLimits fuzz_limits() {
  PdfLimits limits;
  limits.max_file_bytes = 1024 * k_kibibyte;
  limits.max_stream_decoded = 512 * k_kibibyte;
  limits.max_total_decoded = 2048 * k_kibibyte;
  limits.max_objects = 10000;
  limits.max_object_tokens = 50000;
  limits.max_object_bytes = 1024 * k_kibibyte;
  return limits;
}

// The key the seed corpus was signed with (docs/fuzzing.md): seed bytes 1..32.
const PublicKey& issuer_key() {
  static const Signer k_signer = [] {
    std::array<std::uint8_t, k_ed25519_seed_bytes> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i + 1);
    return std::move(Signer::from_seed(seed)).value();
  }();
  return k_signer.public_key();
}

[[noreturn]] void fail(const char* what, const PdfVerification& result) {
  std::fprintf(stderr, "fuzz_pdf: %s: %s %s\n", what, to_string(result.verdict), result.message.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const PdfLimits k_limits = fuzz_limits();
  std::string_view pdf(reinterpret_cast<const char*>(data), size);
  PdfVerification result = verify_pdf(pdf, issuer_key(), k_limits);
  if (result.message.empty()) fail("a verdict without a message", result);
  if (result.decoded_bytes > k_limits.max_total_decoded + k_slack) fail("decoding ran past the limit", result);
  if (result.verdict == PdfVerdict::valid && (!result.facts || result.payload.empty()))
    fail("VALID without the signed facts", result);
  return 0;
}
