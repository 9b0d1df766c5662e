#include "render/payload.hpp"

#include <nlohmann/json.hpp>

#include "core/time_format.hpp"

namespace certd::render {

std::string canonical_payload(const CertificateData& data, std::string_view template_id, std::string_view key_id) {
  nlohmann::json payload = {
      {"v", k_payload_version},
      {"number", data.number},
      {"student", data.student_name},
      {"course", data.course_name},
      {"level", data.level},
      {"rule", data.rule_id},
      {"template", std::string(template_id)},
      {"issued_at", format_iso8601(data.issued_at)},
      {"expires_at", data.expires_at ? nlohmann::json(format_iso8601(*data.expires_at)) : nlohmann::json()},
      {"issuer", data.issuer_name},
      {"key", std::string(key_id)},
  };
  // dump() sorts keys (std::map) and writes UTF-8 as is: one byte string
  // per payload. Invalid UTF-8 was refused before we get here.
  return payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<PayloadFacts> parse_payload(std::string_view json) {
  nlohmann::json payload = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  auto text = [&payload](const char* key) -> const std::string* {
    auto it = payload.find(key);
    return it != payload.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  if (!payload.is_object()) return Error(ErrorCode::parse_error, "the embedded payload is not a JSON object");
  auto version = payload.find("v");
  bool version_ok = version != payload.end() && version->is_number_integer() &&
                    version->get<long long>() == k_payload_version;
  if (!version_ok || !text("number") ||
      !text("student") || !text("issued_at") || !text("key"))
    return Error(ErrorCode::parse_error, "the embedded payload is not a certd version-1 payload");
  PayloadFacts facts;
  facts.number = *text("number");
  facts.student = *text("student");
  facts.course = text("course") ? *text("course") : "";
  facts.template_id = text("template") ? *text("template") : "";
  facts.issuer = text("issuer") ? *text("issuer") : "";
  facts.issued_at = *text("issued_at");
  if (text("expires_at")) facts.expires_at = *text("expires_at");
  facts.key_id = *text("key");
  return facts;
}

}  // namespace certd::render
