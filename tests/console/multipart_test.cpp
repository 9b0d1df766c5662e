// The console's multipart/form-data parser (console/multipart.hpp): what
// browsers and curl -F send parses; everything else is refused, with a
// message, within the limits.
#include <gtest/gtest.h>

#include "console/multipart.hpp"

namespace certd::console {
namespace {

constexpr const char* k_type = "multipart/form-data; boundary=----certdB0undary";

std::string body(const std::string& parts) { return parts + "------certdB0undary--\r\n"; }

std::string part(const std::string& disposition, const std::string& content, const std::string& extra = "") {
  return "------certdB0undary\r\nContent-Disposition: " + disposition + "\r\n" + extra + "\r\n" + content + "\r\n";
}

TEST(MultipartTest, ParsesABrowsersFormWithAFile) {
  std::string b = body(part("form-data; name=\"csrf\"", "tok") +
                       part("form-data; name=\"csv\"; filename=\"list.csv\"", "student,name\r\n1,Ada\r\n",
                            "Content-Type: text/csv\r\n") +
                       part("form-data; name=\"skip_bad\"", "1"));
  auto parts = parse_multipart(b, k_type);
  ASSERT_TRUE(parts) << parts.error().message();
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].name, "csrf");
  EXPECT_EQ((*parts)[0].body, "tok");
  EXPECT_FALSE((*parts)[0].filename);
  const MultipartPart* csv = part_named(*parts, "csv");
  ASSERT_NE(csv, nullptr);
  EXPECT_EQ(*csv->filename, "list.csv");
  EXPECT_EQ(csv->content_type, "text/csv");
  EXPECT_EQ(csv->body, "student,name\r\n1,Ada\r\n") << "CRLF inside content is content";
  EXPECT_EQ(part_named(*parts, "nope"), nullptr);
}

TEST(MultipartTest, BoundaryMayBeQuotedAndTheEpilogueAbsent) {
  auto parts = parse_multipart("--a b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--a b--",
                               "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"");
  ASSERT_TRUE(parts) << parts.error().message();
  EXPECT_EQ((*parts)[0].body, "1");
}

TEST(MultipartTest, AnEmptyFileInputHasAnEmptyFilename) {
  auto parts = parse_multipart(body(part("form-data; name=\"csv\"; filename=\"\"", "")), k_type);
  ASSERT_TRUE(parts) << parts.error().message();
  ASSERT_TRUE((*parts)[0].filename);
  EXPECT_EQ(*(*parts)[0].filename, "");
}

TEST(MultipartTest, EscapedQuotesInAName) {
  auto parts = parse_multipart(body(part(R"(form-data; name="a\"b"; filename="c\\d.csv")", "")), k_type);
  ASSERT_TRUE(parts) << parts.error().message();
  EXPECT_EQ((*parts)[0].name, "a\"b");
  EXPECT_EQ(*(*parts)[0].filename, "c\\d.csv");
}

void expect_refused(const std::string& b, const std::string& type, const std::string& why,
                    const MultipartLimits& limits = {}) {
  auto parts = parse_multipart(b, type, limits);
  ASSERT_FALSE(parts) << "accepted: " << b;
  EXPECT_EQ(parts.error().code(), ErrorCode::invalid_argument);
  EXPECT_NE(parts.error().message().find(why), std::string::npos) << parts.error().message();
}

TEST(MultipartTest, RefusesContentTypesWithoutAValidBoundary) {
  std::string b = body(part("form-data; name=\"x\"", "1"));
  expect_refused(b, "application/x-www-form-urlencoded", "not multipart/form-data");
  expect_refused(b, "multipart/mixed; boundary=----certdB0undary", "not multipart/form-data");
  expect_refused(b, "multipart/form-data", "no boundary");
  expect_refused(b, "multipart/form-data; boundary=", "not valid");
  expect_refused(b, "multipart/form-data; boundary=" + std::string(71, 'a'), "not valid");
  expect_refused(b, "multipart/form-data; boundary=\"ab \"", "not valid");
  expect_refused(b, "multipart/form-data; boundary=a<b", "not valid");
  expect_refused(b, "multipart/form-data; boundary=a; boundary=b", "named twice");
  expect_refused(b, "multipart/form-data; boundary=\"abc", "not closed");
}

TEST(MultipartTest, RefusesBrokenFraming) {
  expect_refused("preamble\r\n" + body(part("form-data; name=\"x\"", "1")), k_type, "does not start");
  expect_refused(part("form-data; name=\"x\"", "1"), k_type, "closing boundary");
  expect_refused(body(part("form-data; name=\"x\"", "1")) + "trailing", k_type, "after the closing");
  expect_refused("------certdB0undary\nContent-Disposition: form-data; name=x\n\n1\n------certdB0undary--", k_type,
                 "CRLF");
  expect_refused("------certdB0undary\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n------certdB0undaryX",
                 k_type, "not followed by CRLF");
  expect_refused("------certdB0undary\r\nContent-Disposition: form-data; name=x\r\n", k_type, "do not end");
}

TEST(MultipartTest, RefusesBadPartHeaders) {
  expect_refused(body(part("attachment; name=\"x\"", "1")), k_type, "not form-data");
  expect_refused(body(part("form-data; filename=\"x\"", "1")), k_type, "no name");
  expect_refused(body(part("form-data; name=\"\"", "1")), k_type, "no name");
  expect_refused(body("------certdB0undary\r\nContent-Type: text/plain\r\n\r\n1\r\n"), k_type,
                 "no Content-Disposition");
  expect_refused(body(part("form-data; name=\"x\"", "1", "Content-Type: multipart/mixed; boundary=z\r\n")), k_type,
                 "itself multipart");
  expect_refused(body(part("form-data; name=\"x\"", "1", "Content-Transfer-Encoding: base64\r\n")), k_type,
                 "not binary");
  expect_refused(body(part("form-data; name=\"x\"", "1", " folded\r\n")), k_type, "folded");
  expect_refused(body(part("form-data; name=\"x\"", "1", "no colon\r\n")), k_type, "without a name");
  expect_refused(body(part("form-data; name=\"x\"", "1", "Content-Disposition: form-data; name=y\r\n")), k_type,
                 "two Content-Disposition");
  expect_refused(body(part("form-data; name=\"x\" junk", "1")), k_type, "after a quoted");
}

TEST(MultipartTest, EnforcesItsLimits) {
  MultipartLimits limits;
  limits.max_parts = 2;
  limits.max_part_bytes = 4;
  limits.max_header_bytes = 60;
  std::string two = part("form-data; name=\"a\"", "1") + part("form-data; name=\"b\"", "1234");
  EXPECT_TRUE(parse_multipart(body(two), k_type, limits));
  expect_refused(body(two + part("form-data; name=\"c\"", "1")), k_type, "more than 2 parts", limits);
  expect_refused(body(part("form-data; name=\"a\"", "12345")), k_type, "larger than 4 bytes", limits);
  expect_refused(body(part("form-data; name=\"a\"", "1", "X-Long: " + std::string(60, 'x') + "\r\n")), k_type,
                 "headers are too long", limits);
  // An unterminated header block is refused at the limit, not searched to the end.
  expect_refused("------certdB0undary\r\n" + std::string(1000, 'x'), k_type, "too long", limits);
}

}  // namespace
}  // namespace certd::console
