#include "rules/requests.hpp"

#include <gtest/gtest.h>

#include "rules_test_util.hpp"

namespace certd::rules {
namespace {

TEST(ForceIssue, IssuesNowSkippingUnmetConditionsAndApproval) {
  RuleSet rules = test_rules();
  StudentFacts facts = good_student();
  facts.skills[0].skills[1].proficient = false;
  auto decision = force_issue(rules, "swim3", facts, {});
  ASSERT_TRUE(decision) << decision.error().to_string();
  EXPECT_EQ(decision->outcome, Outcome::issue) << "a pending rule is not queued when forced";
  EXPECT_TRUE(decision->forced);
  EXPECT_EQ(decision->unmet, (std::vector<std::string>{"1 of 5 Level 3 skills not proficient (Backstroke 25m)"}));
  EXPECT_EQ(decision->summary(), "issue now, skipping: 1 of 5 Level 3 skills not proficient (Backstroke 25m)");
  EXPECT_EQ(decision->key.to_string(), "rule:swim3|student:42|course:C|gen:1")
      << "the rule's own key, so the rule never issues a second one later";
  ASSERT_TRUE(decision->level_change);
  EXPECT_EQ(decision->level_change->to_course, "C2");
}

TEST(ForceIssue, IssuesWithNothingSkippedWhenConditionsHold) {
  RuleSet rules = test_rules();
  auto decision = force_issue(rules, "aid", good_student(), {});
  ASSERT_TRUE(decision) << decision.error().to_string();
  EXPECT_TRUE(decision->unmet.empty());
  EXPECT_EQ(decision->summary(), "issue");
}

TEST(ForceIssue, RefusesWithoutRuleCourseOrActiveAccess) {
  RuleSet rules = test_rules();
  struct Case {
    const char* rule;
    std::function<void(StudentFacts&)> change;
    ErrorCode code;
    std::string message;
  };
  const Case cases[] = {
      {"no-such-rule", [](StudentFacts&) {}, ErrorCode::not_found, "cannot issue now: there is no rule 'no-such-rule'"},
      {"aid", [](StudentFacts& f) { f.enrolment = Enrolment::not_enrolled; }, ErrorCode::invalid_argument,
       "cannot issue now: student 42 is not enrolled in C (rule 'aid')"},
      {"aid", [](StudentFacts& f) { f.course = "FA-101"; }, ErrorCode::invalid_argument,
       "cannot issue now: student 42 is not enrolled in C (rule 'aid')"},
      {"aid", [](StudentFacts& f) { f.enrolment = Enrolment::suspended; }, ErrorCode::invalid_argument,
       "cannot issue now: student 42 has no active access to C (suspended)"},
  };
  for (const Case& c : cases) {
    StudentFacts facts = good_student();
    c.change(facts);
    auto decision = force_issue(rules, c.rule, facts, {});
    ASSERT_FALSE(decision) << c.message;
    EXPECT_EQ(decision.error().code(), c.code) << c.message;
    EXPECT_EQ(decision.error().message(), c.message);
  }
}

TEST(ForceIssue, RefusesWhenAlreadyIssuedAndPointsToReissue) {
  RuleSet rules = test_rules();
  IssuedCertificate existing;
  existing.rule_id = "aid";
  existing.course = "C";
  existing.number = "FAID-7K4M";
  auto decision = force_issue(rules, "aid", good_student(), {existing});
  ASSERT_FALSE(decision);
  EXPECT_EQ(decision.error().code(), ErrorCode::conflict);
  EXPECT_EQ(decision.error().message(),
            "cannot issue now: rule 'aid' was already issued to student 42 as FAID-7K4M; reissue that certificate "
            "instead");
}

AdhocRequest encouragement() {
  AdhocRequest request;
  request.request_id = "event-9";
  request.student_id = "42";
  request.template_id = "encouragement";
  request.teacher = "Ms Rivers";
  request.notes = "Great effort in the deep end!";
  return request;
}

TEST(AdhocIssue, NeedsNoRuleAndGetsItsOwnKey) {
  auto issue = check_adhoc(encouragement(), {"encouragement"});
  ASSERT_TRUE(issue) << issue.error().to_string();
  EXPECT_EQ(issue->key.to_string(), "adhoc:event-9|student:42|course:|gen:1");
  EXPECT_EQ(issue->request.teacher, "Ms Rivers");
  EXPECT_EQ(issue->request.notes, "Great effort in the deep end!");
}

TEST(AdhocIssue, RefusesIncompleteRequestsWithAClearMessage) {
  struct Case {
    std::function<void(AdhocRequest&)> change;
    std::string message;
  };
  const Case cases[] = {
      {[](AdhocRequest& r) { r.request_id.clear(); }, "ad-hoc certificate: a request id is required"},
      {[](AdhocRequest& r) { r.student_id.clear(); }, "ad-hoc certificate: a student is required"},
      {[](AdhocRequest& r) { r.template_id.clear(); }, "ad-hoc certificate: a template is required"},
      {[](AdhocRequest& r) { r.teacher.clear(); }, "ad-hoc certificate: a teacher is required"},
      {[](AdhocRequest& r) { r.template_id = "encouragment"; }, "ad-hoc certificate: unknown template 'encouragment'"},
      {[](AdhocRequest& r) { r.notes = std::string(501, 'x'); },
       "ad-hoc certificate: notes are 501 characters; at most 500 fit on a certificate"},
  };
  for (const Case& c : cases) {
    AdhocRequest request = encouragement();
    c.change(request);
    auto issue = check_adhoc(request, {"encouragement"});
    ASSERT_FALSE(issue) << c.message;
    EXPECT_EQ(issue.error().code(), ErrorCode::invalid_argument);
    EXPECT_EQ(issue.error().message(), c.message);
  }
  AdhocRequest longest = encouragement();
  longest.notes = std::string(500, 'x');
  EXPECT_TRUE(check_adhoc(longest, {"encouragement"})) << "500 characters fit";
}

}  // namespace
}  // namespace certd::rules
