// The keys with no default (lms.url and the LMS token): a missing one is
// one error, at the key of its section or at 1:1 without the section,
// saying what to add.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.hpp"

namespace certd::config {
namespace {

constexpr const char* k_url_error =
    "lms.url is required (the LMS base URL, e.g. https://moodle.example.org)";
constexpr const char* k_token_error =
    "lms.token_env or lms.token_file is required (where the Moodle web-service token is, e.g. token_env: "
    "CERTD_LMS_TOKEN)";

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> errors;
  for (const Error& e : parse(text, "certd.yaml", "/etc/certd").errors) errors.push_back(e.to_string());
  return errors;
}

std::string at(const std::string& where, const std::string& message) { return "certd.yaml:" + where + ": " + message; }

struct RequiredCase {
  const char* name;
  std::string text;
  std::vector<std::string> expected;
};

void PrintTo(const RequiredCase& c, std::ostream* out) { *out << c.name; }

class MissingRequired : public ::testing::TestWithParam<RequiredCase> {};

TEST_P(MissingRequired, IsOneErrorAtTheParent) { EXPECT_EQ(errors_of(GetParam().text), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    EachKey, MissingRequired,
    ::testing::Values(
        RequiredCase{"url", "# certd\ndata_dir: /d\nlms:\n  token_env: CERTD_LMS_TOKEN\n", {at("3:1", k_url_error)}},
        RequiredCase{"url_null", "lms:\n  url:\n  token_env: CERTD_LMS_TOKEN\n", {at("1:1", k_url_error)}},
        RequiredCase{"token", "data_dir: /d\n  \nlms: {url: 'https://moodle.example.org'}\n",
                     {at("3:1", k_token_error)}},
        RequiredCase{"both", "data_dir: /d\nlms:\n  kind: moodle\n", {at("2:1", k_url_error), at("2:1", k_token_error)}},
        RequiredCase{"null_section", "data_dir: /d\nlms:\n", {at("2:1", k_url_error), at("2:1", k_token_error)}},
        RequiredCase{"missing_section", "data_dir: /d\nportal: {listen: '127.0.0.1:8080'}\n",
                     {at("1:1", k_url_error), at("1:1", k_token_error)}},
        RequiredCase{"empty_file", "", {at("1:1", k_url_error), at("1:1", k_token_error)}},
        RequiredCase{"only_comments", "# certd.yaml\n\n# nothing yet\n",
                     {at("1:1", k_url_error), at("1:1", k_token_error)}},
        // A value that is there but wrong is reported as such, not as missing.
        RequiredCase{"bad_url_is_not_missing", "lms: {url: moodle, token_env: T}\n",
                     {at("1:12", "lms.url: 'moodle' is not a URL (expected scheme://host)")}},
        RequiredCase{"inline_token_is_not_missing", "lms: {url: 'http://m.example', token: abc}\n",
                     {at("1:39", "lms.token: secrets are never written in the file; use token_env or token_file")}},
        RequiredCase{"bad_env_name_is_not_missing", "lms: {url: 'http://m.example', token_env: 1abc}\n",
                     {at("1:43", "lms.token_env: '1abc' is not an environment variable name")}},
        RequiredCase{"section_of_wrong_type_is_reported_once", "lms: [a, b]\n",
                     {at("1:6", "lms must be a map of keys, not a list")}},
        RequiredCase{"token_file_is_enough", "lms: {url: 'http://m.example', token_file: /etc/certd/token}\n", {}}),
    [](const auto& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace certd::config
