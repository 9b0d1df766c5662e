#pragma once
// Offline verification of a certificate PDF (`certd verify FILE.pdf`):
// reads the embedded payload and signature (see payload.hpp) with qpdf,
// which reads any PDF, not only ours, and checks them against the
// issuer's public key. Pure: bytes in, verdict out. Thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "render/payload.hpp"
#include "render/signing.hpp"

namespace certd::render {

enum class PdfVerdict {
  valid,       // signed by the issuer's key, payload intact
  tampered,    // the payload or signature was changed after signing
  wrong_key,   // intact, but signed by another key than the issuer's
  unsigned_pdf,  // no certd signature: a preview, or not from certd
  unreadable,  // not a PDF, or damaged (truncated, broken objects)
};

const char* to_string(PdfVerdict verdict);  // "VALID", "TAMPERED", ...

struct PdfVerification {
  PdfVerdict verdict = PdfVerdict::unreadable;
  std::string message;                // one sentence for a person
  std::optional<PayloadFacts> facts;  // set when the payload parsed (trust it only when valid)
  std::string payload;                // the embedded JSON, if any
};

PdfVerification verify_pdf(std::string_view pdf, const PublicKey& issuer_key);

}  // namespace certd::render
