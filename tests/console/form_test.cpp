#include <gtest/gtest.h>

#include "console/form.hpp"
#include "console/sessions.hpp"

namespace certd::console {
namespace {

TEST(Form, DecodesRepeatsAndRefusesBrokenEscapes) {
  auto fields = parse_form("id=1&id=2&notes=Well+done%21&empty=&flag");
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields_named(*fields, "id"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(field(*fields, "notes"), "Well done!");
  EXPECT_EQ(field(*fields, "empty"), "");
  EXPECT_EQ(field(*fields, "flag"), "");
  EXPECT_EQ(field(*fields, "absent"), "");
  EXPECT_FALSE(parse_form("a=%4"));
  EXPECT_FALSE(parse_form("a=%zz"));
  EXPECT_FALSE(parse_form("a=1&b=2&c=3", 2));
  EXPECT_EQ(url_encode("a b/&é"), "a%20b%2F%26%C3%A9");
}

TEST(Form, OriginsAreSchemeHostAndPort) {
  EXPECT_EQ(url_origin("https://certs.example.edu/lti/launch"), "https://certs.example.edu");
  EXPECT_EQ(url_origin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_NE(url_origin("https://certs.example.edu.evil.example/x"), url_origin("https://certs.example.edu/"));
  EXPECT_NE(url_origin("https://certs.example.edu@evil.example/x"), url_origin("https://certs.example.edu/"));
}

TEST(Cookies, FindTheirOwnValueOnly) {
  EXPECT_EQ(cookie_value("a=1; certd_session=xyz; b=2", "certd_session"), "xyz");
  EXPECT_EQ(cookie_value("xcertd_session=no; certd_session=yes", "certd_session"), "yes");
  EXPECT_EQ(cookie_value("certd_sessionx=no", "certd_session"), "");
  EXPECT_EQ(cookie_value("", "certd_session"), "");
}

}  // namespace
}  // namespace certd::console
