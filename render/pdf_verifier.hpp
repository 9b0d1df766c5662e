#pragma once
// Offline verification of a certificate PDF (`certd verify FILE.pdf`):
// reads the embedded payload and signature (see payload.hpp) with qpdf,
// which reads any PDF, not only ours, checks them against the issuer's
// public key and, for a version-2 payload, recomputes the digests of the
// pages as drawn (page_digest.hpp) and compares them with those signed.
// Pure: bytes in, verdict out. Thread-safe.
//
// The bytes are untrusted, so reading is bounded (PdfLimits): a file too
// large, too many objects or tokens, a stream that decodes to too much (a
// compression bomb), or what qpdf would read without a limit of ours (a
// compressed cross-reference stream, encryption) is REFUSED before it
// costs seconds of CPU or much memory (docs/libraries.md §8).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "render/payload.hpp"
#include "render/signing.hpp"

namespace certd::render {

enum class PdfVerdict {
  valid,       // signed by the issuer's key, payload intact
  tampered,    // the payload, signature or a page as drawn was changed after signing
  wrong_key,   // intact, but signed by another key than the issuer's
  unsigned_pdf,  // no certd signature: a preview, or not from certd
  unreadable,  // not a PDF, or damaged (truncated, broken objects, a stream that does not decode)
  refused,     // over a PdfLimits bound, or a structure certd does not read: not read to the end
};

const char* to_string(PdfVerdict verdict);  // "VALID", "TAMPERED", ..., "REFUSED"

// What verify_pdf reads at most. A certd certificate is well under 1 MiB
// and decodes to less than 1 MiB; the bounds leave room for a large
// background picture (an A3 page at 300 dpi decodes to about 52 MiB)
// while a flate bomb stops after max_total_decoded bytes, a few tenths of
// a second of inflating (bench/render/pdf_verify_bench.cpp).
struct PdfLimits {
  std::uint64_t max_file_bytes = 32ull << 20;
  std::uint64_t max_stream_decoded = 64ull << 20;  // one stream, decoded
  std::uint64_t max_total_decoded = 128ull << 20;  // every stream together, decoded
  std::uint64_t max_objects = 100000;              // entries of the cross-reference table
  // What qpdf parses into objects (the trailers and every object, stream
  // data left out; render/pdf_parse_budget.hpp): each token costs it about
  // 1 µs and 200 bytes. A demo certificate has 1,000 to 5,000 tokens.
  std::uint64_t max_object_tokens = 250000;
  std::uint64_t max_object_bytes = 16ull << 20;
  // Objects visited while digesting the pages (page_digest.hpp): a shared
  // resource is visited once per page that uses it. A certificate visits
  // about 40.
  std::uint64_t max_digest_visits = 1000000;
};

struct PdfVerification {
  PdfVerdict verdict = PdfVerdict::unreadable;
  std::string message;                // one sentence for a person
  std::optional<PayloadFacts> facts;  // set when the payload parsed (trust it only when valid)
  std::string payload;                // the embedded JSON, if any
  // Stream bytes decoded while reading; decoding stops soon after a limit
  // is passed (within one decoder buffer).
  std::uint64_t decoded_bytes = 0;
};

PdfVerification verify_pdf(std::string_view pdf, const PublicKey& issuer_key, const PdfLimits& limits = {});

}  // namespace certd::render
