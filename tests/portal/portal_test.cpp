#include "portal/portal.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_portal_backend.hpp"

namespace certd::portal {
namespace {

constexpr std::int64_t k_now = 1795437296;  // 2026-11-23T12:34:56Z
constexpr const char* k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* k_reports_secret = "whsec_c2Vjb25kIHNvdXJjZSBzZWNyZXQgb2YgMzIgYnl0ZXM=";

// Two sources, each with its own secret, as the daemon builds it.
std::unique_ptr<WebhookVerifier> two_sources() {
  auto verifier = std::make_unique<WebhookVerifier>(Duration(300));
  EXPECT_TRUE(verifier->add_source("moodle", k_secret));
  EXPECT_TRUE(verifier->add_source("reports", k_reports_secret));
  return verifier;
}

store::CertificateRow row(const std::string& number, const std::string& claim) {
  store::CertificateRow r;
  r.id = 1;
  r.certificate.number = number;
  r.certificate.student_name = "Алексей <Смирнов>";
  r.certificate.course = "Swimming Level 3";
  r.certificate.title = "Swimming Level 3";  // a course's certificate is called by its course
  r.certificate.issued_at = k_now - 86400;
  r.certificate.claim_token = claim;
  r.status = store::CertificateStatus::issued;
  return r;
}

class PortalTest : public ::testing::Test {
 protected:
  PortalTest() : m_clock(k_now) {
    m_backend.certificates["SWL3-7K4M-9QXR"] = row("SWL3-7K4M-9QXR", "family1");
    auto revoked = row("SWL3-AAAA-BBBE", "family1");
    revoked.status = store::CertificateStatus::revoked;
    revoked.revoked_at = k_now - 3600;
    revoked.revoke_reason = "Issued in error: wrong student";
    revoked.revoke_category = store::RevocationCategory::issued_in_error;
    revoked.certificate.expires_at = k_now + 365 * 86400;
    m_backend.certificates["SWL3-AAAA-BBBE"] = revoked;
    auto expired = row("FA-CCCC-DDDE", "family2");
    expired.certificate.expires_at = k_now - 1;
    m_backend.certificates["FA-CCCC-DDDE"] = expired;
  }

  Portal portal(std::unique_ptr<WebhookVerifier> webhooks = two_sources()) {
    return Portal(PortalOptions{"Riverside Swim School", "https://certs.example", "-----BEGIN PUBLIC KEY-----", 1024},
                  m_backend, m_clock, std::move(webhooks));
  }

  static Request get(const std::string& path) { return Request{"GET", path, {}, "", "", ""}; }

  // A request signed with `source`'s secret, sent to /hooks/`to` (default: the same source).
  Request hook(const std::string& id, const std::string& body, std::int64_t at, const std::string& source = "moodle",
               const std::string& to = "") {
    return Request{"POST", "/hooks/" + (to.empty() ? source : to),
                   {{"webhook-id", id}, {"webhook-timestamp", std::to_string(at)},
                    {"webhook-signature", two_sources()->sign(source, id, at, body)}},
                   body, "", ""};
  }

