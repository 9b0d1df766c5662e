#include "portal/webhook_verifier.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <vector>

#include "core/base64.hpp"

namespace certd::portal {
namespace {

constexpr std::string_view k_secret_prefix = "whsec_";

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &length);
  return std::string(reinterpret_cast<char*>(mac), length);
}

// cpprestsdk joins repeated headers with ", ", so split on both.
std::vector<std::string_view> split_signatures(std::string_view header) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find_first_of(" ,", start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view part = header.substr(start, end - start);
    // "v1,<sig>" itself contains a comma: glue the version back on.
    if (part == "v1" && end < header.size() && header[end] == ',') {
      std::size_t sig_end = header.find(' ', end + 1);
      if (sig_end == std::string_view::npos) sig_end = header.size();
      parts.push_back(header.substr(start, sig_end - start));
      start = sig_end + 1;
      continue;
    }
    start = end + 1;
  }
  return parts;
}

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Status WebhookVerifier::add_source(const std::string& source, std::string_view secret) {
  if (source.empty()) return Error(ErrorCode::invalid_argument, "a webhook source needs a name");
  if (m_keys.count(source)) return Error(ErrorCode::invalid_argument, "webhook source '" + source + "' is given twice");
  std::string_view text = secret;
  if (text.substr(0, k_secret_prefix.size()) == k_secret_prefix) text.remove_prefix(k_secret_prefix.size());
  auto key = base64_decode(text);
  if (!key || key->size() < 24 || key->size() > 64)
    return Error(ErrorCode::invalid_argument, "webhook secret must be whsec_ followed by base64 of 24 to 64 bytes");
  for (const auto& [other, other_key] : m_keys)
    if (constant_time_equal(other_key, *key))
      return Error(ErrorCode::invalid_argument, "the same secret as webhook source '" + other +
                                                    "': a request signed for one would be accepted at the other; "
                                                    "give each source its own");
  m_keys.emplace(source, std::move(*key));
  return ok();
}

bool WebhookVerifier::has_source(std::string_view source) const { return m_keys.find(source) != m_keys.end(); }

Status WebhookVerifier::verify(std::string_view source, const WebhookHeaders& headers, std::string_view body,
                               TimePoint now) const {
  auto key = m_keys.find(source);
  if (key == m_keys.end()) return Error(ErrorCode::not_found, "no such webhook source");
  if (headers.id.empty() || headers.timestamp.empty() || headers.signature.empty())
    return Error(ErrorCode::invalid_argument, "missing webhook-id, webhook-timestamp or webhook-signature header");
  std::int64_t timestamp = 0;
  auto [end, error] = std::from_chars(headers.timestamp.data(), headers.timestamp.data() + headers.timestamp.size(),
                                      timestamp);
  if (error != std::errc() || end != headers.timestamp.data() + headers.timestamp.size())
    return Error(ErrorCode::invalid_argument, "webhook-timestamp is not a number");
  std::int64_t skew = to_unix(now) - timestamp;
  if (skew > m_tolerance.count() || -skew > m_tolerance.count())
    return Error(ErrorCode::invalid_argument, "webhook-timestamp is outside the accepted window");

  std::string signed_content = headers.id + "." + headers.timestamp + "." + std::string(body);
  std::string expected = "v1," + base64_encode(hmac_sha256(key->second, signed_content));
  for (std::string_view given : split_signatures(headers.signature))
    if (constant_time_equal(given, expected)) return ok();
  return Error(ErrorCode::permission_denied, "webhook signature does not match");
}

std::string WebhookVerifier::sign(std::string_view source, std::string_view id, std::int64_t timestamp,
                                  std::string_view body) const {
  auto key = m_keys.find(source);
  if (key == m_keys.end()) return {};
  std::string content = std::string(id) + "." + std::to_string(timestamp) + "." + std::string(body);
  return "v1," + base64_encode(hmac_sha256(key->second, content));
}

}  // namespace certd::portal
