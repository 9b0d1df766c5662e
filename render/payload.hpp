#pragma once
// The signed statement a certificate carries: canonical JSON (sorted keys,
// no spaces, UTF-8; nlohmann::json's dump), so the exact signed bytes can
// be stored, embedded in the PDF and verified anywhere.
//
// {"course":..,"expires_at":"2028-11-23T12:00:00Z"|null,"issued_at":..,
//  "issuer":..,"key":"<key id>","level":..,"number":..,"rule":..,
//  "student":..,"template":..,"v":1}
//
// In the PDF the payload sits in the document information dictionary as
// /CertdPayload (base64 of the JSON bytes), beside /CertdSignature (base64
// of the 64-byte Ed25519 signature) and /CertdPublicKey (base64 of the
// signer's raw 32-byte key, which tells "signed by another key" apart from
// "tampered"). Base64 keeps the bytes exact through PDF string escaping.

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "render/certificate_data.hpp"

namespace certd::render {

inline constexpr const char* k_info_payload = "CertdPayload";
inline constexpr const char* k_info_signature = "CertdSignature";
inline constexpr const char* k_info_public_key = "CertdPublicKey";
inline constexpr int k_payload_version = 1;

// The facts of a payload, as read back by a verifier.
struct PayloadFacts {
  std::string number;
  std::string student;
  std::string course;
  std::string template_id;
  std::string issuer;
  std::string issued_at;
  std::optional<std::string> expires_at;
  std::string key_id;
};

std::string canonical_payload(const CertificateData& data, std::string_view template_id, std::string_view key_id);

// Fails with parse_error for anything that is not a version-1 payload.
Result<PayloadFacts> parse_payload(std::string_view json);

}  // namespace certd::render
