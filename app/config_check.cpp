#include "app/config_check.hpp"

#include <cstdlib>

namespace certd::app {
namespace {

// A secret named in the file but absent here is not an error of the file
// (the service may have its own environment), but it is worth a word.
void note_unset_secrets(const config::Config& config, CheckReport& report) {
  const std::pair<const char*, const config::Secret*> secrets[] = {
      {"lms.token", &config.lms.token},
      {"portal.admin_token", &config.portal.admin_token},
      {"webhooks.secret", &config.webhooks.secret},
      {"smtp.username", &config.smtp.username},
      {"smtp.password", &config.smtp.password},
  };
  for (const auto& [key, secret] : secrets) {
    if (!secret->configured()) continue;
    auto value = config::resolve(*secret);
    if (!value) report.notes.push_back(std::string(key) + ": " + value.error().message());
  }
}

}  // namespace

CheckReport check_everything(const std::string& config_path) {
  CheckReport report;
  config::LoadResult loaded = config::load_file(config_path);
  report.errors = loaded.errors;
  if (!loaded.ok()) return report;
  note_unset_secrets(loaded.config, report);
  std::set<std::string> template_ids;
  check_templates(loaded.config, report, template_ids);
  check_rules(loaded.config, template_ids, report);
  return report;
}

}  // namespace certd::app
