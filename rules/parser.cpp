// Rule files are read with yaml::MapReader, so every mistake is a located
// error and a file with many mistakes reports all of them. Keys and
// conditions are dispatched from tables (docs/style.md §7).

#include "rules/parser.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <map>

#include "core/time_format.hpp"
#include "yaml/yaml_reader.hpp"

namespace certd::rules {
namespace {

using yaml::Diagnostics;
using yaml::MapReader;

constexpr std::size_t k_max_id_length = 64;
constexpr long long k_supported_version = 1;

bool too_many_errors(const Diagnostics& diagnostics) {
  return diagnostics.errors().size() >= k_max_errors_per_file;
}

std::string item_path(const std::string& path, std::string_view key, std::size_t index) {
  return yaml::join_path(path, key) + "[" + std::to_string(index) + "]";
}

// `owner` is where an empty condition is reported: the key of `when:` or
// `not:`, or the list of an empty `- ` item.
std::optional<Condition> read_condition(const YAML::Node& node, const YAML::Node& owner, const std::string& path,
                                        int depth, Diagnostics& diagnostics);

// The key node of `key` in `map` (for errors about an empty value).
YAML::Node key_node(const YAML::Node& map, std::string_view key) {
  for (const auto& entry : map)
    if (entry.first.Scalar() == key) return entry.first;
  return map;
}

// What a condition row's reader gets: the one-key map it stands in.
struct ConditionInput {
  MapReader& map;
  std::string_view key;
  int depth;
  Diagnostics& diagnostics;
  std::string path() const { return yaml::join_path(map.path(), key); }
};

bool read_children(ConditionInput& in, Condition& out) {
  YAML::Node list = in.map.get(in.key);
  if (!list.IsSequence()) {
    in.map.error_at(in.key, "expected a list of conditions, found " + yaml::describe(list));
    return false;
  }
  if (list.size() == 0) {
    in.map.error_at(in.key, "needs at least one condition");
    return false;
  }
  bool good = true;
  for (std::size_t i = 0; i < list.size() && !too_many_errors(in.diagnostics); ++i) {
    auto child =
        read_condition(list[i], list, item_path(in.map.path(), in.key, i), in.depth + 1, in.diagnostics);
    if (child) out.children.push_back(std::move(*child));
    else good = false;
  }
  return good && out.children.size() == list.size();
}

bool read_negation(ConditionInput& in, Condition& out) {
  auto child = read_condition(in.map.get(in.key), key_node(in.map.node(), in.key), in.path(), in.depth + 1,
                              in.diagnostics);
  if (child) out.children.push_back(std::move(*child));
  return child.has_value();
}

bool read_completed(ConditionInput& in, Condition& out) {
  auto value = in.map.boolean(in.key, /*required=*/true);
  if (value) out.completed = *value;
  return value.has_value();
}

bool read_min_grade(ConditionInput& in, Condition& out) {
  auto value = in.map.number(in.key, 0, 100, /*required=*/true);
  if (value) out.min_grade = *value;
  return value.has_value();
}

std::optional<std::string> non_empty(MapReader& map, std::string_view key) {
  auto value = map.string(key, /*required=*/true);
  if (value && value->empty()) {
    map.error_at(key, "must not be empty");
    return std::nullopt;
  }
  return value;
}

bool read_level(ConditionInput& in, Condition& out) {
  MapReader inner(in.map.get(in.key), in.path(), in.diagnostics);
  if (!inner.valid()) return false;
  auto framework = non_empty(inner, "framework");
  auto level = non_empty(inner, "level");
  inner.finish();
  if (!framework || !level) return false;
  out.framework = std::move(*framework);
  out.level = std::move(*level);
  return true;
}

bool read_skills(ConditionInput& in, Condition& out) {
  auto skills = in.map.string_list(in.key, /*required=*/true);
  if (!skills) return false;
  if (skills->empty() || std::find(skills->begin(), skills->end(), "") != skills->end()) {
    in.map.error_at(in.key, "needs one or more skill names");
    return false;
  }
  out.skills = std::move(*skills);
  return true;
}

// A bare date as `to` covers that whole day: the range is inclusive.
std::optional<TimePoint> read_date(MapReader& map, std::string_view key, bool end_of_day) {
  auto text = map.string(key);
  if (!text) return std::nullopt;
  auto time = parse_iso8601(*text);
  if (!time) {
    map.error_at(key, "bad date '" + *text + "' (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
    return std::nullopt;
  }
  if (end_of_day && text->size() == 10) *time += Seconds(86399);
  return time;
}

bool read_range(ConditionInput& in, Condition& out) {
  MapReader inner(in.map.get(in.key), in.path(), in.diagnostics);
  if (!inner.valid()) return false;
  const std::size_t errors_before = in.diagnostics.errors().size();
  out.from = read_date(inner, "from", /*end_of_day=*/false);
  out.to = read_date(inner, "to", /*end_of_day=*/true);
  inner.finish();
  if (in.diagnostics.errors().size() != errors_before) return false;
  if (!out.from && !out.to) {
    in.map.error_at(in.key, "give from, to or both (dates, inclusive)");
    return false;
  }
  if (out.from && out.to && *out.from > *out.to) {
    inner.error_at("to", format_date(*out.to) + " is before from " + format_date(*out.from));
    return false;
  }
  return true;
}

bool read_field(ConditionInput& in, Condition& out) {
  MapReader inner(in.map.get(in.key), in.path(), in.diagnostics);
  if (!inner.valid()) return false;
  auto field = non_empty(inner, "field");
  auto value = inner.string("value", /*required=*/true);
  inner.finish();
  if (!field || !value) return false;
  out.field = std::move(*field);
  out.value = std::move(*value);
  return true;
}

struct ConditionRow {
  std::string_view key;
  Condition::Kind kind;
  bool (*read)(ConditionInput&, Condition&);
};

const ConditionRow k_conditions[] = {
    {"all", Condition::Kind::all, read_children},
    {"any", Condition::Kind::any, read_children},
    {"not", Condition::Kind::negation, read_negation},
    {"course_completed", Condition::Kind::course_completed, read_completed},
    {"min_grade", Condition::Kind::min_grade, read_min_grade},
    {"all_skills_proficient", Condition::Kind::all_skills_proficient, read_level},
    {"skills_proficient", Condition::Kind::skills_proficient, read_skills},
    {"completed_between", Condition::Kind::completed_between, read_range},
    {"profile_field_equals", Condition::Kind::profile_field_equals, read_field},
};

const ConditionRow* find_condition(std::string_view key) {
  for (const ConditionRow& row : k_conditions)
    if (row.key == key) return &row;
  return nullptr;
}

std::string condition_names() {
  std::string names;
  for (const ConditionRow& row : k_conditions) names += (names.empty() ? "" : ", ") + std::string(row.key);
  return names;
}

// A condition is a map with exactly one key, naming the condition.
const YAML::Node* check_condition_shape(const YAML::Node& node, const YAML::Node& owner, const std::string& path,
                                        int depth, Diagnostics& diagnostics) {
  if (depth > k_max_condition_depth) {
    diagnostics.error(node, path + ": conditions nest deeper than " + std::to_string(k_max_condition_depth) +
                                " levels");
  } else if (!node.IsDefined() || node.IsNull()) {
    diagnostics.error(owner, path + ": is empty; give a condition such as course_completed: true");
  } else if (node.IsMap() && node.size() == 0) {
    diagnostics.error(node, path + ": is empty; give a condition such as course_completed: true");
  } else if (!node.IsMap()) {
    diagnostics.error(node, path + ": expected a condition (one of: " + condition_names() + "), found " +
                                yaml::describe(node));
  } else if (node.size() > 1) {
    auto second = std::next(node.begin());
    diagnostics.error(second->first, path + ": one condition per map; combine '" + node.begin()->first.Scalar() +
                                         "' and '" + second->first.Scalar() + "' under all: or any:");
  } else {
    return &node;
  }
  return nullptr;
}

std::optional<Condition> read_condition(const YAML::Node& node, const YAML::Node& owner, const std::string& path,
                                        int depth, Diagnostics& diagnostics) {
  if (!check_condition_shape(node, owner, path, depth, diagnostics)) return std::nullopt;
  const YAML::Node key = node.begin()->first;
  const ConditionRow* row = find_condition(key.Scalar());
  if (!row) {
    diagnostics.error(key, path + ": unknown condition '" + key.Scalar() + "' (known: " + condition_names() + ")");
    return std::nullopt;
  }
  MapReader map(node, path, diagnostics);
  Condition condition;
  condition.kind = row->kind;
  condition.where = diagnostics.at(key);
  ConditionInput input{map, row->key, depth, diagnostics};
  if (!row->read(input, condition)) return std::nullopt;
  return condition;
}

struct RuleInput {
  MapReader& map;
  Diagnostics& diagnostics;
  const std::set<std::string>& template_ids;
};

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > k_max_id_length) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

void read_id(RuleInput& in, Rule& rule) {
  rule.where = in.diagnostics.at(in.map.node());
  auto id = in.map.string("id", /*required=*/true);
  if (!id) return;
  rule.where = in.diagnostics.at(in.map.get("id"));
  if (!valid_id(*id)) {
    in.map.error_at("id", "'" + *id + "' is not a valid rule id (1 to " + std::to_string(k_max_id_length) +
                              " letters, digits, '.', '_' or '-')");
    return;
  }
  rule.id = std::move(*id);
}

void read_course(RuleInput& in, Rule& rule) {
  if (auto course = non_empty(in.map, "course")) rule.course = std::move(*course);
}

void read_when(RuleInput& in, Rule& rule) {
  YAML::Node node = in.map.get("when");
  if (!node.IsDefined()) {
    in.map.missing("when");
    return;
  }
  auto condition = read_condition(node, key_node(in.map.node(), "when"), yaml::join_path(in.map.path(), "when"), 1,
                                  in.diagnostics);
  if (condition) rule.when = std::move(*condition);
}

void read_issue(RuleInput& in, Rule& rule) {
  auto mode = in.map.choice("issue", {"automatic", "pending"}, /*required=*/true);
  if (mode) rule.issue = *mode == "automatic" ? IssueMode::automatic : IssueMode::pending;
}

std::string template_names(const std::set<std::string>& ids) {
  if (ids.empty()) return "no templates are loaded";
  std::string names;
  for (const auto& id : ids) names += (names.empty() ? "known: " : ", ") + id;
  return names;
}

void read_template(RuleInput& in, Rule& rule) {
  auto id = non_empty(in.map, "template");
  if (!id) return;
  if (in.template_ids.count(*id) == 0) {
    in.map.error_at("template", "unknown template '" + *id + "' (" + template_names(in.template_ids) + ")");
    return;
  }
  rule.template_id = std::move(*id);
  rule.template_where = in.diagnostics.at(in.map.get("template"));
}

void read_progression(RuleInput& in, Rule& rule) {
  YAML::Node node = in.map.get("progression");
  if (!node.IsDefined()) return;
  MapReader inner(node, yaml::join_path(in.map.path(), "progression"), in.diagnostics);
  if (!inner.valid()) return;
  auto next = non_empty(inner, "next_course");
  if (next && *next == rule.course) {
    inner.error_at("next_course", "is the rule's own course; a progression moves to another course");
    next.reset();
  }
  inner.finish();
  if (next) rule.progression = Progression{std::move(*next)};
}

void read_notify(RuleInput& in, Rule& rule) {
  rule.notify = {NotifyTarget::student};
  auto targets = in.map.string_list("notify");
  if (!targets) return;
  rule.notify.clear();
  for (const std::string& target : *targets) {
    NotifyTarget value = target == "guardians" ? NotifyTarget::guardians : NotifyTarget::student;
    if (target != "student" && target != "guardians")
      in.map.error_at("notify", "unknown recipient '" + target + "' (expected student or guardians)");
    else if (std::find(rule.notify.begin(), rule.notify.end(), value) != rule.notify.end())
      in.map.error_at("notify", "'" + target + "' is listed twice");
    else
      rule.notify.push_back(value);
  }
}

void read_expiry(RuleInput& in, Rule& rule) {
  auto duration = in.map.duration("expires_after");
  if (duration && duration->count() == 0) {
    in.map.error_at("expires_after", "must be longer than zero (leave it out for no expiry)");
    return;
  }
  rule.expires_after = duration;
}

struct RuleKeyRow {
  std::string_view key;
  void (*read)(RuleInput&, Rule&);
};

// The one table of rule keys, in the order docs/architecture.md shows them; `course`
// comes before `progression`, which compares against it.
const RuleKeyRow k_rule_keys[] = {
    {"id", read_id},           {"course", read_course},           {"when", read_when},
    {"issue", read_issue},     {"template", read_template},       {"progression", read_progression},
    {"notify", read_notify},   {"expires_after", read_expiry},
};

std::optional<Rule> read_rule(const YAML::Node& node, const std::string& path, Diagnostics& diagnostics,
                              const std::set<std::string>& template_ids) {
  MapReader map(node, path, diagnostics);
  if (!map.valid()) return std::nullopt;
  const std::size_t errors_before = diagnostics.errors().size();
  Rule rule;
  RuleInput input{map, diagnostics, template_ids};
  for (const RuleKeyRow& row : k_rule_keys) row.read(input, rule);
  map.finish();
  if (diagnostics.errors().size() != errors_before) return std::nullopt;
  return rule;
}

void read_version(MapReader& file) {
  auto version = file.integer("version", LLONG_MIN, LLONG_MAX, /*required=*/true);
  if (version && *version != k_supported_version)
    file.error_at("version", std::to_string(*version) + " is not supported (this certd reads version " +
                                 std::to_string(k_supported_version) + ")");
}

// Keeps the first of two rules with one id and reports the second.
void keep_unique(Rule rule, std::map<std::string, SourceLocation>& seen, std::vector<Rule>& rules,
                 Diagnostics& diagnostics) {
  auto [first, inserted] = seen.emplace(rule.id, rule.where);
  if (!inserted) {
    diagnostics.error(rule.where, "duplicate rule id '" + rule.id + "' (first defined at " +
                                      first->second.to_string() + ")");
    return;
  }
  rules.push_back(std::move(rule));
}

void read_rules(MapReader& file, Diagnostics& diagnostics, const std::set<std::string>& template_ids,
                std::vector<Rule>& rules) {
  YAML::Node list = file.get("rules");
  if (!list.IsDefined()) return file.missing("rules");
  if (!list.IsSequence() && !list.IsNull())
    return file.error_at("rules", "expected a list of rules, found " + yaml::describe(list));
  std::map<std::string, SourceLocation> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (too_many_errors(diagnostics)) {
      diagnostics.error(list[i], "too many errors; the rest of this file was not checked");
      return;
    }
    if (auto rule = read_rule(list[i], item_path("", "rules", i), diagnostics, template_ids))
      keep_unique(std::move(*rule), seen, rules, diagnostics);
  }
}

}  // namespace

ParseResult parse_rules(std::string_view text, const std::string& file_name,
                        const std::set<std::string>& template_ids) {
  Diagnostics diagnostics(file_name);
  ParseResult result;
  if (auto root = yaml::parse(text, diagnostics)) {
    MapReader file(*root, "", diagnostics);
    if (file.valid()) {
      read_version(file);
      read_rules(file, diagnostics, template_ids, result.rules);
      file.finish();
    }
  }
  result.errors = diagnostics.take();
  return result;
}

}  // namespace certd::rules
