#pragma once
// Everything a running certd knows about its school, loaded and checked
// once at start: the configuration, the templates (fonts cut, pictures
// read), the rules, and the issuer's signing key.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "app/issuer.hpp"
#include "config/config.hpp"
#include "core/result.hpp"
#include "rules/rule_set.hpp"

namespace certd::render {
class Signer;
}

namespace certd::app {

struct School {
  config::Config config;
  rules::RuleSet rules;
  TemplateMap templates;
  std::set<std::string> template_ids;
  std::unique_ptr<render::Signer> signer;

  School();
  ~School();
  School(School&&) noexcept;
  School& operator=(School&&) noexcept;

  std::string store_path() const { return config.data_dir + "/certd.sqlite"; }
};

// Loads config, templates and rules (every error listed, as check-config
// would) and the issuer key (created on first use). Errors:
// invalid_argument with all problems, one per line.
Result<School> load_school(const std::string& config_path);

// The same, from an already parsed configuration.
Result<School> load_school(config::Config config);

// The configuration and the issuer key only (no key file: no signer), for
// commands that read the store and print no certificate (certd status).
// Loading templates cuts fonts, which takes a while on every call of a
// command that scripts poll; and a broken template must not hide the
// status that would show what it broke. Creates nothing.
Result<School> load_school_settings(const std::string& config_path);

// The courses the rule files name, read without the templates (their ids
// come from the file names); rules that do not load are left out, since
// check-config reports them. For warnings only (certd user add).
std::set<std::string> courses_named_by_rules(const config::Config& config);

// The .yaml/.yml files directly in `dir`, sorted: the rule and template
// files the school is loaded from. An unreadable folder gives none.
std::vector<std::string> yaml_files_in(const std::string& dir);

}  // namespace certd::app
