#include "render/payload.hpp"

#include <nlohmann/json.hpp>

#include "core/time_format.hpp"

namespace certd::render {

namespace {

constexpr int k_first_version = 1;

bool is_digest(const nlohmann::json& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The digests of a version-2 payload; nullopt when missing or malformed.
std::optional<DrawnDigests> drawn_digests(const nlohmann::json& payload) {
  auto pages = payload.find("page_digests");
  auto document = payload.find("document_digest");
  if (pages == payload.end() || !pages->is_array() || pages->empty() || document == payload.end() ||
      !is_digest(*document))
    return std::nullopt;
  DrawnDigests drawn;
  for (const nlohmann::json& page : *pages) {
    if (!is_digest(page)) return std::nullopt;
    drawn.pages.push_back(page.get<std::string>());
  }
  drawn.document = document->get<std::string>();
  return drawn;
}

}  // namespace

std::string canonical_payload(const CertificateData& data, std::string_view template_id, std::string_view key_id,
                              const DrawnDigests& drawn) {
  nlohmann::json payload = {
      {"v", k_payload_version},
      {"number", data.number},
      {"student", data.student_name},
      {"course", data.course_name},
      {"title", data.title},
      {"level", data.level},
      {"rule", data.rule_id},
      {"template", std::string(template_id)},
      {"issued_at", format_iso8601(data.issued_at)},
      {"expires_at", data.expires_at ? nlohmann::json(format_iso8601(*data.expires_at)) : nlohmann::json()},
      {"issuer", data.issuer_name},
      {"key", std::string(key_id)},
      {"page_digests", drawn.pages},
      {"document_digest", drawn.document},
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
                    version->get<long long>() >= k_first_version && version->get<long long>() <= k_payload_version;
  if (!version_ok || !text("number") ||
      !text("student") || !text("issued_at") || !text("key"))
    return Error(ErrorCode::parse_error, "the embedded payload is not a certd version-1 or version-2 payload");
  PayloadFacts facts;
  facts.version = static_cast<int>(version->get<long long>());
  if (facts.version >= 2) {
    facts.drawn = drawn_digests(payload);
    if (!facts.drawn) return Error(ErrorCode::parse_error, "the embedded version-2 payload lacks its page digests");
  }
  facts.number = *text("number");
  facts.student = *text("student");
  facts.course = text("course") ? *text("course") : "";
  if (text("title")) facts.title = *text("title");
  facts.template_id = text("template") ? *text("template") : "";
  facts.issuer = text("issuer") ? *text("issuer") : "";
  facts.issued_at = *text("issued_at");
  if (text("expires_at")) facts.expires_at = *text("expires_at");
  facts.key_id = *text("key");
  return facts;
}

}  // namespace certd::render
