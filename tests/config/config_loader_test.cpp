#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/config.hpp"

namespace certd::config {
namespace {

constexpr const char* k_good = R"(lms:
  kind: moodle
  url: https://moodle.example.edu
  token_env: CERTD_LMS_TOKEN
  poll_interval: 5m
  courses: [SWIM-L3, FA-101]
portal:
  listen: 127.0.0.1:8080
  public_url: https://certs.example.edu
  admin_token_env: CERTD_ADMIN_TOKEN
webhooks: { sources: { moodle: { secret_env: CERTD_WEBHOOK_SECRET } }, tolerance: 5m }
smtp: { url: "smtp://127.0.0.1:2525", from: "Riverside Swim <certs@example.edu>" }
issuer: { name: Riverside Swim School, key_file: issuer.key }
data_dir: /var/lib/certd
rules_dir: rules
templates_dir: templates
quota: { per_month: 5000 }
)";

LoadResult parse_text(const std::string& text) { return parse(text, "certd.yaml", "/etc/certd"); }

// The first error's "file:line:column: message".
std::string first_error(const std::string& text) {
  LoadResult result = parse_text(text);
  return result.errors.empty() ? std::string("no error") : result.errors.front().to_string();
}

TEST(ConfigLoader, LoadsTheDesignExample) {
  LoadResult result = parse_text(k_good);
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  const Config& c = result.config;
  EXPECT_EQ(c.lms.url, "https://moodle.example.edu");
  EXPECT_EQ(c.lms.token.source, Secret::Source::env);
  EXPECT_EQ(c.lms.token.name, "CERTD_LMS_TOKEN");
  EXPECT_EQ(c.lms.poll_interval.count(), 300);
  EXPECT_EQ(c.lms.courses, (std::vector<std::string>{"SWIM-L3", "FA-101"}));
  EXPECT_EQ(c.portal.listen.port, 8080);
  EXPECT_EQ(c.webhooks.tolerance.count(), 300);
  ASSERT_EQ(c.webhooks.sources.size(), 1u);
  EXPECT_EQ(c.webhooks.sources[0].name, "moodle");
  EXPECT_EQ(c.webhooks.sources[0].secret.name, "CERTD_WEBHOOK_SECRET");
  EXPECT_EQ(c.smtp.from, "Riverside Swim <certs@example.edu>");
  EXPECT_EQ(c.quota.per_month, 5000);
  EXPECT_EQ(c.data_dir, "/var/lib/certd");
  EXPECT_EQ(c.rules_dir, "/etc/certd/rules") << "relative to the config file";
  EXPECT_EQ(c.issuer.key_file, "/var/lib/certd/issuer.key") << "relative to data_dir";
}

TEST(ConfigLoader, AppliesDefaults) {
  LoadResult result = parse_text(
      "lms: {url: 'http://127.0.0.1:9000', token_file: token.txt}\n"
      "portal: {public_url: 'http://localhost:8080'}\n"
      "issuer: {name: School}\n");
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  EXPECT_EQ(result.config.lms.poll_interval.count(), 60);
  EXPECT_EQ(result.config.lms.token.name, "/etc/certd/token.txt");
  EXPECT_EQ(result.config.portal.listen.host, "127.0.0.1") << "loopback unless told otherwise";
  EXPECT_EQ(result.config.webhooks.max_body_bytes, 256u * 1024);
  EXPECT_EQ(result.config.data_dir, "/etc/certd/data");
}

struct BadCase {
  const char* name;
  std::string text;
  std::string expected;  // exact first error
};

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

void PrintTo(const BadCase& c, std::ostream* out) { *out << c.name; }

class BadConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, ReportsFileLineAndColumn) { EXPECT_EQ(first_error(GetParam().text), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    EachMistake, BadConfig,
    ::testing::Values(
        BadCase{"unknown_key", replace(k_good, "  poll_interval: 5m\n", "  poll_intervall: 5m\n"),
                "certd.yaml:5:3: unknown key 'lms.poll_intervall' (known keys: kind, url, token_env, token_file, "
                "poll_interval, request_timeout, courses, teacher_roles, completions_report, ca_file, "
                "max_connections, max_requests_per_second, issue_now_activity, issued_activity, "
                "guardian_email_field, certificate_profile_field, sweep_budget, completion_lookback)"},
        BadCase{"bad_duration", replace(k_good, "poll_interval: 5m", "poll_interval: 5 minutes"),
                "certd.yaml:5:18: lms.poll_interval: bad duration '5 minutes' (use a number and a unit: 30s, 5m, "
                "2h, 7d, 6mo, 2y)"},
        BadCase{"inline_secret", replace(k_good, "token_env: CERTD_LMS_TOKEN", "token: abc123"),
                "certd.yaml:4:10: lms.token: secrets are never written in the file; use token_env or token_file"},
        BadCase{"bad_url", replace(k_good, "url: https://moodle.example.edu", "url: moodle.example.edu"),
                "certd.yaml:3:8: lms.url: 'moodle.example.edu' is not a URL (expected scheme://host)"},
        BadCase{"bad_listen", replace(k_good, "listen: 127.0.0.1:8080", "listen: 127.0.0.1:99999"),
                "certd.yaml:8:11: portal.listen: bad listen address '127.0.0.1:99999' (expected host:port, e.g. "
                "127.0.0.1:8080)"},
        BadCase{"wrong_type", replace(k_good, "per_month: 5000", "per_month: lots"),
                "certd.yaml:17:21: quota.per_month: expected a whole number, found 'lots'"},
        BadCase{"list_expected", replace(k_good, "courses: [SWIM-L3, FA-101]", "courses: SWIM-L3"),
                "certd.yaml:6:12: lms.courses: expected a list, found 'SWIM-L3'"},
        BadCase{"bad_choice", replace(k_good, "kind: moodle", "kind: blackboard"),
                "certd.yaml:2:9: lms.kind: unknown value 'blackboard' (expected one of: moodle, simulator)"},
        BadCase{"duplicate_key", replace(k_good, "data_dir: /var/lib/certd\n", "data_dir: /a\ndata_dir: /b\n"),
                "certd.yaml:15:1: duplicate key 'data_dir'"},
        BadCase{"syntax", replace(k_good, "courses: [SWIM-L3, FA-101]", "courses: [SWIM-L3, FA-101"),
                "certd.yaml:7:7: YAML syntax error: end of sequence flow not found"},
        BadCase{"alias", std::string("x: &a [1]\n") + k_good, "certd.yaml:1:4: YAML anchors (&name) are not allowed here"},
        BadCase{"missing_section", replace(k_good, "lms:\n  kind: moodle\n", "lms_:\n  kind: moodle\n"),
                "certd.yaml:1:1: lms.url is required (the LMS base URL, e.g. https://moodle.example.org)"},
        BadCase{"missing_required", replace(k_good, "  url: https://moodle.example.edu\n", ""),
                "certd.yaml:1:1: lms.url is required (the LMS base URL, e.g. https://moodle.example.org)"},
        BadCase{"not_a_map", "- just\n- a list\n", "certd.yaml:1:1: the file must be a map of keys, not a list"},
        BadCase{"section_not_map", replace(k_good, "quota: { per_month: 5000 }", "quota: 5000"),
                "certd.yaml:17:8: quota must be a map of keys, not '5000'"}),
    [](const auto& test) { return std::string(test.param.name); });

// Each sender has a secret of its own (docs/configuration.md "webhooks").
TEST(ConfigLoader, ReadsEachWebhookSourceWithItsOwnSecret) {
  LoadResult result = parse_text(
      "lms: { url: https://moodle.example.edu, token_env: CERTD_LMS_TOKEN }\n"
      "webhooks:\n"
      "  sources:\n"
      "    moodle: { secret_env: CERTD_WEBHOOK_SECRET }\n"
      "    reports-2_b:\n"
      "      secret_file: secrets/reports\n");
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  const std::vector<WebhookSource>& sources = result.config.webhooks.sources;
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].name, "moodle");
  EXPECT_EQ(sources[0].secret.source, Secret::Source::env);
  EXPECT_EQ(sources[0].secret.name, "CERTD_WEBHOOK_SECRET");
  EXPECT_EQ(sources[0].secret.key, "webhooks.sources.moodle.secret");
  EXPECT_EQ(sources[0].secret.where.to_string(), "certd.yaml:4:27");
  EXPECT_EQ(sources[1].name, "reports-2_b");
  EXPECT_EQ(sources[1].secret.source, Secret::Source::file);
  EXPECT_EQ(sources[1].secret.name, "/etc/certd/secrets/reports") << "relative to the config file";
  EXPECT_EQ(result.config.lms.token.key, "lms.token");
}

