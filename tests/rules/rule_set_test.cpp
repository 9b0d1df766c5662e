#include "rules/rule_set.hpp"

#include <gtest/gtest.h>

namespace certd::rules {
namespace {

std::string rule_text(const std::string& id, const std::string& course) {
  return "version: 1\nrules:\n  - id: " + id + "\n    course: " + course +
         "\n    when: {course_completed: true}\n    issue: automatic\n    template: t\n";
}

TEST(RuleSet, MergesFilesAndFindsRulesByIdAndCourse) {
  RuleSetResult loaded = load_rule_set({{"a.yaml", rule_text("a", "C")}, {"b.yaml", rule_text("b", "D")},
                                        {"c.yaml", rule_text("c", "C")}},
                                       {"t"});
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().to_string();
  EXPECT_EQ(loaded.rules.size(), 3u);
  ASSERT_NE(loaded.rules.find("b"), nullptr);
  EXPECT_EQ(loaded.rules.find("b")->course, "D");
  EXPECT_EQ(loaded.rules.find("z"), nullptr);
  const auto& of_c = loaded.rules.for_course("C");
  ASSERT_EQ(of_c.size(), 2u);
  EXPECT_EQ(of_c[0]->id, "a");
  EXPECT_EQ(of_c[1]->id, "c");
  EXPECT_TRUE(loaded.rules.for_course("nowhere").empty());
}

TEST(RuleSet, ReportsDuplicateIdsAcrossFilesWithBothLocations) {
  RuleSetResult loaded = load_rule_set({{"rules/a.yaml", rule_text("swim", "C")},
                                        {"rules/b.yaml", "# another teacher's file\n" + rule_text("swim", "D")}},
                                       {"t"});
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].to_string(),
            "rules/b.yaml:4:9: duplicate rule id 'swim' (first defined at rules/a.yaml:3:9)");
  EXPECT_EQ(loaded.rules.size(), 1u);
  EXPECT_EQ(loaded.rules.find("swim")->course, "C") << "the first one stays";
}

TEST(RuleSet, CollectsErrorsOfEveryFileInOrder) {
  RuleSetResult loaded = load_rule_set({{"a.yaml", "version: 1\nrules: [\n"}, {"b.yaml", rule_text("b", "C")},
                                        {"c.yaml", rule_text("c", "C") + "    extra: 1\n"}},
                                       {"t"});
  ASSERT_EQ(loaded.errors.size(), 2u);
  EXPECT_EQ(loaded.errors[0].where().file, "a.yaml");
  EXPECT_EQ(loaded.errors[1].where().to_string(), "c.yaml:8:5");
  EXPECT_EQ(loaded.rules.size(), 1u) << "good rules of good files still load";
}

}  // namespace
}  // namespace certd::rules