  FakePortalBackend m_backend;
  FixedClock m_clock;
};

// A message may quote what a client sent, which need not be UTF-8: the
// answer is still JSON, never an exception (found by fuzz_console_request).
TEST(JsonError, AMessageThatIsNotUtf8StillGivesJson) {
  Response r = json_error(403, std::string("this account does not teach SWIM-L\xa7\xff"));
  EXPECT_EQ(r.status, 403);
  auto body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body["error"]["status"], 403);
  EXPECT_EQ(body["error"]["message"].get<std::string>().rfind("this account does not teach SWIM-L", 0), 0u);
}

TEST_F(PortalTest, VerificationPageSaysValidAndEscapesNames) {
  Response r = portal().handle(get("/v/swl3-7k4m-9qxr"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find(">Valid certificate<"), std::string::npos);
  EXPECT_NE(r.body.find("Алексей &lt;Смирнов&gt;"), std::string::npos);
  ASSERT_EQ(m_backend.verifications.size(), 1u);
  EXPECT_EQ(m_backend.verifications[0].result, "valid");
  EXPECT_EQ(m_backend.verifications[0].number, "SWL3-7K4M-9QXR");
}

TEST_F(PortalTest, RevokedAndExpiredAreSaidWithDateAndReason) {
  auto json = nlohmann::json::parse(portal().handle(get("/v/FA-CCCC-DDDE.json")).body);
  EXPECT_EQ(json["status"], "expired");
  EXPECT_EQ(json["expires_at"], "2026-11-23T12:34:55Z");
  EXPECT_NE(portal().handle(get("/v/FA-CCCC-DDDE")).body.find("Expired on 2026-11-23"), std::string::npos);
}

// The public sees that, when and in which category a certificate was
// revoked; the issuer's own note stays with the issuer, and a revoked
// certificate is no longer "valid until" anything.
TEST_F(PortalTest, ARevokedCertificateShowsItsDateAndCategoryNeverTheNote) {
  Response page = portal().handle(get("/v/SWL3-AAAA-BBBE"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Revoked on 2026-11-23"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("Reason: issued in error"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("wrong student"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("Valid until"), std::string::npos) << page.body;

  Response data = portal().handle(get("/v/SWL3-AAAA-BBBE.json"));
  EXPECT_EQ(data.body.find("wrong student"), std::string::npos) << data.body;
  auto json = nlohmann::json::parse(data.body);
  EXPECT_EQ(json["status"], "revoked");
  EXPECT_EQ(json["revoked_at"], "2026-11-23T11:34:56Z");
  EXPECT_EQ(json["revoke_category"], "error");
  EXPECT_EQ(json["revoke_reason"], "issued in error") << "the key readers know stays, with the public words";
  for (const char* key : {"number", "student", "course", "issuer", "issued_at", "expires_at"})
    EXPECT_TRUE(json.contains(key)) << key;

  m_backend.certificates["SWL3-AAAA-BBBE"].revoke_category = store::RevocationCategory::replaced;
  EXPECT_NE(portal().handle(get("/v/SWL3-AAAA-BBBE")).body.find("Reason: replaced by a new certificate"),
            std::string::npos);
  m_backend.certificates["SWL3-AAAA-BBBE"].revoke_category = store::RevocationCategory::withdrawn;
  EXPECT_EQ(nlohmann::json::parse(portal().handle(get("/v/SWL3-AAAA-BBBE.json")).body)["revoke_category"],
            "withdrawn");
}

// A certificate is called by its title; its course is context, shown only
// when it adds something.
TEST_F(PortalTest, TheVerificationPageNamesTheCertificateByItsTitleWithItsCourseAsContext) {
  store::CertificateRow& award = m_backend.certificates["SWL3-7K4M-9QXR"];
  award.certificate.title = "Lifeguard <of> the month";
  Response page = portal().handle(get("/v/SWL3-7K4M-9QXR"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find(R"(<h2 class="certificate-title">Lifeguard &lt;of&gt; the month</h2>)"), std::string::npos)
      << page.body;
  EXPECT_NE(page.body.find("<dt>Course</dt><dd>Swimming Level 3</dd>"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("<dt>For</dt>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find(">Valid certificate<"), std::string::npos) << "the verdict stays the page's heading";

  auto json = nlohmann::json::parse(portal().handle(get("/v/SWL3-7K4M-9QXR.json")).body);
  EXPECT_EQ(json["title"], "Lifeguard <of> the month");
  EXPECT_EQ(json["course"], "Swimming Level 3") << "the key readers know stays";
}

TEST_F(PortalTest, AnAwardWithoutACourseShowsNoCourseLine) {
  store::CertificateRow& award = m_backend.certificates["SWL3-7K4M-9QXR"];
  award.certificate.title = "Lifeguard of the month";
  award.certificate.course = "";
  Response page = portal().handle(get("/v/SWL3-7K4M-9QXR"));
  EXPECT_NE(page.body.find(R"(<h2 class="certificate-title">Lifeguard of the month</h2>)"), std::string::npos)
      << page.body;
  EXPECT_EQ(page.body.find("Course"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("<dd></dd>"), std::string::npos) << page.body;

  auto json = nlohmann::json::parse(portal().handle(get("/v/SWL3-7K4M-9QXR.json")).body);
  EXPECT_EQ(json["title"], "Lifeguard of the month");
  EXPECT_EQ(json["course"], "");
}

TEST_F(PortalTest, ACourseCertificateNamesItsCourseOnce) {
  Response page = portal().handle(get("/v/SWL3-7K4M-9QXR"));
  EXPECT_NE(page.body.find(R"(<h2 class="certificate-title">Swimming Level 3</h2>)"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("<dt>Course</dt>"), std::string::npos) << page.body;
  EXPECT_EQ(nlohmann::json::parse(portal().handle(get("/v/SWL3-7K4M-9QXR.json")).body)["title"], "Swimming Level 3");

  // A row without a title is called by its course, as before titles.
  m_backend.certificates["SWL3-7K4M-9QXR"].certificate.title.clear();
  page = portal().handle(get("/v/SWL3-7K4M-9QXR"));
  EXPECT_NE(page.body.find(R"(<h2 class="certificate-title">Swimming Level 3</h2>)"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("<dt>Course</dt>"), std::string::npos) << page.body;
  EXPECT_EQ(nlohmann::json::parse(portal().handle(get("/v/SWL3-7K4M-9QXR.json")).body)["title"], "Swimming Level 3");
}

TEST_F(PortalTest, TheFamilyPageListsCertificatesByTitle) {
  store::CertificateRow& award = m_backend.certificates["SWL3-7K4M-9QXR"];
  award.certificate.title = "Lifeguard of the month";
  award.certificate.course = "";
  m_backend.certificates["SWL3-AAAA-BBBE"].certificate.title = "Swimming Level 3: distinction";
  Response page = portal().handle(get("/c/family1"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<h2>Lifeguard of the month</h2>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("<h2>Swimming Level 3: distinction</h2>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("<dt>Course</dt><dd>Swimming Level 3</dd>"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("<dd></dd>"), std::string::npos) << page.body;
}

Request from(const std::string& client, const std::string& path) {
  Request r{"GET", path, {}, "", client, ""};
  return r;
}

TEST_F(PortalTest, AWellFormedUnknownNumberIsRecordedOncePerClientPerMinute) {
  Portal daemon_portal = portal();  // one portal, as the daemon has: the limit is its memory
  EXPECT_EQ(daemon_portal.handle(from("10.0.0.1", "/v/NOPE-2222-222H")).status, 404);
  EXPECT_EQ(daemon_portal.handle(from("10.0.0.1", "/v/NOPE-2222-222H")).status, 404);
  EXPECT_EQ(daemon_portal.handle(from("10.0.0.1", "/v/NOPE-2222-222H.json")).status, 404);
  ASSERT_EQ(m_backend.verifications.size(), 1u);
  EXPECT_EQ(m_backend.verifications[0].result, "unknown");
  EXPECT_EQ(m_backend.verifications[0].number, "NOPE-2222-222H");
  daemon_portal.handle(from("10.0.0.2", "/v/NOPE-2222-222H"));
  EXPECT_EQ(m_backend.verifications.size(), 2u) << "another client";
  m_clock.advance(60);
  daemon_portal.handle(from("10.0.0.1", "/v/NOPE-2222-222H"));
  EXPECT_EQ(m_backend.verifications.size(), 3u) << "a minute later";
}

TEST_F(PortalTest, WhatIsNotAWellFormedNumberNeverReachesTheStoreNorThePage) {
  const std::string inputs[] = {
      "/v/../../etc/passwd",
      "/v/=HYPERLINK(\"http://evil.example\",\"open\")",
      "/v/\x1b[2J\x1b[31mPWNED",
      "/v/" + std::string(10 * 1024 * 1024, 'A'),
      "/v/SWL3-7K4M-9QXA",  // one character off: the check character catches it
      "/v/SWL3-7K4M-9QXA.json",
      "/v/",
  };
  for (const std::string& path : inputs) {
    Response r = portal().handle(from("10.0.0.1", path));
    EXPECT_EQ(r.status, 404) << path.substr(0, 40);
    EXPECT_EQ(r.body.find("HYPERLINK"), std::string::npos);
    EXPECT_EQ(r.body.find("PWNED"), std::string::npos);
    EXPECT_EQ(r.body.find("AAAAAAAA"), std::string::npos);
  }
  EXPECT_EQ(m_backend.lookups, 0);
  EXPECT_TRUE(m_backend.verifications.empty());
}

TEST_F(PortalTest, HeadIsAnsweredButNotRecorded) {
  Request head{"HEAD", "/v/SWL3-7K4M-9QXR", {}, "", "10.0.0.1", ""};
  EXPECT_EQ(portal().handle(head).status, 200);
  EXPECT_TRUE(m_backend.verifications.empty());
}

TEST_F(PortalTest, OptionsAndMethodNotAllowedSayWhatIsAllowed) {
  auto allow = [](const Response& r) {
    for (const auto& [name, value] : r.headers)
      if (name == "Allow") return value;
    return std::string();
  };
  Response page{portal().handle(Request{"OPTIONS", "/v/SWL3-7K4M-9QXR", {}, "", "", ""})};
  EXPECT_EQ(page.status, 204);
  EXPECT_EQ(allow(page), "GET, HEAD, OPTIONS");
  Response hook{portal().handle(Request{"OPTIONS", "/hooks/moodle", {}, "", "", ""})};
  EXPECT_EQ(allow(hook), "POST, OPTIONS");
  Response wrong{portal().handle(Request{"GET", "/hooks/moodle", {}, "", "", ""})};
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(allow(wrong), "POST, OPTIONS");
  Response put{portal().handle(Request{"PUT", "/keys", {}, "", "", ""})};
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(allow(put), "GET, HEAD, OPTIONS");
}

// Mail scanners and link previews open the page too: only a download
// claims the family's e-mails, and never a HEAD or a prefetch.
TEST_F(PortalTest, FamilyPageListsTheirCertificatesAndADownloadClaimsThem) {
  Response r = portal().handle(get("/c/family1"));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("/c/family1/SWL3-7K4M-9QXR.pdf"), std::string::npos);
  EXPECT_NE(r.body.find("https://certs.example/v/SWL3-AAAA-BBBE"), std::string::npos);
  EXPECT_EQ(r.body.find("FA-CCCC-DDDE"), std::string::npos);
  EXPECT_TRUE(m_backend.claimed.empty()) << "opening the page claims nothing";
  EXPECT_EQ(portal().handle(get("/c/nobody")).status, 404);

  EXPECT_EQ(portal().handle(Request{"HEAD", "/c/family1/SWL3-7K4M-9QXR.pdf", {}, "", "", ""}).status, 200);
  Request prefetch = get("/c/family1/SWL3-7K4M-9QXR.pdf");
  prefetch.headers["sec-purpose"] = "prefetch";
  EXPECT_EQ(portal().handle(prefetch).status, 200);
  EXPECT_TRUE(m_backend.claimed.empty()) << "a HEAD or a prefetch claims nothing";

  EXPECT_EQ(portal().handle(get("/c/family1/SWL3-7K4M-9QXR.pdf")).status, 200);
  EXPECT_EQ(m_backend.claimed, std::vector<std::string>{"family1"});
}

TEST_F(PortalTest, ARevokedCertificateIsNotOfferedForDownloadAndItsPdfIsRefused) {
  Response page = portal().handle(get("/c/family1"));
  EXPECT_EQ(page.body.find("/c/family1/SWL3-AAAA-BBBE.pdf"), std::string::npos) << "no download link";
  EXPECT_NE(page.body.find("Revoked on 2026-11-23"), std::string::npos);
  EXPECT_EQ(page.body.find("wrong student"), std::string::npos);

  Response refused = portal().handle(get("/c/family1/SWL3-AAAA-BBBE.pdf"));
  EXPECT_EQ(refused.status, 410);
  EXPECT_EQ(refused.content_type, "text/html; charset=utf-8");
  EXPECT_NE(refused.body.find("was revoked on 2026-11-23 (issued in error) and can no longer be downloaded"),
            std::string::npos)
      << refused.body;
  EXPECT_EQ(refused.body.find("%PDF"), std::string::npos);
  EXPECT_TRUE(m_backend.claimed.empty());
}

std::string header_of(const Response& r, const std::string& name) {
  for (const auto& [key, value] : r.headers)
    if (key == name) return value;
  return "";
}

TEST_F(PortalTest, FamilyPagesAndTheirPdfsAreNeitherCachedNorIndexedNorReferred) {
  for (const char* path : {"/c/family1", "/c/family1/SWL3-7K4M-9QXR.pdf"}) {
    Response r = portal().handle(get(path));
    EXPECT_EQ(header_of(r, "Cache-Control"), "no-store") << path;
    EXPECT_EQ(header_of(r, "Referrer-Policy"), "no-referrer") << path;
    EXPECT_EQ(header_of(r, "X-Robots-Tag"), "noindex, nofollow") << path;
  }
}

TEST_F(PortalTest, EveryAnswerCarriesTheSecurityHeaders) {
  for (const char* path : {"/", "/v/SWL3-7K4M-9QXR", "/v/SWL3-7K4M-9QXR.json", "/nope", "/keys", "/v?number=x"}) {
    Response r = portal().handle(get(path));
    EXPECT_EQ(header_of(r, "Content-Security-Policy"),
              "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
              "frame-ancestors 'none'")
        << path;
    EXPECT_EQ(header_of(r, "X-Frame-Options"), "DENY") << path;
    EXPECT_EQ(header_of(r, "Referrer-Policy"), "no-referrer") << path;
    EXPECT_EQ(header_of(r, "X-Robots-Tag"), "noindex") << path;
    EXPECT_EQ(header_of(r, "Cache-Control"), "no-cache") << path;
  }
}

TEST_F(PortalTest, TheHomePageNamesTheIssuerAndHasAFormThatWorksWithoutScript) {
  Response r = portal().handle(get("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("Riverside Swim School"), std::string::npos);
  EXPECT_NE(r.body.find(R"(<form action="/v" method="get")"), std::string::npos);
  EXPECT_NE(r.body.find(R"(name="number")"), std::string::npos);
  EXPECT_NE(r.body.find(R"(<label for="number">)"), std::string::npos);
  EXPECT_EQ(r.body.find("<script"), std::string::npos);
  EXPECT_EQ(r.body.find("style="), std::string::npos) << "inline styles would need 'unsafe-inline'";
}

// The form sends what a person typed: lower case, spaces, dashes or none.
// A well-formed number is sent to its own page, which looks it up.
TEST_F(PortalTest, TheFormSendsAWellFormedNumberToItsPageHoweverItWasTyped) {
  for (const char* query : {"number=SWL3-7K4M-9QXR", "number=swl3-7k4m-9qxr", "number=+swl3+7k4m+9qxr+",
                            "number=SWL37K4M9QXR", "number=swl3%E2%80%937k4m%E2%80%939qxr"}) {
    Request form = get("/v");
    form.query = query;
    Response r = portal().handle(form);
    EXPECT_EQ(r.status, 303) << query;
    EXPECT_EQ(header_of(r, "Location"), "/v/SWL3-7K4M-9QXR") << query;
  }
  EXPECT_EQ(m_backend.lookups, 0) << "the redirect looks nothing up";
  EXPECT_EQ(portal().handle(get("/v/swl3%207k4m-9qxr")).status, 404) << "an undecoded path is not a number";
  Request spaced = get("/v/swl3 7k4m 9qxr");
  EXPECT_EQ(portal().handle(spaced).status, 200) << "a decoded path with spaces is";
}

// The check character catches a typo before the look-up: nothing reaches
// the store, nothing is recorded, and the person is told what happened.
TEST_F(PortalTest, AMistypedNumberIsATypoPageAndIsNeitherLookedUpNorRecorded) {
  Portal one = portal();
  for (const char* query : {"number=SWL3-7K4M-9QXA", "number=swl3+7k4m+9qrx"}) {
    Request form = from("10.0.0.1", "/v");
    form.query = query;
    Response r = one.handle(form);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("This number has a typo"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("SWL3-7K4M-9Q"), std::string::npos) << "what was typed is shown back, canonical";
  }
  Response path = one.handle(from("10.0.0.1", "/v/SWL3-7K4M-9QXA"));
  EXPECT_EQ(path.status, 404);
  EXPECT_NE(path.body.find("This number has a typo"), std::string::npos);

  Request junk = from("10.0.0.1", "/v");
  junk.query = "number=%3Cscript%3Ealert(1)%3C%2Fscript%3E";
  Response r = one.handle(junk);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("This is not a certificate number"), std::string::npos);
  EXPECT_EQ(r.body.find("alert"), std::string::npos) << "not shown back";
  Request empty = from("10.0.0.1", "/v");
  empty.query = "number=+";
  Response nothing = one.handle(empty);
  EXPECT_EQ(nothing.status, 400);
  EXPECT_NE(nothing.body.find("Type the certificate number"), std::string::npos);

  EXPECT_EQ(m_backend.lookups, 0);
  EXPECT_TRUE(m_backend.verifications.empty());
}

TEST_F(PortalTest, PeopleGetHtmlErrorsAndMachinesJson) {
  Response missing = portal().handle(get("/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.content_type, "text/html; charset=utf-8");
  EXPECT_NE(missing.body.find("Page not found"), std::string::npos);
  Response token = portal().handle(get("/c/not-a-family"));
  EXPECT_EQ(token.status, 404);
  EXPECT_EQ(token.content_type, "text/html; charset=utf-8");
  Response post = portal().handle(Request{"POST", "/v/SWL3-7K4M-9QXR", {}, "", "", ""});
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(header_of(post, "Allow"), "GET, HEAD, OPTIONS");

  m_backend.fail_reads = true;
  Response busy = portal().handle(get("/v/SWL3-7K4M-9QXR"));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.content_type, "text/html; charset=utf-8");
  EXPECT_NE(busy.body.find("Try again"), std::string::npos);
  Response busy_json = portal().handle(get("/v/SWL3-7K4M-9QXR.json"));
  EXPECT_EQ(busy_json.status, 503);
  EXPECT_EQ(nlohmann::json::parse(busy_json.body)["error"]["status"], 503);
  m_backend.fail_reads = false;

  for (const char* path : {"/api", "/api/certificates", "/nope.json"}) {
    Response r = portal().handle(get(path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["status"], 404) << path;
  }
  Response hook = portal().handle(Request{"PUT", "/hooks/moodle", {}, "", "", ""});
  EXPECT_EQ(nlohmann::json::parse(hook.body)["error"]["status"], 405);
}

TEST_F(PortalTest, TheStylesheetAndIconAreServedAndFaviconIsQuiet) {
  Response css = portal().handle(get("/assets/portal.css"));
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(header_of(css, "Cache-Control"), "public, max-age=3600");
  Response icon = portal().handle(get("/assets/icon.svg"));
  EXPECT_EQ(icon.content_type, "image/svg+xml");
  EXPECT_EQ(icon.body.rfind("<svg", 0), 0u);
  Response favicon = portal().handle(get("/favicon.ico"));
  EXPECT_EQ(favicon.status, 204);
  EXPECT_TRUE(favicon.body.empty());
}

TEST_F(PortalTest, DownloadsOnlyWithTheRightClaimToken) {
  Response mine = portal().handle(get("/c/family1/SWL3-7K4M-9QXR.pdf"));
  EXPECT_EQ(mine.status, 200);
  EXPECT_EQ(mine.content_type, "application/pdf");
  EXPECT_EQ(mine.body, "%PDF-fake SWL3-7K4M-9QXR");
  EXPECT_EQ(portal().handle(get("/c/family2/SWL3-7K4M-9QXR.pdf")).status, 404);
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

// One secret per source: the same signed request, replayed at another
// /hooks/{source}, does not become a second event.
TEST_F(PortalTest, AWebhookSignedForOneSourceIsRefusedAtAnother) {
  std::string body = R"({"type":"course_completed","data":{"userid":7,"courseid":3}})";
  Request for_moodle = hook("msg_1", body, k_now);
  ASSERT_EQ(portal().handle(for_moodle).status, 200);
  Request replayed = for_moodle;
  replayed.path = "/hooks/reports";
  Response refused = portal().handle(replayed);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(nlohmann::json::parse(refused.body)["error"]["status"], 401);
  ASSERT_EQ(m_backend.events.size(), 1u);
  EXPECT_EQ(m_backend.events.begin()->second.source, "webhook:moodle");

  EXPECT_EQ(portal().handle(hook("msg_1", body, k_now, "reports")).status, 200) << "signed for reports";
  EXPECT_EQ(m_backend.events.size(), 2u);
}

// The Moodle plugin's "send test event" (moodle/local_certd): checked like
// any webhook, answered at once, and never an event (it names no student).
TEST_F(PortalTest, APingIsAnsweredAndNotRecorded) {
  std::string body = R"({"type":"ping","data":{"site":"https://moodle.example","time":1}})";
  Response pong = portal().handle(hook("moodle-ping-1-ab", body, k_now));
  EXPECT_EQ(pong.status, 200) << pong.body;
  EXPECT_EQ(nlohmann::json::parse(pong.body)["status"], "pong");
  Request forged = hook("moodle-ping-1-ab", body, k_now);
  forged.body = R"({"type":"ping","data":{"site":"https://evil.example","time":1}})";
  EXPECT_EQ(portal().handle(forged).status, 401) << "a ping is signature-checked too";
  EXPECT_TRUE(m_backend.events.empty());
}

TEST_F(PortalTest, AWebhookSourceThatIsNotConfiguredIs404) {
  std::string body = R"({"type":"course_completed"})";
  for (const std::string& to : {std::string("canvas"), std::string("Moodle"), std::string(65, 'a')}) {
    Response r = portal().handle(hook("msg_1", body, k_now, "moodle", to));
    EXPECT_EQ(r.status, 404) << to;
    EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["message"], "no such webhook source") << to;
  }
  EXPECT_EQ(portal(nullptr).handle(hook("msg_1", body, k_now)).status, 404) << "no source configured at all";
  EXPECT_EQ(portal(std::make_unique<WebhookVerifier>(Duration(300))).handle(hook("msg_1", body, k_now)).status, 404);
  EXPECT_TRUE(m_backend.events.empty());
}

TEST_F(PortalTest, KeysAndUnknownPaths) {
  Response keys = portal().handle(get("/keys"));
  EXPECT_EQ(nlohmann::json::parse(keys.body)["keys"][0]["pem"], "-----BEGIN PUBLIC KEY-----");
  Response missing = portal().handle(get("/api/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing.body)["error"]["message"], "no such page");
  EXPECT_EQ(portal().handle(Request{"DELETE", "/keys", {}, "", "", ""}).status, 405);
  EXPECT_EQ(nlohmann::json::parse(portal().handle(get("/healthz")).body)["status"], "ok");
}

// /readyz answers 503 while any check fails, with what each found, and is
// never cached.
TEST_F(PortalTest, ReadinessIs200OnlyWhenEveryCheckPasses) {
  Response ready = portal().handle(get("/readyz"));
  EXPECT_EQ(ready.status, 200);
  auto body = nlohmann::json::parse(ready.body);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["checks"]["store"]["ok"], true);
  EXPECT_EQ(ready.content_type.rfind("application/json", 0), 0u);

  m_backend.readiness_answer.checks.push_back({"lms", false, "no poll has worked yet"});
  Response waiting = portal().handle(get("/readyz"));
  EXPECT_EQ(waiting.status, 503);
  body = nlohmann::json::parse(waiting.body);
  EXPECT_EQ(body["status"], "not ready");
  EXPECT_EQ(body["checks"]["lms"]["detail"], "no poll has worked yet");
  bool no_store = false;
  for (const auto& [name, value] : waiting.headers) no_store = no_store || (name == "Cache-Control" && value == "no-store");
  EXPECT_TRUE(no_store);
}

}  // namespace
}  // namespace certd::portal