std::vector<std::string> webhook_errors(const std::string& webhooks) {
  LoadResult result = parse_text(replace(k_good, "webhooks: { sources: { moodle: { secret_env: CERTD_WEBHOOK_SECRET } }, tolerance: 5m }",
                                         webhooks));
  std::vector<std::string> errors;
  for (const Error& e : result.errors) errors.push_back(e.to_string());
  return errors;
}

TEST(ConfigLoader, WebhookSourcesAreNamedAndEachHasASecret) {
  EXPECT_EQ(webhook_errors("webhooks: { sources: { moodle/x: { secret_env: A }, '': { secret_env: B } } }"),
            (std::vector<std::string>{
                "certd.yaml:11:24: webhooks.sources: 'moodle/x' is not a source name (1 to 64 letters, digits, '-' "
                "or '_': the {source} of /hooks/{source})",
                "certd.yaml:11:53: webhooks.sources: '' is not a source name (1 to 64 letters, digits, '-' or '_': "
                "the {source} of /hooks/{source})"}));
  EXPECT_EQ(webhook_errors("webhooks: { sources: { " + std::string(65, 'a') + ": { secret_env: A } } }").size(), 1u);
  EXPECT_EQ(webhook_errors("webhooks: { sources: { moodle: {}, lti: } }"),
            (std::vector<std::string>{"certd.yaml:11:24: webhooks.sources.moodle: secret_env or secret_file is required",
                                      "certd.yaml:11:36: webhooks.sources.lti: secret_env or secret_file is required"}));
  EXPECT_EQ(webhook_errors("webhooks: { sources: { moodle: { secret: whsec_abc, url: x } } }"),
            (std::vector<std::string>{"certd.yaml:11:42: webhooks.sources.moodle.secret: secrets are never written in "
                                      "the file; use secret_env or secret_file",
                                      "certd.yaml:11:53: unknown key 'webhooks.sources.moodle.url' (known keys: "
                                      "secret, secret_env, secret_file)"}));
  EXPECT_EQ(webhook_errors("webhooks: { sources: [moodle] }"),
            (std::vector<std::string>{"certd.yaml:11:22: webhooks.sources: must be a map of source names, e.g. "
                                      "sources: { moodle: { secret_env: CERTD_WEBHOOK_SECRET } }"}));
  EXPECT_EQ(webhook_errors("webhooks: { sources: { moodle: { secret_env: 'NOT A NAME' } } }").size(), 1u);
}

