#include "rules/rule_set.hpp"

#include "rules/parser.hpp"

namespace certd::rules {

void RuleSet::add(std::vector<Rule> rules, std::vector<Error>& errors) {
  for (Rule& rule : rules) {
    auto existing = m_by_id.find(rule.id);
    if (existing != m_by_id.end()) {
      errors.emplace_back(ErrorCode::invalid_argument,
                          "duplicate rule id '" + rule.id + "' (first defined at " +
                              existing->second->where.to_string() + ")",
                          rule.where);
      continue;
    }
    const Rule& stored = m_rules.emplace_back(std::move(rule));
    m_by_id.emplace(stored.id, &stored);
    m_by_course[stored.course].push_back(&stored);
  }
}

const Rule* RuleSet::find(std::string_view id) const {
  auto found = m_by_id.find(id);
  return found == m_by_id.end() ? nullptr : found->second;
}

const std::vector<const Rule*>& RuleSet::for_course(std::string_view course) const {
  static const std::vector<const Rule*> k_none;
  auto found = m_by_course.find(course);
  return found == m_by_course.end() ? k_none : found->second;
}

RuleSetResult load_rule_set(const std::vector<RuleFile>& files, const std::set<std::string>& template_ids) {
  RuleSetResult result;
  for (const RuleFile& file : files) {
    ParseResult parsed = parse_rules(file.text, file.name, template_ids);
    result.errors.insert(result.errors.end(), std::make_move_iterator(parsed.errors.begin()),
                         std::make_move_iterator(parsed.errors.end()));
    result.rules.add(std::move(parsed.rules), result.errors);
  }
  return result;
}

}  // namespace certd::rules
