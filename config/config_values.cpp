#include "config/config_values.hpp"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <tuple>

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

namespace {

// systemd.exec(5), "Credentials": the folder of a service's LoadCredential=
// files is in this variable, and only for that service.
constexpr const char* k_credentials_variable = "CREDENTIALS_DIRECTORY";
constexpr std::string_view k_credentials_prefixes[] = {"$CREDENTIALS_DIRECTORY/", "${CREDENTIALS_DIRECTORY}/"};

}  // namespace

std::optional<std::string_view> credential_name(std::string_view file_value) {
  for (std::string_view prefix : k_credentials_prefixes)
    if (file_value.substr(0, prefix.size()) == prefix) return file_value.substr(prefix.size());
  return std::nullopt;
}

// systemd's own rule (a file name, at most 255 bytes), and no control
// characters, since errors print the name.
std::optional<std::string> check_credential_name(std::string_view name) {
  const bool bad =
      name.empty() || name == "." || name == ".." || name.size() > 255 ||
      std::any_of(name.begin(), name.end(), [](unsigned char ch) { return ch == '/' || ch < ' ' || ch == 0x7f; });
  if (!bad) return std::nullopt;
  return std::string("$CREDENTIALS_DIRECTORY/ must be followed by the name of one credential, as in "
                     "LoadCredential=NAME:PATH of certd.service (e.g. $CREDENTIALS_DIRECTORY/lms-token)");
}

