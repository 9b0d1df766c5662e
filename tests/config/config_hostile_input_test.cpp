// Input that used to reach yaml-cpp's throwing accessors, or that a fuzzer
// would try: each gives located errors (every one of them, in file order)
// and never throws out of config::parse.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.hpp"

namespace certd::config {
namespace {

constexpr const char* k_lms = "lms: {url: 'https://moodle.example.org', token_env: CERTD_LMS_TOKEN}\n";

std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> errors;
  for (const Error& e : parse(text, "certd.yaml", "/etc/certd").errors) errors.push_back(e.to_string());
  return errors;
}

struct HostileCase {
  const char* name;
  std::string text;
  std::vector<std::string> expected;
};

void PrintTo(const HostileCase& c, std::ostream* out) { *out << c.name; }

class HostileInput : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileInput, GivesLocatedErrorsAndNeverThrows) {
  std::vector<std::string> errors;
  ASSERT_NO_THROW(errors = errors_of(GetParam().text));
  EXPECT_EQ(errors, GetParam().expected);
  for (const Error& e : parse(GetParam().text, "certd.yaml", "/etc/certd").errors) {
    EXPECT_GT(e.where().line, 0) << e.to_string();
    EXPECT_GT(e.where().column, 0) << e.to_string();
  }
}

