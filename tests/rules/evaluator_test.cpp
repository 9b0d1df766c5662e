#include "rules/evaluator.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "rules_test_util.hpp"

namespace certd::rules {
namespace {

const TimePoint k_now = at("2026-11-23T12:00:00Z");

struct Row {
  const char* name;
  const char* rule;
  std::function<void(StudentFacts&)> change;
  std::string expected;  // Decision::summary()
};

void set_skill(StudentFacts& facts, const std::string& name, bool proficient) {
  for (SkillLevel& level : facts.skills)
    for (Skill& skill : level.skills)
      if (skill.name == name) skill.proficient = proficient;
}

const std::vector<Row>& rows() {
  static const std::vector<Row> k_rows = {
      // min_grade is an inclusive percent.
      {"grade exactly at the minimum", "aid", [](StudentFacts& f) { f.grade_percent = 80; }, "issue"},
      {"grade just below the minimum", "aid", [](StudentFacts& f) { f.grade_percent = 79.99; },
       "not yet: grade 79.99% is below 80%"},
      {"grade computed from points", "aid", [](StudentFacts& f) { f.grade_percent = 24.0 / 30.0 * 100.0; }, "issue"},
      {"full marks", "aid", [](StudentFacts& f) { f.grade_percent = 100; }, "issue"},
      {"no grade yet", "aid", [](StudentFacts& f) { f.grade_percent.reset(); },
       "not yet: no grade yet (80% needed)"},
      {"neither completed nor passed", "aid",
       [](StudentFacts& f) {
         f.completed = false;
         f.grade_percent = 50;
       },
       "not yet: course not completed; grade 50% is below 80%"},
      // completed_between includes both edge days, to the second.
      {"completed at the first second of the range", "term",
       [](StudentFacts& f) { f.completed_at = at("2026-01-01T00:00:00Z"); }, "issue"},
      {"completed a second before the range", "term",
       [](StudentFacts& f) { f.completed_at = at("2025-12-31T23:59:59Z"); },
       "not yet: completed on 2025-12-31, not between 2026-01-01 and 2026-06-30"},
      {"completed at the last second of the range", "term",
       [](StudentFacts& f) { f.completed_at = at("2026-06-30T23:59:59Z"); }, "issue"},
      {"completed a second after the range", "term",
       [](StudentFacts& f) { f.completed_at = at("2026-07-01T00:00:00Z"); },
       "not yet: completed on 2026-07-01, not between 2026-01-01 and 2026-06-30"},
      {"not completed, within no range", "term", [](StudentFacts& f) { f.completed = false; },
       "not yet: course not completed"},
      {"completed on an unknown date", "term", [](StudentFacts& f) { f.completed_at.reset(); },
       "not yet: completion date unknown (must be between 2026-01-01 and 2026-06-30)"},
      // all_skills_proficient: every skill of the level.
      {"every level 3 skill proficient", "swim3", [](StudentFacts&) {}, "pending approval"},
      {"two level 3 skills missing", "swim3",
       [](StudentFacts& f) {
         set_skill(f, "Backstroke 25m", false);
         set_skill(f, "Treading water 1 min", false);
       },
       "not yet: 2 of 5 Level 3 skills not proficient (Backstroke 25m, Treading water 1 min)"},
      {"one level 3 skill missing", "swim3", [](StudentFacts& f) { set_skill(f, "Dive", false); },
       "not yet: 1 of 5 Level 3 skills not proficient (Dive)"},
      {"no level 3 recorded", "swim3", [](StudentFacts& f) { f.skills.erase(f.skills.begin()); },
       "not yet: no Level 3 skills of Swim Skills recorded"},
      {"level 3 of another framework", "swim3", [](StudentFacts& f) { f.skills[0].framework = "Diving"; },
       "not yet: no Level 3 skills of Swim Skills recorded"},
      {"level 3 with no skills at all", "swim3", [](StudentFacts& f) { f.skills[0].skills.clear(); },
       "not yet: no Level 3 skills of Swim Skills recorded"},
      {"level 3 done while level 4 is not", "swim3", [](StudentFacts& f) { set_skill(f, "Front crawl 50m", false); },
       "pending approval"},
      // skills_proficient: named skills, wherever they are recorded.
      {"both named skills proficient", "skills", [](StudentFacts&) {}, "issue"},
      {"one named skill not proficient", "skills", [](StudentFacts& f) { set_skill(f, "Float", false); },
       "not yet: 1 of 2 skills not proficient (Float)"},
      {"one named skill never assessed", "skills",
       [](StudentFacts& f) { f.skills[0].skills.erase(f.skills[0].skills.begin() + 3); },
       "not yet: 1 of 2 skills not proficient (Dive: not assessed)"},
      // profile_field_equals is exact.
      {"profile field matches", "member", [](StudentFacts&) {}, "issue"},
      {"profile field differs", "member", [](StudentFacts& f) { f.profile_fields["membership"] = "silver"; },
       "not yet: profile field 'membership' is 'silver', not 'gold'"},
      {"profile field differs in case", "member", [](StudentFacts& f) { f.profile_fields["membership"] = "Gold"; },
       "not yet: profile field 'membership' is 'Gold', not 'gold'"},
      {"profile field missing", "member", [](StudentFacts& f) { f.profile_fields.erase("membership"); },
       "not yet: profile field 'membership' is not set (must be 'gold')"},
      // not / any.
      {"not: holds when the inner one does not", "unfinished", [](StudentFacts& f) { f.completed = false; }, "issue"},
      {"not: fails when the inner one holds", "unfinished", [](StudentFacts&) {},
       "not yet: must not be: course completed"},
      {"any: first alternative", "either",
       [](StudentFacts& f) {
         f.grade_percent = 95;
         f.profile_fields.clear();
       },
       "pending approval"},
      {"any: no alternative", "either", [](StudentFacts& f) { f.profile_fields["membership"] = "silver"; },
       "not yet: none of these holds: grade 85% is below 90% / profile field 'membership' is 'silver', not 'gold'"},
      // Enrolment comes before conditions.
      {"access suspended", "aid", [](StudentFacts& f) { f.enrolment = Enrolment::suspended; },
       "not yet: access to C is suspended"},
      {"not enrolled", "aid", [](StudentFacts& f) { f.enrolment = Enrolment::not_enrolled; },
       "not yet: not enrolled in C"},
      {"facts of another course", "aid", [](StudentFacts& f) { f.course = "FA-101"; },
       "not yet: not enrolled in C"},
  };
  return k_rows;
}

TEST(RuleEvaluator, DecidesEveryRowOfTheTable) {
  RuleSet rules = test_rules();
  for (const Row& row : rows()) {
    StudentFacts facts = good_student();
    row.change(facts);
    const Rule* rule = rules.find(row.rule);
    ASSERT_NE(rule, nullptr) << row.rule;
    Decision decision = evaluate(*rule, facts, {}, k_now);
    EXPECT_EQ(decision.summary(), row.expected) << row.name;
    EXPECT_EQ(decision.rule, rule) << row.name;
  }
}

// Every rule against every row's facts: the parts of a decision agree
// with each other, whatever the outcome.
TEST(RuleEvaluator, DecisionsAreConsistentOverAllFactsAndRules) {
  RuleSet rules = test_rules();
  int decided = 0;
  for (const Row& row : rows()) {
    StudentFacts facts = good_student();
    row.change(facts);
    for (const Rule& rule : rules.rules()) {
      Decision decision = evaluate(rule, facts, {}, k_now);
      const bool enrolled = facts.course == rule.course && facts.enrolment == Enrolment::active;
      const bool holds = conditions_hold(rule.when, facts);
      SCOPED_TRACE(std::string(row.name) + " / " + rule.id);
      EXPECT_EQ(decision.outcome == Outcome::not_yet, !enrolled || !holds);
      EXPECT_EQ(decision.unmet.empty(), decision.outcome != Outcome::not_yet);
      EXPECT_EQ(unmet_conditions(rule.when, facts).empty(), holds);
      if (decision.outcome == Outcome::not_yet) continue;
      EXPECT_EQ(decision.outcome, rule.issue == IssueMode::automatic ? Outcome::issue : Outcome::pending);
      EXPECT_EQ(decision.key.to_string(), "rule:" + rule.id + "|student:42|course:C|gen:1");
      EXPECT_EQ(decision.level_change.has_value(), rule.progression.has_value());
      ++decided;
    }
  }
  EXPECT_GT(decided, 100) << "the table must reach the issuing branch often";
}

TEST(RuleEvaluator, ARuleWithoutConditionsNeverIssues) {
  Rule rule;
  rule.id = "built-by-hand";
  rule.course = "C";
  rule.issue = IssueMode::automatic;
  EXPECT_EQ(evaluate(rule, good_student(), {}, k_now).summary(), "not yet: the rule has no conditions");
}

TEST(RuleEvaluator, ProgressionYieldsTheLevelChangeToAction) {
  RuleSet rules = test_rules();
  Decision decision = evaluate(*rules.find("swim3"), good_student(), {}, k_now);
  ASSERT_EQ(decision.outcome, Outcome::pending);
  ASSERT_TRUE(decision.level_change);
  EXPECT_EQ(decision.level_change->student_id, "42");
  EXPECT_EQ(decision.level_change->from_course, "C");
  EXPECT_EQ(decision.level_change->to_course, "C2");
  EXPECT_FALSE(evaluate(*rules.find("aid"), good_student(), {}, k_now).level_change);
}

IssuedCertificate issued(const char* rule, int generation, const char* number, const char* when) {
  IssuedCertificate certificate;
  certificate.rule_id = rule;
  certificate.course = "C";
  certificate.generation = generation;
  certificate.number = number;
  certificate.issued_at = at(when);
  return certificate;
}

TEST(RuleEvaluator, IssuesOnceThenReportsAlreadyIssued) {
  RuleSet rules = test_rules();
  const Rule& aid = *rules.find("aid");
  IssuedHistory history = {issued("aid", 1, "FAID-0001", "2026-03-16T00:00:00Z")};
  Decision decision = evaluate(aid, good_student(), history, k_now);
  EXPECT_EQ(decision.summary(), "already issued (FAID-0001)");
  EXPECT_EQ(decision.key.to_string(), "rule:aid|student:42|course:C|gen:1");

  history.push_back(issued("aid", 2, "FAID-0002", "2026-04-01T00:00:00Z"));
  EXPECT_EQ(evaluate(aid, good_student(), history, k_now).key.generation, 2) << "the latest generation counts";

  history[0].revoked = history[1].revoked = true;
  EXPECT_EQ(evaluate(aid, good_student(), history, k_now).outcome, Outcome::already_issued)
      << "a revoked certificate comes back only by an explicit reissue";

  IssuedHistory other = {issued("term", 1, "T-1", "2026-03-16T00:00:00Z"), issued("aid", 1, "X", "2026-03-16T00:00:00Z")};
  other[1].course = "FA-101";
  EXPECT_EQ(evaluate(aid, good_student(), other, k_now).outcome, Outcome::issue)
      << "another rule's or another course's certificate does not count";
}

TEST(RuleEvaluator, RenewsAnExpiredCertificateAfterTheCourseIsCompletedAgain) {
  RuleSet rules = test_rules();
  const Rule& aid = *rules.find("aid");
  IssuedCertificate old = issued("aid", 1, "FAID-0001", "2024-03-16T00:00:00Z");
  old.expires_at = expiry_of(aid, old.issued_at);
  ASSERT_EQ(format_date(*old.expires_at), "2026-03-16");

  StudentFacts refreshed = good_student();
  refreshed.completed_at = at("2026-10-01T09:00:00Z");
  Decision renewal = evaluate(aid, refreshed, {old}, k_now);
  EXPECT_EQ(renewal.outcome, Outcome::issue);
  EXPECT_EQ(renewal.key.to_string(), "rule:aid|student:42|course:C|gen:2");

  StudentFacts stale = good_student();
  stale.completed_at = at("2024-03-15T09:00:00Z");
  EXPECT_EQ(evaluate(aid, stale, {old}, k_now).outcome, Outcome::already_issued) << "no new completion";
  EXPECT_EQ(evaluate(aid, refreshed, {old}, at("2026-03-15T00:00:00Z")).outcome, Outcome::already_issued)
      << "not expired yet";
  old.revoked = true;
  EXPECT_EQ(evaluate(aid, refreshed, {old}, k_now).outcome, Outcome::already_issued) << "revoked is never renewed";
}

TEST(RuleEvaluator, ExpiryFollowsTheRule) {
  RuleSet rules = test_rules();
  TimePoint issued_at = at("2026-11-23T12:00:00Z");
  EXPECT_EQ(format_iso8601(*expiry_of(*rules.find("aid"), issued_at)), "2028-11-23T12:00:00Z")
      << "2y moves the calendar date by two years";
  EXPECT_FALSE(expiry_of(*rules.find("swim3"), issued_at));
}

}  // namespace
}  // namespace certd::rules
