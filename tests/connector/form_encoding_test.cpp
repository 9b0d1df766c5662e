#include "connector/moodle/form_encoding.hpp"

#include <gtest/gtest.h>

namespace certd::connector::moodle {
namespace {

TEST(FormBuilder, EncodesNestedFieldsInPhpBracketSyntax) {
  FormBuilder form;
  form.add_records("notes", {{{"userid", "6"}, {"text", "Zoë & Łukasz"}}}).add_bool("flag", true).add_list("values", {"a", "b"});
  EXPECT_EQ(form.encode(),
            "notes%5B0%5D%5Buserid%5D=6&notes%5B0%5D%5Btext%5D=Zo%C3%AB%20%26%20%C5%81ukasz&flag=1&"
            "values%5B0%5D=a&values%5B1%5D=b");
}

TEST(FormBuilder, SendsBooleansAsDigits) {
  FormBuilder form;
  form.add_bool("yes", true).add_bool("no", false);
  EXPECT_EQ(form.encode(), "yes=1&no=0");
}

TEST(ParseForm, ReadsSparseIndexesAndEmptyBracketsAsLists) {
  FormValue form = parse_form("values%5B7%5D=x&values%5B3%5D=y&more[]=a&more[]=b&options[0][name]=onlyactive");
  const FormValue* values = form.child("values");
  ASSERT_NE(values, nullptr);
  ASSERT_EQ(values->children.size(), 2u);
  EXPECT_EQ(values->children[0].second.scalar, "x");
  EXPECT_EQ(values->children[1].second.scalar, "y");
  const FormValue* more = form.child("more");
  ASSERT_NE(more, nullptr);
  EXPECT_EQ(more->children.size(), 2u);
  EXPECT_EQ(more->children[1].first, "1");
  EXPECT_EQ(form.child("options")->child("0")->child("name")->scalar, "onlyactive");
}

TEST(ParseForm, RoundTripsWhatTheBuilderEncodes) {
  FormBuilder form;
  form.add("text", std::string("Алексей Смирнов, 王小明 + 100%"));
  FormValue parsed = parse_form(form.encode());
  EXPECT_EQ(parsed.child("text")->scalar, "Алексей Смирнов, 王小明 + 100%");
}

}  // namespace
}  // namespace certd::connector::moodle
