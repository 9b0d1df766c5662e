#pragma once
// Checks of single values and of the whole config, shared by the loader
// and its tests.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace YAML {
class Node;
}
namespace certd::yaml {
class Diagnostics;
}

namespace certd::config {

// nullopt if `url` is an absolute URL with one of `schemes` and a host;
// otherwise what is wrong, in words.
std::optional<std::string> check_url(std::string_view url, const std::vector<std::string_view>& schemes);
bool is_env_name(std::string_view name);
// A `*_file` value naming a systemd credential: what follows a leading
// `$CREDENTIALS_DIRECTORY/` or `${CREDENTIALS_DIRECTORY}/` (the NAME of
// LoadCredential=NAME:PATH, possibly empty or bad: check_credential_name);
// nullopt for any other path.
std::optional<std::string_view> credential_name(std::string_view file_value);
// nullopt if `name` can be a credential's file name; otherwise why not.
std::optional<std::string> check_credential_name(std::string_view name);
// How a credential's file is written in Secret::name, whichever spelling
// the file used.
std::string credential_path(std::string_view name);
// "host:port" or "[v6]:port"; port 1..65535 (0 allowed for tests: "any").
std::optional<ListenAddress> parse_listen_address(std::string_view text);
// The host of an http(s) URL ("moodle.example.org"); "" if there is none.
std::string url_host(std::string_view url);
// http://<listen host>:<port>, with a wildcard host (0.0.0.0, ::) as
// "localhost": portal.public_url when the file does not say.
std::string default_public_url(const ListenAddress& listen);
// Rules that involve several keys; errors point at the key concerned, or
// at its section.
void validate(const Config& config, const YAML::Node& document, yaml::Diagnostics& diagnostics);

}  // namespace certd::config
