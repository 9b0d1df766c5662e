#pragma once
// What `certd check-config` (and `certd run` at start) checks beyond the
// config file itself: the templates, the rules that name them, and that
// every rule's template can be printed with what that rule supplies; and,
// for check-config, everything else `certd run` would refuse at start
// (the secrets it reads, the issuer key), found by the functions run calls.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "app/rule_template_check.hpp"
#include "config/config.hpp"
#include "core/result.hpp"
#include "render/template.hpp"
#include "rules/rule_set.hpp"

namespace certd::app {

struct CheckReport {
  std::vector<Error> errors;
  std::vector<std::string> notes;  // worth saying, not wrong
};

// Whether `dir`, the folder of `key` (rules_dir or templates_dir), can be
// listed. A folder the config file names that is missing is an error at
// that key; the default one next to the config file is only a note (a
// new school has no rules yet). False: there is nothing to load.
bool check_folder(const config::Config& config, std::string_view key, const std::string& dir, CheckReport& report);

// The templates check-config loaded, by id.
using TemplateSpecMap = std::map<std::string, render::TemplateSpec, std::less<>>;

// Loads every template under config.templates_dir; the good ones go into
// `loaded`.
void check_templates(const config::Config& config, CheckReport& report, TemplateSpecMap& loaded);

// Loads every rule file under config.rules_dir against the known templates.
rules::RuleSet check_rules(const config::Config& config, const std::set<std::string>& template_ids,
                           CheckReport& report);

// The config values a certificate prints (issuer.name, issuer.signatory).
IssuerFacts issuer_facts(const config::Config& config);

// check_rule_templates, its errors and notes added to `report`.
void check_printable(const rules::RuleSet& rules, const TemplateSpecs& templates, const config::Config& config,
                     CheckReport& report);

// What check_everything loaded, kept for `check-config --online`: the
// config and the rules that parsed (the LMS is asked only what they read).
struct CheckedSchool {
  config::Config config;
  rules::RuleSet rules;
};

// Config file, templates, rules, then rules against their templates, then
// what `certd run` reads at start: the LMS token, the SMTP credentials,
// each webhook source's secret (make_lms, make_notifier,
// make_webhook_verifier) and the issuer key (check_issuer_key). Creates
// and opens nothing. When `loaded` is given, it receives the config and
// rules (optional).
CheckReport check_everything(const std::string& config_path, CheckedSchool* loaded = nullptr);

}  // namespace certd::app
