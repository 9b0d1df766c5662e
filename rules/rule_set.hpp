#pragma once
// All rules of a school, merged from several rule files, with ids unique
// across files. Not thread-safe while being built; const use is safe
// from any thread.

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "rules/rule.hpp"

namespace certd::rules {

// One rule file's name (as errors should show it) and text.
struct RuleFile {
  std::string name;
  std::string text;
};

class RuleSet {
 public:
  RuleSet() = default;
  // Move-only: the indexes point into m_rules, which a move keeps in place.
  RuleSet(RuleSet&&) = default;
  RuleSet& operator=(RuleSet&&) = default;
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Adds rules; one whose id is taken already is dropped and reported in
  // `errors` at its id, naming where the first one was defined.
  void add(std::vector<Rule> rules, std::vector<Error>& errors);

  const Rule* find(std::string_view id) const;
  // The rules of one course, in the order they were added.
  const std::vector<const Rule*>& for_course(std::string_view course) const;
  std::size_t size() const { return m_rules.size(); }
  // Every rule in the order added; pointers stay valid while the set lives.
  const std::deque<Rule>& rules() const { return m_rules; }

 private:
  std::deque<Rule> m_rules;  // a deque keeps pointers stable across add()
  std::map<std::string, const Rule*, std::less<>> m_by_id;
  std::map<std::string, std::vector<const Rule*>, std::less<>> m_by_course;
};

struct RuleSetResult {
  RuleSet rules;
  std::vector<Error> errors;  // of every file, in file order
  bool ok() const { return errors.empty(); }
};

// Parses every file (rules/parser.hpp) and merges them into one set.
RuleSetResult load_rule_set(const std::vector<RuleFile>& files, const std::set<std::string>& template_ids);

}  // namespace certd::rules
