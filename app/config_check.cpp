#include "app/config_check.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <utility>

#include "core/file_util.hpp"
#include "yaml/yaml_reader.hpp"

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

// Where the config file gives a top-level `key` a value; nullopt when it
// does not (the default applies). The Config keeps values, not where they
// came from, so the file is read once more: it parsed a moment ago.
std::optional<SourceLocation> top_level_value(const std::string& config_file, std::string_view key) {
  auto text = read_file(config_file, yaml::Limits().max_bytes);
  if (!text) return std::nullopt;
  yaml::Diagnostics diagnostics(config_file);
  auto root = yaml::parse(*text, diagnostics);
  if (!root || !root->IsMap()) return std::nullopt;
  for (const auto& entry : *root)
    if (entry.first.IsScalar() && entry.first.Scalar() == key && !entry.second.IsNull())
      return diagnostics.at(entry.second);
  return std::nullopt;
}

}  // namespace

bool check_folder(const config::Config& config, std::string_view key, const std::string& dir, CheckReport& report) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return true;
  std::optional<SourceLocation> given = top_level_value(config.source_file, key);
  if (!given && !std::filesystem::exists(dir, ec)) {
    const bool rules = key == "rules_dir";
    report.notes.push_back("no " + std::string(key) + " folder " + dir + " (the default, next to the config file): " +
                           (rules ? "certd will issue nothing until rules are added"
                                  : "no templates to print with until some are added"));
    return false;
  }
  std::string why = std::filesystem::exists(dir, ec) ? "is not a folder" : "does not exist";
  report.errors.emplace_back(ErrorCode::not_found, std::string(key) + ": " + dir + " " + why,
                             given ? *given : SourceLocation{config.source_file, 0, 0});
  return false;
}

IssuerFacts issuer_facts(const config::Config& config) {
  return {config.issuer.name, config.issuer.signatory, !config.lms.teacher_roles.empty()};
}

void check_printable(const rules::RuleSet& rules, const TemplateSpecs& templates, const config::Config& config,
                     CheckReport& report) {
  RuleTemplateFindings findings = check_rule_templates(rules.rules(), templates, issuer_facts(config));
  report.errors.insert(report.errors.end(), findings.errors.begin(), findings.errors.end());
  for (const Error& note : findings.notes) report.notes.push_back(note.to_string());
}

CheckReport check_everything(const std::string& config_path, CheckedSchool* loaded_school) {
  CheckReport report;
  config::LoadResult loaded = config::load_file(config_path);
  report.errors = loaded.errors;
  if (!loaded.ok()) return report;
  note_unset_secrets(loaded.config, report);
  TemplateSpecMap specs;
  check_templates(loaded.config, report, specs);
  std::set<std::string> template_ids;
  TemplateSpecs by_id;
  for (const auto& [id, spec] : specs) {
    template_ids.insert(id);
    by_id[id] = &spec;
  }
  rules::RuleSet rules = check_rules(loaded.config, template_ids, report);
  check_printable(rules, by_id, loaded.config, report);
  if (loaded_school) {
    loaded_school->config = std::move(loaded.config);
    loaded_school->rules = std::move(rules);
  }
  return report;
}

}  // namespace certd::app
