#include "render/pdf_verifier.hpp"

#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <exception>
#include <map>
#include <stdexcept>

#include "core/base64.hpp"
#include "render/page_digest.hpp"
#include "render/pdf_parse_budget.hpp"

namespace certd::render {
namespace {

struct Embedded {
  std::string payload_base64;
  std::string signature_base64;
  std::string public_key_base64;
};

// What reading the file gave: the embedded strings, or the verdict that
// ends verification early (unreadable or refused).
struct Reading {
  std::optional<PdfVerdict> stop;
  std::string message;
  Embedded embedded;
  DrawnDigests drawn;  // the pages as they are now
  std::uint64_t decoded_bytes = 0;
};

std::string mebibytes(std::uint64_t bytes) {
  return bytes % (1u << 20) == 0 ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
}

std::string info_string(QPDFObjectHandle info, const char* key) {
  QPDFObjectHandle value = info.getKey(std::string("/") + key);
  return value.isString() ? value.getStringValue() : std::string();
}

void stop(Reading& reading, PdfVerdict kind, std::string message) {
  reading.stop = kind;
  reading.message = std::move(message);
}

// A PDF 1.5 cross-reference stream (and the object streams it points
// into) is decoded by qpdf itself, whole and in memory, where no limit of
// ours applies; certd's certificates (libharu) never use one. qpdf is told
// to ignore them, so such a file fails to open: say why.
bool uses_xref_stream(std::string_view pdf) { return pdf.find("/XRef") != std::string_view::npos; }

void refuse_over_budget(const ParseBudget& budget, Reading& reading) {
  stop(reading, PdfVerdict::refused,
       "the PDF's objects hold more than " + std::to_string(budget.max_tokens) + " tokens or " +
           mebibytes(budget.max_bytes) + " outside its streams: refused before parsing them");
}

// What can be refused before qpdf opens the file: its size, its start,
// and what qpdf parses while opening it (the trailers, and the encryption
// dictionary they name). Returns false when reading must stop.
bool precheck(std::string_view pdf, const PdfLimits& limits, ParseBudget& budget, Reading& reading) {
  if (pdf.size() > limits.max_file_bytes) {
    stop(reading, PdfVerdict::refused,
         "the file is " + std::to_string(pdf.size()) + " bytes, more than the " + mebibytes(limits.max_file_bytes) +
             " certd reads");
    return false;
  }
  // qpdf also finds a header after leading junk, and then every offset in
  // the file counts from there; certd's certificates start with it.
  if (pdf.substr(0, 5) != "%PDF-") {
    stop(reading, PdfVerdict::unreadable, "not a PDF: it does not start with %PDF-");
    return false;
  }
  bool encrypted = false;
  if (!charge_trailers(pdf, budget, encrypted)) {
    refuse_over_budget(budget, reading);
    return false;
  }
  // qpdf reads the encryption dictionary while opening the file, before
  // its object could be charged; certd's certificates are never encrypted.
  if (encrypted) {
    stop(reading, PdfVerdict::refused, "the PDF is encrypted, which certd's certificates never are");
    return false;
  }
  return true;
}

// What can be refused once qpdf has read the cross-reference table and
// before it parses any object: their number and their tokens.
bool check_objects(std::string_view pdf, QPDF& reader, const PdfLimits& limits, ParseBudget& budget,
                   Reading& reading) {
  const std::map<QPDFObjGen, QPDFXRefEntry> table = reader.getXRefTable();
  if (table.size() > limits.max_objects) {
    stop(reading, PdfVerdict::refused,
         "the PDF has " + std::to_string(table.size()) + " objects, more than the " +
             std::to_string(limits.max_objects) + " certd reads");
    return false;
  }
  for (const auto& [id, entry] : table) {
    if (entry.getType() == 1 && !charge_object(pdf, entry.getOffset(), budget)) {
      refuse_over_budget(budget, reading);
      return false;
    }
  }
  return true;
}

// Reads the PDF strictly: no recovery of a damaged cross-reference table,
// every stream decoded (within the limits), any warning fails. A truncated
// or patched-up file is unreadable, never "probably fine".
Reading read_embedded(std::string_view pdf, const PdfLimits& limits) {
  Reading reading;
  ParseBudget budget{limits.max_object_tokens, limits.max_object_bytes};
  if (!precheck(pdf, limits, budget, reading)) return reading;
  try {
    QPDF reader;
    reader.setSuppressWarnings(true);
    reader.setAttemptRecovery(false);
    reader.setIgnoreXRefStreams(true);
    reader.processMemoryFile("certificate.pdf", pdf.data(), pdf.size());
    if (!check_objects(pdf, reader, limits, budget, reading)) return reading;
    DigestReading digests = digest_pages(reader, limits);
    reading.decoded_bytes = digests.decoded_bytes;
    if (digests.stop) {
      stop(reading, *digests.stop, std::move(digests.message));
      return reading;
    }
    reading.drawn = std::move(digests.drawn);
    if (reader.anyWarnings()) {
      stop(reading, PdfVerdict::unreadable, "the PDF is damaged");
      return reading;
    }
    QPDFObjectHandle info = reader.getTrailer().getKey("/Info");
    if (info.isDictionary())
      reading.embedded = Embedded{info_string(info, k_info_payload), info_string(info, k_info_signature),
                                  info_string(info, k_info_public_key)};
  } catch (const std::exception& e) {
    if (uses_xref_stream(pdf))
      stop(reading, PdfVerdict::refused,
           "the PDF uses a compressed cross-reference stream (PDF 1.5), which certd does not read: qpdf would "
           "decode it without a limit (certd's certificates never use one)");
    else
      stop(reading, PdfVerdict::unreadable, std::string("not a readable PDF: ") + e.what());
  }
  return reading;
}

// What differs between the pages that were signed and the pages as they
// are now; empty when they match (or a version-1 payload signed none).
std::string drawn_changes(const PayloadFacts& facts, const DrawnDigests& now) {
  if (!facts.drawn) return "";
  const DrawnDigests& signed_drawn = *facts.drawn;
  if (signed_drawn.pages.size() != now.pages.size())
    return "the signed certificate has " + std::to_string(signed_drawn.pages.size()) + " page(s), this PDF has " +
           std::to_string(now.pages.size()) + ": pages were added, removed or swapped after signing";
  for (std::size_t i = 0; i < now.pages.size(); ++i)
    if (signed_drawn.pages[i] != now.pages[i])
      return "page " + std::to_string(i + 1) +
             " is not the page that was signed (its text, pictures, fonts or annotations were changed, or it "
             "comes from another certificate)";
  if (signed_drawn.document != now.document)
    return "the document's display settings (layers, forms, actions) were changed after signing";
  return "";
}

std::string covered(const PayloadFacts& facts) {
  return facts.drawn ? ", pages as drawn included"
                     : "; a version-1 certificate: the signature covers its data, not the page itself";
}

}  // namespace

const char* to_string(PdfVerdict verdict) {
  switch (verdict) {
    case PdfVerdict::valid: return "VALID";
    case PdfVerdict::tampered: return "TAMPERED";
    case PdfVerdict::wrong_key: return "WRONG KEY";
    case PdfVerdict::unsigned_pdf: return "UNSIGNED";
    case PdfVerdict::unreadable: return "UNREADABLE";
    case PdfVerdict::refused: return "REFUSED";
  }
  return "UNREADABLE";
}

PdfVerification verify_pdf(std::string_view pdf, const PublicKey& issuer_key, const PdfLimits& limits) {
  Reading reading = read_embedded(pdf, limits);
  PdfVerification result;
  result.decoded_bytes = reading.decoded_bytes;
  if (reading.stop) {
    result.verdict = *reading.stop;
    result.message = std::move(reading.message);
    return result;
  }
  const Embedded& embedded = reading.embedded;
  if (embedded.payload_base64.empty() && embedded.signature_base64.empty()) {
    result.verdict = PdfVerdict::unsigned_pdf;
    result.message = "the PDF carries no certd signature (a preview, or not issued by certd)";
    return result;
  }
  auto payload = base64_decode(embedded.payload_base64);
  auto signature = base64_decode(embedded.signature_base64);
  if (!payload || !signature) {
    result.verdict = PdfVerdict::tampered;
    result.message = "the embedded payload or signature is not valid base64: it was altered";
    return result;
  }
  result.payload = *payload;
  if (auto facts = parse_payload(*payload)) result.facts = std::move(facts).value();
  if (issuer_key.verify(*payload, *signature)) {
    if (!result.facts) {
      result.verdict = PdfVerdict::tampered;
      result.message = "signed, but the payload is not a certd payload";
      return result;
    }
    std::string changed = drawn_changes(*result.facts, reading.drawn);
    result.verdict = changed.empty() ? PdfVerdict::valid : PdfVerdict::tampered;
    result.message = changed.empty() ? "signed by the issuer's key " + issuer_key.key_id() + covered(*result.facts)
                                     : changed;
    return result;
  }
  auto signer_key = PublicKey::from_base64(embedded.public_key_base64);
  if (signer_key && signer_key->key_id() != issuer_key.key_id() && signer_key->verify(*payload, *signature)) {
    result.verdict = PdfVerdict::wrong_key;
    result.message = "intact, but signed by key " + signer_key->key_id() + ", not by the issuer's key " +
                     issuer_key.key_id();
    return result;
  }
  result.verdict = PdfVerdict::tampered;
  result.message = "the signature does not match the payload: the certificate was altered after signing";
  return result;
}

}  // namespace certd::render
