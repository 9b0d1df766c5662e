#pragma once
// What `certd check-config` (and `certd run` at start) checks beyond the
// config file itself: the templates, then the rules that name them.

#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"

namespace certd::app {

struct CheckReport {
  std::vector<Error> errors;
  std::vector<std::string> notes;  // worth saying, not wrong
};

// Loads every template under config.templates_dir; adds the ids of the
// good ones to `template_ids`.
void check_templates(const config::Config& config, CheckReport& report, std::set<std::string>& template_ids);

// Loads every rule file under config.rules_dir against the known templates.
void check_rules(const config::Config& config, const std::set<std::string>& template_ids, CheckReport& report);

// Config file, templates and rules, in that order.
CheckReport check_everything(const std::string& config_path);

}  // namespace certd::app
