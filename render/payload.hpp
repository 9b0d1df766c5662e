#pragma once
// The signed statement a certificate carries: canonical JSON (sorted keys,
// no spaces, UTF-8; nlohmann::json's dump), so the exact signed bytes can
// be stored, embedded in the PDF and verified anywhere.
//
// {"course":..,"expires_at":"2028-11-23T12:00:00Z"|null,"issued_at":..,
//  "issuer":..,"key":"<key id>","level":..,"number":..,"rule":..,
//  "student":..,"template":..,"title":..,"v":2,
//  "document_digest":"<hex>","page_digests":["<hex>",...]}
//
// "title" (what the award is called, {{title}}) came later within version
// 2: payloads signed before it lack the key and still parse, and an older
// certd ignores it, as it ignores any key it does not know. Being signed
// bytes, it cannot be taken out of a newer payload without breaking the
// signature.
//
// Version 2 also covers the page as a viewer draws it: one SHA-256 per
// page over its content and everything that content uses, and one over
// the document's display settings (page_digest.hpp, docs/signing.md).
// Version 1 (before those digests) still parses; its signature covers the
// data only, not what the page shows.
//
// In the PDF the payload sits in the document information dictionary as
// /CertdPayload (base64 of the JSON bytes), beside /CertdSignature (base64
// of the 64-byte Ed25519 signature) and /CertdPublicKey (base64 of the
// signer's raw 32-byte key, which tells "signed by another key" apart from
// "tampered"). Base64 keeps the bytes exact through PDF string escaping.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "render/certificate_data.hpp"

namespace certd::render {

inline constexpr const char* k_info_payload = "CertdPayload";
inline constexpr const char* k_info_signature = "CertdSignature";
inline constexpr const char* k_info_public_key = "CertdPublicKey";
inline constexpr int k_payload_version = 2;

// What a viewer draws, digested (page_digest.hpp): lower-case hex SHA-256.
struct DrawnDigests {
  std::vector<std::string> pages;  // one per page, in page order
  std::string document;            // the catalog's display settings
  bool operator==(const DrawnDigests& other) const { return pages == other.pages && document == other.document; }
};

// The facts of a payload, as read back by a verifier.
struct PayloadFacts {
  std::string number;
  std::string student;
  std::string course;
  std::optional<std::string> title;  // nullopt: signed before payloads named it
  std::string template_id;
  std::string issuer;
  std::string issued_at;
  std::optional<std::string> expires_at;
  std::string key_id;
  int version = k_payload_version;
  std::optional<DrawnDigests> drawn;  // version 2 only
};

// A version-2 payload.
std::string canonical_payload(const CertificateData& data, std::string_view template_id, std::string_view key_id,
                              const DrawnDigests& drawn);

// Fails with parse_error for anything that is not a version-1 or
// version-2 payload (a version 2 needs its digests).
Result<PayloadFacts> parse_payload(std::string_view json);

}  // namespace certd::render
