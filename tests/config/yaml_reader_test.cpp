#include "yaml/yaml_reader.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace certd::yaml {
namespace {

std::string first_error(const std::string& text, Limits limits = Limits()) {
  Diagnostics diagnostics("f.yaml");
  auto node = parse(text, diagnostics, limits);
  if (node) return "parsed";
  return diagnostics.errors().front().to_string();
}

TEST(YamlParse, RefusesAliasBombsBeforeBuildingNodes) {
  const char* bomb =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\"]\n"
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n";
  EXPECT_EQ(first_error(bomb), "f.yaml:1:4: YAML anchors (&name) are not allowed here");
  EXPECT_EQ(first_error("x: *undefined\n"), "f.yaml:1:4: YAML syntax error: the referenced anchor is not defined");
}

TEST(YamlParse, RefusesDuplicateKeysAtAnyDepth) {
  EXPECT_EQ(first_error("a:\n  b: 1\n  c: 2\n  b: 3\n"), "f.yaml:4:3: duplicate key 'b'");
  EXPECT_EQ(first_error("- {x: 1, x: 2}\n"), "f.yaml:1:10: duplicate key 'x'");
  EXPECT_EQ(first_error("- {x: 1}\n- {x: 2}\n"), "parsed") << "same key in sibling maps is fine";
}

TEST(YamlParse, RefusesComplexKeysManyNodesAndSeveralDocuments) {
  EXPECT_EQ(first_error("? [a, b]\n: 1\n"), "f.yaml:1:3: map keys must be plain text");
  Limits small;
  small.max_nodes = 10;
  EXPECT_EQ(first_error("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", small), "f.yaml:1:29: too many YAML nodes (limit 10)");
  EXPECT_EQ(first_error("a: 1\n---\nb: 2\n"), "f.yaml:2:1: only one YAML document is allowed; a second one starts here");
}

TEST(MapReader, ReportsUnknownKeysAndWrongTypes) {
  Diagnostics diagnostics("f.yaml");
  auto node = parse("n: 12\nflag: maybe\nlist: [a, {b: c}]\nextra: 1\n", diagnostics);
  ASSERT_TRUE(node);
  MapReader reader(*node, "top", diagnostics);
  EXPECT_EQ(*reader.integer("n", 0, 100), 12);
  EXPECT_FALSE(reader.boolean("flag"));
  EXPECT_FALSE(reader.string_list("list"));
  EXPECT_FALSE(reader.string("absent", /*required=*/true));
  reader.finish();
  std::vector<std::string> messages;
  for (const Error& e : diagnostics.errors()) messages.push_back(e.to_string());
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "f.yaml:2:7: top.flag: expected true or false, found 'maybe'",
                          "f.yaml:3:11: top.list: list items must be text, found a map",
                          "f.yaml:1:1: top.absent: required key is missing",
                          "f.yaml:4:1: unknown key 'top.extra' (known keys: n, flag, list, absent)",
                      }));
}

// yaml-cpp throws from Type() and Mark() of the "zombie" a missed const
// operator[] returns, and from operator[] on a scalar; none of our
// accessors may.
TEST(SafeAccess, MissingKeysAndWrongNodeTypesNeverThrow) {
  Diagnostics diagnostics("f.yaml");
  auto node = parse("s: text\nm: {a: 1}\nn:\n", diagnostics);
  ASSERT_TRUE(node);
  const YAML::Node& root = *node;
  const YAML::Node zombie = root["absent"];
  EXPECT_EQ(type_of(zombie), YAML::NodeType::Undefined);
  EXPECT_EQ(describe(zombie), "nothing");
  EXPECT_EQ(diagnostics.at(zombie).line, 0);
  EXPECT_FALSE(find(zombie, "a"));
  EXPECT_FALSE(find(root["s"], "a")) << "a scalar has no keys";
  EXPECT_FALSE(find(root["n"], "a")) << "nor has an empty value";
  ASSERT_TRUE(find(root, "m"));
  EXPECT_EQ(diagnostics.at(find(root, "m")->key).to_string(), "f.yaml:2:1");
  EXPECT_EQ(diagnostics.at(find(root, "m")->value).to_string(), "f.yaml:2:4");

  MapReader reader(root, "", diagnostics);
  YAML::Node absent = reader.get("absent");
  EXPECT_EQ(type_of(absent), YAML::NodeType::Undefined);
  EXPECT_NO_THROW(absent.Mark());
  EXPECT_NO_THROW(absent.Type());
  EXPECT_FALSE(reader.key_node("absent"));
  EXPECT_EQ(diagnostics.at(*reader.key_node("n")).to_string(), "f.yaml:3:1");

  MapReader on_zombie(zombie, "z", diagnostics);
  EXPECT_FALSE(on_zombie.valid());
  EXPECT_FALSE(on_zombie.has("a"));
  EXPECT_FALSE(on_zombie.string("a", /*required=*/true));
  on_zombie.finish();
  MapReader on_scalar(root["s"], "s", diagnostics);
  EXPECT_FALSE(on_scalar.valid());
  EXPECT_FALSE(on_scalar.integer("a", 0, 1));
  std::vector<std::string> messages;
  for (const Error& e : diagnostics.errors()) messages.push_back(e.to_string());
  EXPECT_EQ(messages, (std::vector<std::string>{"f.yaml: z must be a map of keys, not nothing",
                                                "f.yaml:1:4: s must be a map of keys, not 'text'"}));
}

}  // namespace
}  // namespace certd::yaml
