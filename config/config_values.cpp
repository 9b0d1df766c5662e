#include "config/config_values.hpp"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "core/file_util.hpp"
#include "yaml/yaml_reader.hpp"

namespace certd::config {

std::optional<std::string> check_url(std::string_view url, const std::vector<std::string_view>& schemes) {
  auto colon = url.find("://");
  if (colon == std::string_view::npos) return "'" + std::string(url) + "' is not a URL (expected scheme://host)";
  std::string_view scheme = url.substr(0, colon);
  if (std::find(schemes.begin(), schemes.end(), scheme) == schemes.end()) {
    std::string list;
    for (auto s : schemes) list += (list.empty() ? "" : ", ") + std::string(s);
    return "URL scheme '" + std::string(scheme) + "' is not supported (use " + list + ")";
  }
  std::string_view rest = url.substr(colon + 3);
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.front() == ':') return "URL '" + std::string(url) + "' has no host";
  if (host.find('@') != std::string_view::npos) return "URL must not carry credentials; use the *_env keys";
  if (std::any_of(url.begin(), url.end(), [](unsigned char ch) { return ch <= ' ' || ch == 0x7f; }))
    return "URL contains spaces or control characters";
  return std::nullopt;
}

bool is_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char ch) { return std::isalnum(ch) || ch == '_'; });
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;
  }
  unsigned port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (host.empty() || error != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return std::nullopt;
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

void validate(const Config& config, const YAML::Node& document, yaml::Diagnostics& diagnostics) {
  const YAML::Node& top = document;  // const lookups never insert
  auto section = [&](const char* name) {
    YAML::Node node = top[name];
    return node.IsDefined() ? node : document;
  };
  // A key that is present but bad was reported already; "required" is for
  // keys that are absent.
  auto present = [&](const char* name, const char* key) {
    YAML::Node node = top[name];
    return node.IsMap() && node[key].IsDefined();
  };
  if (config.lms.kind == "moodle") {
    if (config.lms.url.empty() && !present("lms", "url"))
      diagnostics.error(section("lms"), "lms.url: required for a Moodle LMS");
    if (!config.lms.token.configured())
      diagnostics.error(section("lms"), "lms.token_env or lms.token_file: required for a Moodle LMS");
  }
  if (config.lms.poll_interval < Duration(1))
    diagnostics.error(section("lms"), "lms.poll_interval: must be at least 1s");
  if (config.portal.public_url.empty() && !present("portal", "public_url"))
    diagnostics.error(section("portal"), "portal.public_url: required (QR codes and e-mails link to it)");
  if (!config.smtp.url.empty() && config.smtp.from.empty())
    diagnostics.error(section("smtp"), "smtp.from: required when smtp.url is set");
  if (config.smtp.password.configured() && !config.smtp.username.configured())
    diagnostics.error(section("smtp"), "smtp.username_env or smtp.username_file: required with a password");
  if (config.webhooks.tolerance < Duration(1))
    diagnostics.error(section("webhooks"), "webhooks.tolerance: must be at least 1s");
}

std::string Secret::describe() const {
  switch (source) {
    case Source::env: return "environment variable " + name;
    case Source::file: return "file " + name;
    case Source::none: break;
  }
  return "no secret";
}

Result<std::string> resolve(const Secret& secret) {
  switch (secret.source) {
    case Secret::Source::none:
      return Error(ErrorCode::not_found, "no secret configured", secret.where);
    case Secret::Source::env: {
      const char* value = std::getenv(secret.name.c_str());
      if (!value || !*value)
        return Error(ErrorCode::not_found, "environment variable " + secret.name + " is not set", secret.where);
      return std::string(value);
    }
    case Secret::Source::file: {
      struct stat info {};
      if (::stat(secret.name.c_str(), &info) == 0 && (info.st_mode & S_IRWXO))
        return Error(ErrorCode::permission_denied,
                     "secret file " + secret.name + " is readable by others; chmod 600 it", secret.where);
      CERTD_ASSIGN_OR_RETURN(std::string text, read_file(secret.name, 64 * 1024));
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      if (text.empty()) return Error(ErrorCode::invalid_argument, "secret file " + secret.name + " is empty", secret.where);
      return text;
    }
  }
  return Error(ErrorCode::internal, "unknown secret source");
}

}  // namespace certd::config