// One secret for every source is gone: the error says what to write.
TEST(ConfigLoader, TheSingleWebhookSecretIsRefusedWithWhatToWriteInstead) {
  EXPECT_EQ(webhook_errors("webhooks: { secret_env: CERTD_WEBHOOK_SECRET }"),
            (std::vector<std::string>{
                "certd.yaml:11:25: webhooks.secret_env: each webhook source now has a secret of its own; write "
                "instead: sources: { moodle: { secret_env: CERTD_WEBHOOK_SECRET } } (the source is the {source} of "
                "/hooks/{source})"}));
  EXPECT_EQ(webhook_errors("webhooks: { secret_file: /etc/certd/hook.secret }"),
            (std::vector<std::string>{
                "certd.yaml:11:26: webhooks.secret_file: each webhook source now has a secret of its own; write "
                "instead: sources: { moodle: { secret_file: /etc/certd/hook.secret } } (the source is the {source} "
                "of /hooks/{source})"}));
  std::vector<std::string> inline_secret = webhook_errors("webhooks: { secret: whsec_abc }");
  ASSERT_EQ(inline_secret.size(), 1u);
  EXPECT_EQ(inline_secret[0].find("whsec_abc"), std::string::npos) << "never repeat a secret";
  EXPECT_NE(inline_secret[0].find("sources: { moodle: { secret_env: CERTD_WEBHOOK_SECRET } }"), std::string::npos);
}

TEST(ConfigLoader, ReportsEveryErrorNotOnlyTheFirst) {
  std::string text = replace(k_good, "poll_interval: 5m", "poll_interval: soon");
  text = replace(text, "per_month: 5000", "per_month: -1");
  text = replace(text, "listen: 127.0.0.1:8080", "listen: nowhere");
  LoadResult result = parse_text(text);
  ASSERT_EQ(result.errors.size(), 3u);
  EXPECT_EQ(result.errors[0].where().line, 5);
  EXPECT_EQ(result.errors[1].where().line, 8);
  EXPECT_EQ(result.errors[2].where().line, 17);
}

TEST(ConfigLoader, RefusesHugeAndDeeplyNestedFiles) {
  EXPECT_EQ(first_error(std::string(2 << 20, '#')), "certd.yaml: file is 2097152 bytes; the limit is 1048576");
  std::string deep = "x: " + std::string(100, '[') + std::string(100, ']') + "\n";
  EXPECT_EQ(first_error(deep), "certd.yaml:1:35: nesting deeper than 32 levels");
}

TEST(ConfigLoader, MissingFileNamesThePath) {
  LoadResult result = load_file("/nonexistent/certd.yaml");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].to_string().find("/nonexistent/certd.yaml"), std::string::npos);
}

Secret secret(Secret::Source source, const std::string& name) {
  Secret s;
  s.source = source;
  s.name = name;
  return s;
}

TEST(Secrets, ResolveFromEnvironmentAndRefuseOpenFiles) {
  ::setenv("CERTD_TEST_SECRET", "s3cret", 1);
  EXPECT_EQ(*resolve(secret(Secret::Source::env, "CERTD_TEST_SECRET")), "s3cret");
  auto missing = resolve(secret(Secret::Source::env, "CERTD_TEST_UNSET_VARIABLE"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "environment variable CERTD_TEST_UNSET_VARIABLE is not set");

  auto path = std::filesystem::temp_directory_path() / ("certd-secret-" + std::to_string(::getpid()));
  std::ofstream(path) << "from-file\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(*resolve(secret(Secret::Source::file, path.string())), "from-file");
  std::filesystem::permissions(path, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  auto open = resolve(secret(Secret::Source::file, path.string()));
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().code(), ErrorCode::permission_denied);
  EXPECT_EQ(open.error().message().find("from-file"), std::string::npos) << "never show the secret";
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace certd::config
