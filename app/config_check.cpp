#include "app/config_check.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <utility>

#include "app/console_setup.hpp"
#include "app/issuer_key.hpp"
#include "app/runtime.hpp"
#include "connector/lms.hpp"
#include "core/clock.hpp"
#include "core/file_util.hpp"
#include "notify/notifier.hpp"
#include "portal/webhook_verifier.hpp"
#include "yaml/yaml_reader.hpp"

namespace certd::app {
namespace {

// Where the config file gives `section.key` (or a top-level `key`, with
// section "") a value; nullopt when it does not (the default applies).
// The Config keeps values, not where they came from, so the file is read
// once more: it parsed a moment ago.
std::optional<SourceLocation> value_location(const std::string& config_file, std::string_view section,
                                             std::string_view key) {
  auto text = read_file(config_file, yaml::Limits().max_bytes);
  if (!text) return std::nullopt;
  yaml::Diagnostics diagnostics(config_file);
  auto root = yaml::parse(*text, diagnostics);
  if (!root) return std::nullopt;
  YAML::Node map = *root;
  if (!section.empty()) {
    auto entry = yaml::find(*root, section);
    if (!entry) return std::nullopt;
    map = entry->value;
  }
  auto entry = yaml::find(map, key);
  if (!entry || yaml::type_of(entry->value) == YAML::NodeType::Null) return std::nullopt;
  return diagnostics.at(entry->value);
}

// The issuer key as load_or_create_issuer_key will find it: a file others
// may read, or that is no key, stops `certd run`. Its error is put at
// issuer.key_file when the file names it, else on the config file.
// A missing key is made by the first run, which is worth a word: a
// key_file that names the wrong place would sign with a new key.
void check_key(const config::Config& config, std::vector<Error>& found, CheckReport& report) {
  Result<bool> key = check_issuer_key(config.issuer.key_file);
  if (key && !*key)
    report.notes.push_back("issuer.key_file: " + config.issuer.key_file +
                           " does not exist yet; certd run creates it (mode 0600)");
  if (key) return;
  SourceLocation where = value_location(config.source_file, "issuer", "key_file")
                             .value_or(SourceLocation{config.source_file, 0, 0});
  found.emplace_back(key.error().code(), "issuer.key_file: " + key.error().message(), std::move(where));
}

// The console's LTI key as certd run loads it at start (lti_tool_key): a
// file others may read, or that is no RSA key, stops the daemon.
void check_lti_key(const config::Config& config, std::vector<Error>& found, CheckReport& report) {
  std::error_code ec;
  if (!std::filesystem::exists(config.lti.key_file, ec)) {
    if (!config.lti.platforms.empty())
      report.notes.push_back("lti.key_file: " + config.lti.key_file +
                             " does not exist yet; certd run or certd lti show creates it (mode 0600)");
    return;
  }
  auto key = lti_tool_key(config);
  if (key) return;
  SourceLocation where =
      value_location(config.source_file, "lti", "key_file").value_or(SourceLocation{config.source_file, 0, 0});
  found.emplace_back(key.error().code(), "lti.key_file: " + key.error().message(), std::move(where));
}

// Secrets `certd run` does not read (the console that will use the admin
// token is not built; SMTP credentials without smtp.url): a problem with
// one stops nothing yet, but is worth a word.
void note_unread_secrets(const config::Config& config, CheckReport& report) {
  std::vector<const config::Secret*> unread = {&config.portal.admin_token};
  if (config.smtp.url.empty()) unread.insert(unread.end(), {&config.smtp.username, &config.smtp.password});
  for (const config::Secret* secret : unread) {
    if (!secret->configured()) continue;
    auto value = config::resolve(*secret);
    if (!value) report.notes.push_back(value.error().message() + " (certd does not read it yet)");
  }
}

// Whether `resolved` worked; if not, its error is added to `found`.
template <typename T>
bool note_failure(const Result<T>& resolved, std::vector<Error>& found) {
  if (!resolved) found.push_back(resolved.error());
  return static_cast<bool>(resolved);
}

// What `certd run` refuses at start beyond the config, rule and template
// files, found by the very functions it calls (config::resolve, then
// make_lms, make_notifier, make_webhook_verifier, check_issuer_key), so
// the two cannot drift. Each secret is resolved on its own first:
// make_notifier stops at its first problem, and a person should see all.
void check_startup(const config::Config& config, CheckReport& report) {
  std::vector<Error> found;
  bool lms_ready = note_failure(config::resolve(config.lms.token), found);
  bool smtp_ready = true;
  if (!config.smtp.url.empty())
    for (const config::Secret* secret : {&config.smtp.username, &config.smtp.password})
      if (secret->configured()) smtp_ready = note_failure(config::resolve(*secret), found) && smtp_ready;
  SystemClock clock;
  if (lms_ready) note_failure(make_lms(config, nullptr, clock), found);
  if (smtp_ready) note_failure(make_notifier(config), found);
  auto webhooks = make_webhook_verifier(config, &found);  // adds every source's problem itself
  (void)webhooks;
  check_key(config, found, report);
  check_lti_key(config, found, report);
  // In file order, like the config's own errors; those on the whole file last.
  auto place = [](const Error& e) {
    return std::make_pair(e.where().line > 0 ? e.where().line : INT_MAX, e.where().column);
  };
  std::stable_sort(found.begin(), found.end(), [&](const Error& a, const Error& b) { return place(a) < place(b); });
  report.errors.insert(report.errors.end(), found.begin(), found.end());
  note_unread_secrets(config, report);
}

}  // namespace

bool check_folder(const config::Config& config, std::string_view key, const std::string& dir, CheckReport& report) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return true;
  std::optional<SourceLocation> given = value_location(config.source_file, "", key);
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
  check_startup(loaded.config, report);
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
