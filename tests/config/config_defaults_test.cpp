// The minimal config (docs/configuration.md): only the LMS URL and token.
// Everything else has a default, and these are the defaults' values.

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/config_values.hpp"

namespace certd::config {
namespace {

constexpr const char* k_minimal =
    "lms:\n"
    "  url: https://moodle.example.org\n"
    "  token_env: CERTD_LMS_TOKEN\n";

// Used to throw a yaml-cpp InvalidNode out of the loader ("first invalid
// key: portal"), which `certd check-config` printed as an unexpected error.
TEST(ConfigDefaults, MinimalConfigParsesWithEveryDefault) {
  LoadResult result = parse(k_minimal, "certd.yaml", "/etc/certd");
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  const Config& c = result.config;

  EXPECT_EQ(c.lms.kind, "moodle");
  EXPECT_EQ(c.lms.url, "https://moodle.example.org");
  EXPECT_EQ(c.lms.token.source, Secret::Source::env);
  EXPECT_EQ(c.lms.token.name, "CERTD_LMS_TOKEN");
  EXPECT_EQ(c.lms.token.where.to_string(), "certd.yaml:3:14");
  EXPECT_EQ(c.lms.poll_interval.count(), 60);
  EXPECT_EQ(c.lms.request_timeout.count(), 30);
  EXPECT_TRUE(c.lms.courses.empty()) << "every course a rule names";
  EXPECT_EQ(c.lms.completions_report, 0) << "per-course sweep";
  EXPECT_EQ(c.lms.ca_file, "");
  EXPECT_EQ(c.lms.max_connections, 4);
  EXPECT_EQ(c.lms.max_requests_per_second, 20);
  EXPECT_EQ(c.lms.issue_now_activity, "Certificate: issue now");
  EXPECT_EQ(c.lms.issued_activity, "");
  EXPECT_EQ(c.lms.guardian_email_field, "guardian_email");
  EXPECT_EQ(c.lms.certificate_profile_field, "");
  EXPECT_EQ(c.lms.teacher_roles, (std::vector<std::string>{"editingteacher", "teacher"}));
  EXPECT_EQ(c.lms.sweep_budget, 200);
  EXPECT_EQ(c.lms.completion_lookback.count(), 7 * 86400);

  EXPECT_EQ(c.portal.listen.host, "127.0.0.1");
  EXPECT_EQ(c.portal.listen.port, 8080);
  EXPECT_EQ(c.portal.public_url, "http://127.0.0.1:8080") << "derived from portal.listen";
  EXPECT_FALSE(c.portal.admin_token.configured());

  EXPECT_TRUE(c.webhooks.sources.empty()) << "no source: /hooks/{source} is 404";
  EXPECT_EQ(c.webhooks.tolerance.count(), 300);
  EXPECT_EQ(c.webhooks.max_body_bytes, 256u * 1024);

  EXPECT_EQ(c.smtp.url, "") << "no SMTP: e-mails go to notify.outbox_dir";
  EXPECT_EQ(c.smtp.from, "");
  EXPECT_FALSE(c.smtp.username.configured());
  EXPECT_FALSE(c.smtp.password.configured());
  EXPECT_EQ(c.smtp.ca_file, "");
  EXPECT_EQ(c.smtp.timeout.count(), 30);

  EXPECT_EQ(c.issuer.name, "moodle.example.org") << "the host name of lms.url";
  EXPECT_EQ(c.issuer.key_file, "/etc/certd/data/issuer.key");
  EXPECT_EQ(c.issuer.email, "");
  EXPECT_EQ(c.issuer.signatory, "");

  EXPECT_EQ(c.quota.per_month, 0);
  EXPECT_EQ(c.notify.outbox_dir, "/etc/certd/data/outbox");
  EXPECT_EQ(c.notify.delivery_report_delay.count(), 3 * 3600);
  EXPECT_TRUE(c.notify.attach_pdf);

  EXPECT_EQ(c.data_dir, "/etc/certd/data");
  EXPECT_EQ(c.rules_dir, "/etc/certd/rules");
  EXPECT_EQ(c.templates_dir, "/etc/certd/templates");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.source_file, "certd.yaml");
}

TEST(ConfigDefaults, EmptySectionsAndEmptyValuesKeepTheirDefaults) {
  LoadResult result = parse(std::string(k_minimal) +
                                "portal:\n"
                                "issuer:\n"
                                "  # name: Riverside Swim School\n"
                                "webhooks: {}\n"
                                "notify:\n"
                                "  attach_pdf:\n"
                                "data_dir:\n",
                            "certd.yaml", "/etc/certd");
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  EXPECT_EQ(result.config.portal.public_url, "http://127.0.0.1:8080");
  EXPECT_EQ(result.config.issuer.name, "moodle.example.org");
  EXPECT_TRUE(result.config.notify.attach_pdf);
  EXPECT_EQ(result.config.data_dir, "/etc/certd/data");
}

TEST(ConfigDefaults, WrittenValuesWinOverDerivedDefaults) {
  LoadResult result = parse(std::string(k_minimal) +
                                "portal: {listen: '0.0.0.0:9090'}\n"
                                "issuer: {name: Riverside Swim School}\n",
                            "certd.yaml", "/etc/certd");
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  EXPECT_EQ(result.config.issuer.name, "Riverside Swim School");
  EXPECT_EQ(result.config.portal.public_url, "http://localhost:9090") << "a wildcard address is nobody's address";
}

struct HostCase {
  const char* url;
  const char* host;
};

TEST(ConfigDefaults, IssuerNameIsTheHostOfTheLmsUrl) {
  const HostCase cases[] = {
      {"https://moodle.example.org", "moodle.example.org"},
      {"https://moodle.example.org/", "moodle.example.org"},
      {"https://school.example:8443/moodle/", "school.example"},
      {"http://127.0.0.1:8081", "127.0.0.1"},
      {"http://[::1]:8081/x", "[::1]"},
      {"https://lms.example.org?x=1", "lms.example.org"},
      {"not a url", ""},
  };
  for (const HostCase& c : cases) EXPECT_EQ(url_host(c.url), c.host) << c.url;
}

TEST(ConfigDefaults, PublicUrlFollowsTheListenAddress) {
  EXPECT_EQ(default_public_url(ListenAddress{}), "http://127.0.0.1:8080");
  EXPECT_EQ(default_public_url(ListenAddress{"0.0.0.0", 80}), "http://localhost:80");
  EXPECT_EQ(default_public_url(ListenAddress{"::", 8080}), "http://localhost:8080");
  EXPECT_EQ(default_public_url(ListenAddress{"::1", 8080}), "http://[::1]:8080");
  EXPECT_EQ(default_public_url(ListenAddress{"certs.example.org", 8080}), "http://certs.example.org:8080");
}

}  // namespace
}  // namespace certd::config
