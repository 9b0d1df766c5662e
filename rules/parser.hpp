#pragma once
// Rule files (docs/architecture.md "Rule files", `version: 1`) from text to Rules.
// Pure: takes text, reads no file. Rule files are operator input: the
// YAML limits of yaml/yaml_reader.hpp apply (size, depth, node count, no
// aliases or anchors, no duplicate keys) and the condition walk is depth-
// bounded, so no file can crash or hang the daemon.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "rules/rule.hpp"

namespace certd::rules {

// Conditions nest at most this deep (`all` inside `not` inside ... ).
inline constexpr int k_max_condition_depth = 16;
// A file stops being read after this many errors.
inline constexpr std::size_t k_max_errors_per_file = 100;

struct ParseResult {
  std::vector<Rule> rules;    // the rules without errors, in file order
  std::vector<Error> errors;  // every mistake, each with file:line:column
  bool ok() const { return errors.empty(); }
};

// Parses one rule file. `file_name` appears in error locations;
// `template_ids` are the templates a rule may name. Reports unknown keys,
// wrong types, unknown templates, duplicate ids, bad durations and
// dates, unknown issue modes, empty conditions and YAML syntax errors.
ParseResult parse_rules(std::string_view text, const std::string& file_name,
                        const std::set<std::string>& template_ids);

}  // namespace certd::rules