std::string credential_path(std::string_view name) {
  return std::string(k_credentials_prefixes[0]) + std::string(name);
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

std::string url_host(std::string_view url) {
  auto colon = url.find("://");
  if (colon == std::string_view::npos) return {};
  std::string_view rest = url.substr(colon + 3);
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  host = host.substr(host.find('@') == std::string_view::npos ? 0 : host.find('@') + 1);
  if (!host.empty() && host.front() == '[' && host.find(']') != std::string_view::npos)
    return std::string(host.substr(0, host.find(']') + 1));
  return std::string(host.substr(0, host.find(':')));
}

std::string default_public_url(const ListenAddress& listen) {
  std::string host = listen.host;
  // A wildcard address is where the portal listens, not where anyone finds it.
  if (host == "0.0.0.0" || host == "::" || host == "*") host = "localhost";
  else if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(listen.port);
}

namespace {

// Where an error about `section.key` belongs: the key's value if written,
// else the section's key, else the top of the file.
SourceLocation locate(const YAML::Node& document, const yaml::Diagnostics& diagnostics, std::string_view section,
                      std::string_view key) {
  if (auto entry = yaml::find(document, section)) {
    if (auto value = yaml::find(entry->value, key)) return diagnostics.at(value->value);
    return diagnostics.at(entry->key);
  }
  return SourceLocation{diagnostics.file(), 1, 1};
}

}  // namespace

void validate(const Config& config, const YAML::Node& document, yaml::Diagnostics& diagnostics) {
  // A zero interval or timeout would spin or give up at once.
  const std::tuple<std::string_view, std::string_view, Duration> at_least_one_second[] = {
      {"lms", "poll_interval", config.lms.poll_interval},
      {"lms", "request_timeout", config.lms.request_timeout},
      {"webhooks", "tolerance", config.webhooks.tolerance},
      {"smtp", "timeout", config.smtp.timeout},
      {"portal", "read_timeout", config.portal.read_timeout},
      {"portal", "idle_timeout", config.portal.idle_timeout},
      {"portal", "shutdown_timeout", config.portal.shutdown_timeout},
  };
  for (const auto& [section, key, value] : at_least_one_second)
    if (value < Duration(1))
      diagnostics.error(locate(document, diagnostics, section, key),
                        std::string(section) + "." + std::string(key) + ": must be at least 1s");
  // Without smtp.from, mail goes out as "issuer.name <issuer.email>"; a
  // real server refuses the certd@localhost that stands in for no e-mail.
  if (!config.smtp.url.empty() && config.smtp.from.empty() && config.issuer.email.empty())
    diagnostics.error(locate(document, diagnostics, "smtp", "from"),
                      "smtp.from (or issuer.email) is required when smtp.url is set (the sender, e.g. "
                      "\"School <certs@example.org>\")");
  if (config.store.kind == "postgresql" && !config.store.url.configured())
    diagnostics.error(locate(document, diagnostics, "store", "kind"),
                      "store.url_env or store.url_file is required for PostgreSQL (a libpq URI such as "
                      "postgresql:///certd?host=/run/postgresql)");
  if (config.store.kind == "sqlite" && config.store.url.configured())
    diagnostics.error(config.store.url.where,
                      "store.url is for PostgreSQL; SQLite's store is data_dir/certd.sqlite (set store.kind: "
                      "postgresql, or remove the url)");
  if (config.smtp.password.configured() && !config.smtp.username.configured())
    diagnostics.error(locate(document, diagnostics, "smtp", "username_env"),
                      "smtp.username_env or smtp.username_file is required with a password");
}

std::string Secret::describe() const {
  switch (source) {
    case Source::env: return "environment variable " + name;
    case Source::file: return "file " + name;
    case Source::none: break;
  }
  return "no secret";
}

namespace {

// "token" of "lms.token": the key the config file writes as token_file.
std::string file_key(const std::string& key) { return key.substr(key.rfind('.') + 1) + "_file"; }

// Where a secret file is: its path, or a credential in the folder systemd
// made for the service's LoadCredential= lines. The variable is read here,
// when a secret is needed, and not by parse(): commands that read no secret
// (status, pending, report) then work from a shell as well.
Result<std::string> secret_file_path(const Secret& secret, const std::string& key) {
  std::optional<std::string_view> name = credential_name(secret.name);
  if (!name) return secret.name;
  const std::string credential(*name);
  const char* folder = std::getenv(k_credentials_variable);
  if (!folder || !*folder)
    return Error(ErrorCode::not_found,
                 key + file_key(secret.key) +
                     " uses $CREDENTIALS_DIRECTORY, which systemd sets only for a service with LoadCredential=; "
                     "give certd.service LoadCredential=" + credential +
                     ":PATH, or, to run certd outside the service, set CREDENTIALS_DIRECTORY to a folder holding " +
                     credential,
                 secret.where);
  std::string path = (std::filesystem::path(folder) / credential).string();
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 && errno == ENOENT)
    return Error(ErrorCode::not_found,
                 key + "no credential " + credential + " in $CREDENTIALS_DIRECTORY (" + folder +
                     "); certd.service needs LoadCredential=" + credential + ":PATH",
                 secret.where);
  return path;
}

}  // namespace

Result<std::string> resolve(const Secret& secret) {
  const std::string key = secret.key.empty() ? "" : secret.key + ": ";
  switch (secret.source) {
    case Secret::Source::none:
      return Error(ErrorCode::not_found, key + "no secret configured", secret.where);
    case Secret::Source::env: {
      const char* value = std::getenv(secret.name.c_str());
      if (!value || !*value)
        return Error(ErrorCode::not_found, key + "environment variable " + secret.name + " is not set", secret.where);
      return std::string(value);
    }
    case Secret::Source::file: {
      CERTD_ASSIGN_OR_RETURN(const std::string path, secret_file_path(secret, key));
      struct stat info {};
      if (::stat(path.c_str(), &info) == 0 && (info.st_mode & S_IRWXO))
        return Error(ErrorCode::permission_denied, key + "secret file " + path + " is readable by others; chmod 600 it",
                     secret.where);
      auto text = read_file(path, 64 * 1024);
      // read_file's errors name the path but not the key, nor where it is.
      if (!text) return Error(text.error().code(), key + text.error().message(), secret.where);
      while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
      if (text->empty())
        return Error(ErrorCode::invalid_argument, key + "secret file " + path + " is empty", secret.where);
      return std::move(*text);
    }
  }
  return Error(ErrorCode::internal, "unknown secret source");
}

}  // namespace certd::config