INSTANTIATE_TEST_SUITE_P(
    EachShape, HostileInput,
    ::testing::Values(
        HostileCase{"scalar_section", std::string(k_lms) + "issuer: 5\n",
                    {"certd.yaml:2:9: issuer must be a map of keys, not '5'"}},
        HostileCase{"list_section", std::string(k_lms) + "portal: [a, b]\n",
                    {"certd.yaml:2:9: portal must be a map of keys, not a list"}},
        HostileCase{"list_lms", "lms: [a, b]\nissuer: 5\n",
                    {"certd.yaml:1:6: lms must be a map of keys, not a list",
                     "certd.yaml:2:9: issuer must be a map of keys, not '5'"}},
        HostileCase{"map_where_text_is_expected", std::string(k_lms) + "issuer: {name: {first: a}}\n",
                    {"certd.yaml:2:16: issuer.name: expected text, found a map"}},
        HostileCase{"list_where_text_is_expected", "lms: {url: [a], token_env: [b]}\n",
                    {"certd.yaml:1:12: lms.url: expected text, found a list",
                     "certd.yaml:1:28: lms.token_env: expected text, found a list"}},
        HostileCase{"map_top_level_scalar", std::string(k_lms) + "data_dir: {a: 1}\nlog_level: [debug]\n",
                    {"certd.yaml:2:11: data_dir: expected text, found a map",
                     "certd.yaml:3:12: log_level: expected text, found a list"}},
        HostileCase{"file_is_a_scalar", "just some text\n",
                    {"certd.yaml:1:1: the file must be a map of keys, not 'just some text'"}},
        HostileCase{"file_is_a_list", "- lms\n- portal\n", {"certd.yaml:1:1: the file must be a map of keys, not a list"}},
        HostileCase{"null_key", std::string(k_lms) + "~: 1\n", {"certd.yaml:2:1: unknown key '' (known keys: lms, portal, "
                                                               "webhooks, lti, smtp, issuer, quota, notify, store, data_dir, "
                                                               "rules_dir, templates_dir, log_level)"}},
        HostileCase{"duplicate_section", std::string(k_lms) + "portal: {}\nportal: {}\n",
                    {"certd.yaml:3:1: duplicate key 'portal'"}},
        HostileCase{"anchor_and_alias", std::string(k_lms) + "portal: &p {listen: '127.0.0.1:1'}\nnotify: *p\n",
                    {"certd.yaml:2:9: YAML anchors (&name) are not allowed here"}},
        HostileCase{"second_document", std::string(k_lms) + "---\nlms: {}\n",
                    {"certd.yaml:2:1: only one YAML document is allowed; a second one starts here"}},
        // yaml-cpp folds the rest of the file into the quoted URL.
        HostileCase{"unterminated_quote", "lms:\n  url: \"https://moodle.example.org\n  token_env: X\n",
                    {"certd.yaml:1:1: lms.token_env or lms.token_file is required (where the Moodle web-service "
                     "token is, e.g. token_env: CERTD_LMS_TOKEN)",
                     "certd.yaml:2:8: lms.url: URL contains spaces or control characters"}},
        HostileCase{"tab_indentation", "lms:\n\turl: x\n", {"certd.yaml:2:5: YAML syntax error: illegal map value"}},
        HostileCase{"deep_nesting", std::string(k_lms) + "notify: " + std::string(40, '[') + std::string(40, ']') + "\n",
                    {"certd.yaml:2:40: nesting deeper than 32 levels"}},
        HostileCase{"empty_values_in_wrong_places", std::string(k_lms) + "lms_extra:\nquota: {per_month: }\n",
                    {"certd.yaml:2:1: unknown key 'lms_extra' (known keys: lms, portal, webhooks, lti, smtp, issuer, "
                     "quota, notify, store, data_dir, rules_dir, templates_dir, log_level)"}},
        HostileCase{"empty_path", std::string(k_lms) + "issuer: {key_file: ''}\nnotify: {outbox_dir: ''}\n",
                    {"certd.yaml:2:20: issuer.key_file: must not be empty",
                     "certd.yaml:3:22: notify.outbox_dir: must not be empty"}},
        HostileCase{"zero_durations", std::string(k_lms) + "webhooks: {tolerance: 0s}\nsmtp: {timeout: 0s}\n",
                    {"certd.yaml:2:23: webhooks.tolerance: must be at least 1s",
                     "certd.yaml:3:17: smtp.timeout: must be at least 1s"}},
        HostileCase{"smtp_without_from", std::string(k_lms) + "smtp:\n  url: smtp://mail.example.org:587\n",
                    {"certd.yaml:2:1: smtp.from (or issuer.email) is required when smtp.url is set (the sender, "
                     "e.g. \"School <certs@example.org>\")"}},
        HostileCase{"smtp_sender_from_issuer_email",
                    std::string(k_lms) + "smtp: {url: 'smtps://mail.example.org'}\nissuer: {email: office@s.example}\n",
                    {}},
        HostileCase{"control_characters", std::string(k_lms) + "issuer: {name: \"a\\0b\"}\n\x01: x\n",
                    {"certd.yaml:3:1: unknown key '\x01' (known keys: lms, portal, webhooks, lti, smtp, issuer, quota, "
                     "notify, store, data_dir, rules_dir, templates_dir, log_level)"}}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(HostileInput, SeveralBadValuesAreAllReportedInFileOrder) {
  const std::string text =
      "log_level: loud\n"
      "lms:\n"
      "  url: moodle.example.org\n"
      "  token: abc123\n"
      "  poll_interval: soon\n"
      "  max_connections: 1000\n"
      "portal:\n"
      "  listen: nowhere\n"
      "issuer: 5\n"
      "quota: {per_month: -1}\n";
  EXPECT_EQ(errors_of(text),
            (std::vector<std::string>{
                "certd.yaml:1:12: log_level: unknown value 'loud' (expected one of: debug, info, warn, error)",
                "certd.yaml:3:8: lms.url: 'moodle.example.org' is not a URL (expected scheme://host)",
                "certd.yaml:4:10: lms.token: secrets are never written in the file; use token_env or token_file",
                "certd.yaml:5:18: lms.poll_interval: bad duration 'soon' (use a number and a unit: 30s, 5m, 2h, 7d, "
                "6mo, 2y)",
                "certd.yaml:6:20: lms.max_connections: 1000 is outside 1..64",
                "certd.yaml:8:11: portal.listen: bad listen address 'nowhere' (expected host:port, e.g. "
                "127.0.0.1:8080)",
                "certd.yaml:9:9: issuer must be a map of keys, not '5'",
                "certd.yaml:10:20: quota.per_month: -1 is outside 0..100000000",
            }));
}

}  // namespace
}  // namespace certd::config
