#include "portal/portal.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_portal_backend.hpp"

namespace certd::portal {
namespace {

constexpr std::int64_t k_now = 1795437296;  // 2026-11-23T12:34:56Z
constexpr const char* k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

store::CertificateRow row(const std::string& number, const std::string& claim) {
  store::CertificateRow r;
  r.id = 1;
  r.certificate.number = number;
  r.certificate.student_name = "Алексей <Смирнов>";
  r.certificate.course = "Swimming Level 3";
  r.certificate.issued_at = k_now - 86400;
  r.certificate.claim_token = claim;
  r.status = store::CertificateStatus::issued;
  return r;
}

class PortalTest : public ::testing::Test {
 protected:
  PortalTest() : m_clock(k_now) {
    m_backend.certificates["SWL3-7K4M-9QXA"] = row("SWL3-7K4M-9QXA", "family1");
    auto revoked = row("SWL3-AAAA-BBBB", "family1");
    revoked.status = store::CertificateStatus::revoked;
    revoked.revoked_at = k_now - 3600;
    revoked.revoke_reason = "reissued";
    m_backend.certificates["SWL3-AAAA-BBBB"] = revoked;
    auto expired = row("FA-CCCC-DDDD", "family2");
    expired.certificate.expires_at = k_now - 1;
    m_backend.certificates["FA-CCCC-DDDD"] = expired;
  }

  Portal portal() {
    return Portal(PortalOptions{"Riverside Swim School", "https://certs.example", "-----BEGIN PUBLIC KEY-----", 1024},
                  m_backend, m_clock, std::make_unique<WebhookVerifier>(*WebhookVerifier::create({k_secret}, Duration(300))));
  }

  static Request get(const std::string& path) { return Request{"GET", path, {}, "", "", ""}; }

  Request hook(const std::string& id, const std::string& body, std::int64_t at) {
    auto verifier = *WebhookVerifier::create({k_secret}, Duration(300));
    return Request{"POST", "/hooks/moodle",
                   {{"webhook-id", id}, {"webhook-timestamp", std::to_string(at)},
                    {"webhook-signature", verifier.sign(id, at, body)}},
                   body, "", ""};
  }

  FakePortalBackend m_backend;
  FixedClock m_clock;
};

TEST_F(PortalTest, VerificationPageSaysValidAndEscapesNames) {
  Response r = portal().handle(get("/v/swl3-7k4m-9qxa"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find(">Valid<"), std::string::npos);
  EXPECT_NE(r.body.find("Алексей &lt;Смирнов&gt;"), std::string::npos);
  ASSERT_EQ(m_backend.verifications.size(), 1u);
  EXPECT_EQ(m_backend.verifications[0].result, "valid");
  EXPECT_EQ(m_backend.verifications[0].number, "SWL3-7K4M-9QXA");
}

TEST_F(PortalTest, RevokedAndExpiredAreSaidWithDateAndReason) {
  EXPECT_NE(portal().handle(get("/v/SWL3-AAAA-BBBB")).body.find("Revoked on 2026-11-23: reissued"), std::string::npos);
  auto json = nlohmann::json::parse(portal().handle(get("/v/FA-CCCC-DDDD.json")).body);
  EXPECT_EQ(json["status"], "expired");
  EXPECT_EQ(json["expires_at"], "2026-11-23T12:34:55Z");
}

TEST_F(PortalTest, UnknownNumbersAreRecordedAndAnswered404) {
  EXPECT_EQ(portal().handle(get("/v/NOPE-0000-0000")).status, 404);
  EXPECT_EQ(portal().handle(get("/v/NOPE-0000-0000.json")).status, 404);
  EXPECT_EQ(portal().handle(get("/v/../../etc/passwd")).status, 404);
  EXPECT_EQ(m_backend.verifications.size(), 3u);
  EXPECT_EQ(m_backend.verifications[2].result, "unknown");
}

TEST_F(PortalTest, FamilyPageListsTheirCertificatesAndClaimsThem) {
  Response r = portal().handle(get("/c/family1"));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("/c/family1/SWL3-7K4M-9QXA.pdf"), std::string::npos);
  EXPECT_NE(r.body.find("https://certs.example/v/SWL3-AAAA-BBBB"), std::string::npos);
  EXPECT_EQ(r.body.find("FA-CCCC-DDDD"), std::string::npos);
  EXPECT_EQ(m_backend.claimed, std::vector<std::string>{"family1"});
  EXPECT_EQ(portal().handle(get("/c/nobody")).status, 404);
}

TEST_F(PortalTest, DownloadsOnlyWithTheRightClaimToken) {
  Response mine = portal().handle(get("/c/family1/SWL3-7K4M-9QXA.pdf"));
  EXPECT_EQ(mine.status, 200);
  EXPECT_EQ(mine.content_type, "application/pdf");
  EXPECT_EQ(mine.body, "%PDF-fake SWL3-7K4M-9QXA");
  EXPECT_EQ(portal().handle(get("/c/family2/SWL3-7K4M-9QXA.pdf")).status, 404);
  EXPECT_EQ(portal().handle(get("/c/family1/..%2F..%2Fx.pdf")).status, 404);
}

TEST_F(PortalTest, WebhookIsRecordedOnceAndRepliesAfterCommit) {
  std::string body = R"({"type":"course_completed","data":{"userid":7,"courseid":3}})";
  Response first = portal().handle(hook("msg_1", body, k_now));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(nlohmann::json::parse(first.body)["status"], "accepted");
  Response again = portal().handle(hook("msg_1", body, k_now));
  EXPECT_EQ(nlohmann::json::parse(again.body)["status"], "duplicate");
  ASSERT_EQ(m_backend.events.size(), 1u);
  EXPECT_EQ(m_backend.events.begin()->second.kind, "course_completed");
  EXPECT_EQ(m_backend.events.begin()->second.source, "webhook:moodle");
}

TEST_F(PortalTest, WebhookErrorsAreJsonWithTheirStatus) {
  std::string body = R"({"type":"course_completed"})";
  Request bad_signature = hook("msg_2", body, k_now);
  bad_signature.body = R"({"type":"course_completed" })";
  EXPECT_EQ(portal().handle(bad_signature).status, 401);
  EXPECT_EQ(portal().handle(hook("msg_3", body, k_now - 301)).status, 400);
  EXPECT_EQ(portal().handle(hook("msg_4", std::string(2000, ' '), k_now)).status, 413);
  EXPECT_EQ(portal().handle(hook("msg_5", "[1,2]", k_now)).status, 400);
  m_backend.fail_writes = true;
  Response busy = portal().handle(hook("msg_6", body, k_now));
  EXPECT_EQ(busy.status, 503) << "no 2xx unless the event row is committed";
  auto error = nlohmann::json::parse(busy.body);
  EXPECT_EQ(error["error"]["status"], 503);
  EXPECT_TRUE(m_backend.events.empty());
}

TEST_F(PortalTest, KeysAndUnknownPaths) {
  Response keys = portal().handle(get("/keys"));
  EXPECT_EQ(nlohmann::json::parse(keys.body)["keys"][0]["pem"], "-----BEGIN PUBLIC KEY-----");
  Response missing = portal().handle(get("/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing.body)["error"]["message"], "no such page");
  EXPECT_EQ(portal().handle(Request{"DELETE", "/keys", {}, "", "", ""}).status, 405);
}

}  // namespace
}  // namespace certd::portal
