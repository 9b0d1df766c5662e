// lti.platforms and the console's session keys (docs/configuration.md).
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace certd::config {
namespace {

constexpr const char* k_base = R"(lms: { url: https://moodle.example.edu, token_env: CERTD_LMS_TOKEN }
data_dir: /var/lib/certd
)";

LoadResult parse_with(const std::string& extra) { return parse(std::string(k_base) + extra, "certd.yaml", "/etc/certd"); }

std::string first_error(const std::string& extra) {
  LoadResult result = parse_with(extra);
  return result.errors.empty() ? std::string("no error") : result.errors.front().to_string();
}

TEST(ConfigLti, AMoodleNeedsOnlyIssuerClientAndDeployment) {
  LoadResult result = parse_with(R"(lti:
  platforms:
    - issuer: https://moodle.example.edu/
      client_id: Ab12cd
      deployment_ids: [3]
)");
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  ASSERT_EQ(result.config.lti.platforms.size(), 1u);
  const LtiPlatformConfig& p = result.config.lti.platforms[0];
  EXPECT_EQ(p.client_id, "Ab12cd");
  EXPECT_EQ(p.deployment_ids, std::vector<std::string>{"3"});
  EXPECT_EQ(p.auth_url, "https://moodle.example.edu/mod/lti/auth.php") << "Moodle's endpoint, one slash";
  EXPECT_EQ(p.jwks_url, "https://moodle.example.edu/mod/lti/certs.php");
  EXPECT_EQ(result.config.lti.key_file, "/var/lib/certd/lti.key") << "relative to data_dir";
}

TEST(ConfigLti, GivenEndpointsAreKept) {
  LoadResult result = parse_with(R"(lti:
  key_file: keys/tool.pem
  platforms:
    - { issuer: https://canvas.instructure.com, client_id: "1000", deployment_ids: ["7:abc"],
        auth_url: https://sso.canvaslms.com/api/lti/authorize_redirect,
        jwks_url: https://sso.canvaslms.com/api/lti/security/jwks }
)");
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  const LtiPlatformConfig& p = result.config.lti.platforms.at(0);
  EXPECT_EQ(p.auth_url, "https://sso.canvaslms.com/api/lti/authorize_redirect");
  EXPECT_EQ(p.jwks_url, "https://sso.canvaslms.com/api/lti/security/jwks");
  EXPECT_EQ(result.config.lti.key_file, "/var/lib/certd/keys/tool.pem");
}

TEST(ConfigLti, NoPlatformsIsFine) {
  LoadResult result = parse_with("");
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.config.lti.platforms.empty());
  EXPECT_EQ(result.config.portal.session_idle.count(), 30 * 60);
  EXPECT_EQ(result.config.portal.session_max.count(), 12 * 3600);
}

TEST(ConfigLti, MaxUploadHasADefaultAndMayBeSet) {
  EXPECT_EQ(parse_with("").config.portal.max_upload_bytes, 8u << 20);
  LoadResult result = parse_with("portal:\n  max_upload: 16MiB\n");
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  EXPECT_EQ(result.config.portal.max_upload_bytes, 16u << 20);
}

TEST(ConfigLti, ErrorsNameTheEntryAndItsPlace) {
  EXPECT_EQ(first_error("lti:\n  platforms:\n    - { issuer: https://m.example.edu, deployment_ids: [1] }\n"),
            "certd.yaml:5:7: lti.platforms[0].client_id: required key is missing");
  EXPECT_EQ(first_error("lti:\n  platforms:\n    - { issuer: https://m.example.edu, client_id: x, deployment_ids: [] }\n"),
            "certd.yaml:5:70: lti.platforms[0].deployment_ids: must name at least one deployment (Moodle: the "
            "tool's id)");
  EXPECT_NE(first_error("lti:\n  platforms:\n    - { issuer: ftp://m.example.edu, client_id: x, deployment_ids: [1] }\n")
                .find("certd.yaml:5:17:"),
            std::string::npos);
  EXPECT_EQ(first_error("lti:\n  platforms: { issuer: x }\n").rfind("certd.yaml:4:14: lti.platforms: must be a list", 0),
            0u);
  std::string unknown = first_error(
      "lti:\n  platforms:\n    - { issuer: https://m.example.edu, client_id: x, deployment_ids: [1], secret: y }\n");
  EXPECT_EQ(unknown.rfind("certd.yaml:5:", 0), 0u) << unknown;
  EXPECT_NE(unknown.find("lti.platforms[0].secret"), std::string::npos) << unknown;
}

TEST(ConfigLti, TwoEntriesForOneRegistrationAreRefused) {
  std::string error = first_error(R"(lti:
  platforms:
    - { issuer: https://m.example.edu, client_id: x, deployment_ids: [1] }
    - { issuer: https://m.example.edu, client_id: x, deployment_ids: [2] }
)");
  EXPECT_EQ(error, "certd.yaml:6:7: lti.platforms[1]: the same issuer and client_id as lti.platforms[0]");
}

}  // namespace
}  // namespace certd::config
