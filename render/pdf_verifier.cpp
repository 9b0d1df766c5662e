#include "render/pdf_verifier.hpp"

#include <qpdf/Pl_Discard.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <exception>

#include "core/base64.hpp"

namespace certd::render {
namespace {

struct Embedded {
  std::string payload_base64;
  std::string signature_base64;
  std::string public_key_base64;
};

PdfVerification verdict(PdfVerdict kind, std::string message) {
  PdfVerification result;
  result.verdict = kind;
  result.message = std::move(message);
  return result;
}

std::string info_string(QPDFObjectHandle info, const char* key) {
  QPDFObjectHandle value = info.getKey(std::string("/") + key);
  return value.isString() ? value.getStringValue() : std::string();
}

// Reads the PDF strictly: no recovery of a damaged cross-reference table,
// every stream decoded, any warning fails. A truncated or patched-up file
// is unreadable, never "probably fine".
Result<Embedded> read_embedded(std::string_view pdf) {
  try {
    QPDF reader;
    reader.setSuppressWarnings(true);
    reader.setAttemptRecovery(false);
    std::string bytes(pdf);
    reader.processMemoryFile("certificate.pdf", bytes.data(), bytes.size());
    Pl_Discard discard;
    for (QPDFObjectHandle& object : reader.getAllObjects())
      if (object.isStream()) object.pipeStreamData(&discard, 0, qpdf_dl_generalized, true);
    if (reader.anyWarnings()) return Error(ErrorCode::parse_error, "the PDF is damaged");
    QPDFObjectHandle info = reader.getTrailer().getKey("/Info");
    if (!info.isDictionary()) return Embedded{};
    return Embedded{info_string(info, k_info_payload), info_string(info, k_info_signature),
                    info_string(info, k_info_public_key)};
  } catch (const std::exception& e) {
    return Error(ErrorCode::parse_error, std::string("not a readable PDF: ") + e.what());
  }
}

}  // namespace

const char* to_string(PdfVerdict verdict) {
  switch (verdict) {
    case PdfVerdict::valid: return "VALID";
    case PdfVerdict::tampered: return "TAMPERED";
    case PdfVerdict::wrong_key: return "WRONG KEY";
    case PdfVerdict::unsigned_pdf: return "UNSIGNED";
    case PdfVerdict::unreadable: return "UNREADABLE";
  }
  return "UNREADABLE";
}

PdfVerification verify_pdf(std::string_view pdf, const PublicKey& issuer_key) {
  auto embedded = read_embedded(pdf);
  if (!embedded) return verdict(PdfVerdict::unreadable, embedded.error().message());
  if (embedded->payload_base64.empty() && embedded->signature_base64.empty())
    return verdict(PdfVerdict::unsigned_pdf, "the PDF carries no certd signature (a preview, or not issued by certd)");
  auto payload = base64_decode(embedded->payload_base64);
  auto signature = base64_decode(embedded->signature_base64);
  if (!payload || !signature)
    return verdict(PdfVerdict::tampered, "the embedded payload or signature is not valid base64: it was altered");
  PdfVerification result;
  result.payload = *payload;
  if (auto facts = parse_payload(*payload)) result.facts = std::move(facts).value();
  if (issuer_key.verify(*payload, *signature)) {
    result.verdict = result.facts ? PdfVerdict::valid : PdfVerdict::tampered;
    result.message = result.facts ? "signed by the issuer's key " + issuer_key.key_id()
                                  : "signed, but the payload is not a certd payload";
    return result;
  }
  auto signer_key = PublicKey::from_base64(embedded->public_key_base64);
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
