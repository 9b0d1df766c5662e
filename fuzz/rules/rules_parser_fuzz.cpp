// libFuzzer target: any bytes as a rule file. The parser must return
// rules or located errors, never crash, hang or leak; whatever it accepts
// must evaluate without crashing; and an idempotency key that parses must
// print back to the same text.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rules/evaluator.hpp"
#include "rules/idempotency.hpp"
#include "rules/parser.hpp"

namespace {

using namespace certd::rules;

const std::set<std::string>& templates() {
  static const std::set<std::string> k_templates = {"swim-level", "first-aid", "encouragement"};
  return k_templates;
}

StudentFacts student() {
  StudentFacts facts;
  facts.student_id = "42";
  facts.enrolment = Enrolment::active;
  facts.completed = true;
  facts.completed_at = certd::from_unix(1780000000);
  facts.grade_percent = 80;
  facts.skills = {{"Swim Skills", "Level 3", {{"Backstroke 25m", true}, {"Dive", false}}}};
  facts.profile_fields = {{"membership", "gold"}};
  return facts;
}

void evaluate_all(const ParseResult& parsed) {
  static const StudentFacts k_student = student();
  for (const Rule& rule : parsed.rules) {
    StudentFacts facts = k_student;
    facts.course = rule.course;  // reach the conditions, not just the enrolment check
    Decision decision = evaluate(rule, facts, {}, certd::from_unix(1790000000));
    if (decision.summary().empty()) std::abort();
    if (conditions_hold(rule.when, facts) != unmet_conditions(rule.when, facts).empty()) std::abort();
  }
  for (const certd::Error& error : parsed.errors)
    if (error.to_string().empty()) std::abort();
}

void check_key_round_trip(std::string_view text) {
  auto key = parse_idempotency_key(text);
  if (key && key->to_string() != text) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  evaluate_all(parse_rules(text, "fuzz.yaml", templates()));
  check_key_round_trip(text);
  return 0;
}
