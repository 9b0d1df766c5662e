// certd lti show [--json]: what to paste into the LMS to register certd as
// an LTI 1.3 tool (Moodle: "Manually configure LTI 1.3 tool"), and which
// platforms certd.yaml registers. Creates the tool's key on first use.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include "app/commands/commands.hpp"
#include "app/console_setup.hpp"
#include "app/runtime.hpp"
#include "app/terminal_text.hpp"
#include "config/config.hpp"

namespace certd::app {

namespace {

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

int show(const GlobalOptions& globals, bool json_output) {
  config::LoadResult loaded = config::load_file(globals.config_path);
  if (!loaded.ok()) return fail("lti show", loaded.errors.front());
  const config::Config& config = loaded.config;
  auto key = lti_tool_key(config);
  if (!key) return fail("lti show", key.error());
  const std::string base = without_trailing_slash(config.portal.public_url);
  const std::string launch = base + "/lti/launch";
  const std::string login = base + "/lti/login";
  const std::string keyset = base + "/lti/jwks";
  if (json_output) {
    nlohmann::json platforms = nlohmann::json::array();
    for (const config::LtiPlatformConfig& p : config.lti.platforms)
      platforms.push_back({{"issuer", p.issuer},
                           {"client_id", p.client_id},
                           {"deployment_ids", p.deployment_ids},
                           {"auth_url", p.auth_url},
                           {"jwks_url", p.jwks_url}});
    nlohmann::json out{{"tool_url", launch},          {"initiate_login_url", login}, {"redirection_uris", {launch}},
                       {"public_keyset_url", keyset}, {"public_key_pem", key->public_pem()}, {"kid", key->kid()},
                       {"platforms", platforms}};
    std::cout << out.dump(2) << "\n";
    return k_exit_ok;
  }
  std::cout << "Register certd in Moodle 4.5: Site administration > Plugins > Activity modules > External tool >\n"
               "Manage tools > \"configure a tool manually\", then enter:\n\n"
            << "  Tool name             " << terminal_safe(config.issuer.name) << " certificates\n"
            << "  Tool URL              " << launch << "\n"
            << "  LTI version           LTI 1.3\n"
            << "  Public key type       Keyset URL, or RSA key (see below)\n"
            << "  Public keyset         " << keyset << "\n"
            << "  Initiate login URL    " << login << "\n"
            << "  Redirection URI(s)    " << launch << "\n"
            << "  Default launch container   Embed, without blocks (or New window)\n\n"
            << "  Privacy: \"Share launcher's name with tool\" and \"Share launcher's email with tool\": Always.\n\n"
            << "Moodle does not fetch a keyset from localhost, 127.0.0.1 or a port other than 80 and 443.\n"
            << "In that case choose \"RSA key\" and paste this public key (kid " << key->kid() << "):\n\n"
            << key->public_pem() << "\n"
            << "Then copy from Moodle's \"Tool configuration details\" (the list icon of the tool) into\n"
            << globals.config_path << ":\n\n"
            << "lti:\n  platforms:\n    - issuer: <Platform ID>\n      client_id: <Client ID>\n"
            << "      deployment_ids: [\"<Deployment ID>\"]\n\n";
  if (config.lti.platforms.empty()) {
    std::cout << "No platform is registered yet: /lti/login answers 404 until one is.\n";
  } else {
    std::cout << "Registered platforms:\n";
    for (const config::LtiPlatformConfig& p : config.lti.platforms) {
      std::cout << "  " << terminal_safe(p.issuer) << "  client " << terminal_safe(p.client_id) << ", deployments";
      for (const std::string& d : p.deployment_ids) std::cout << " " << terminal_safe(d);
      std::cout << "\n";
    }
  }
  return k_exit_ok;
}

}  // namespace

void define_lti(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto json_output = std::make_shared<bool>(false);
  command.require_subcommand(1);
  CLI::App* show_command =
      command.add_subcommand("show", "what to enter in the LMS to register certd as an LTI 1.3 tool");
  show_command->add_flag("--json", *json_output, "print one JSON document");
  handler = [&globals, json_output] { return show(globals, *json_output); };
}

}  // namespace certd::app
