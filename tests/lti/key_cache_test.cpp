#include "lti/key_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "fakes/manual_clock.hpp"
#include "test_keys.hpp"

namespace certd::lti {
namespace {

using testing::other_key;
using testing::platform_key;

const std::string k_url = "https://moodle.example.edu/mod/lti/certs.php";
const std::string k_claims = R"({"sub":"17"})";

// Serves whatever set `jwks` holds now, counting calls; `down` makes the
// platform not answer.
struct FakePlatform {
  std::string jwks = platform_key().public_jwks_json();
  bool down = false;
  int calls = 0;
  std::string last_url;

  FetchKeys fetcher() {
    return [this](const std::string& url) -> Result<std::string> {
      ++calls;
      last_url = url;
      if (down) return Error(ErrorCode::unavailable, "connection refused");
      return jwks;
    };
  }
};

class KeyCacheTest : public ::testing::Test {
 protected:
  certd::testing::ManualClock m_clock{1795437296};
  FakePlatform m_platform;
  KeyCache m_cache{m_platform.fetcher(), m_clock, std::chrono::hours(1), std::chrono::seconds(10)};
  const std::string m_token = *sign_rs256(k_claims, platform_key());
  const std::string m_other_token = *sign_rs256(k_claims, other_key());
};

TEST_F(KeyCacheTest, FetchesOnceAndVerifiesFromTheCache) {
  for (int i = 0; i < 3; ++i) {
    auto claims = m_cache.verify(k_url, m_token);
    ASSERT_TRUE(claims) << claims.error().to_string();
    EXPECT_EQ(*claims, k_claims);
    m_clock.advance(60);
  }
  EXPECT_EQ(m_platform.calls, 1);
  EXPECT_EQ(m_cache.fetches(), 1);
  EXPECT_EQ(m_platform.last_url, k_url);
}

TEST_F(KeyCacheTest, RefetchesWhenATokenNamesAnUnknownKid) {
  ASSERT_TRUE(m_cache.verify(k_url, m_token));
  m_clock.advance(30);
  // The platform rotates: its set now holds the other key as well.
  m_platform.jwks = R"({"keys":[)" + platform_key().public_jwk_json() + "," + other_key().public_jwk_json() + "]}";
  auto claims = m_cache.verify(k_url, m_other_token);
  ASSERT_TRUE(claims) << claims.error().to_string();
  EXPECT_EQ(m_platform.calls, 2);
  EXPECT_TRUE(m_cache.verify(k_url, m_token));
  EXPECT_TRUE(m_cache.verify(k_url, m_other_token));
  EXPECT_EQ(m_platform.calls, 2);
}

TEST_F(KeyCacheTest, RefetchesForUnknownKidsAtMostOncePerMinRefetch) {
  ASSERT_TRUE(m_cache.verify(k_url, m_token));
  m_clock.advance(30);
  for (int i = 0; i < 5; ++i) {
    auto claims = m_cache.verify(k_url, m_other_token);
    ASSERT_FALSE(claims);
    EXPECT_EQ(claims.error().code(), ErrorCode::permission_denied);
    EXPECT_NE(claims.error().message().find("unknown key ID"), std::string::npos) << claims.error().message();
    m_clock.advance(1);
  }
  EXPECT_EQ(m_platform.calls, 2) << "one refetch in 5 s";
  m_clock.advance(6);
  EXPECT_FALSE(m_cache.verify(k_url, m_other_token));
  EXPECT_EQ(m_platform.calls, 3) << "10 s later, one more";
  EXPECT_TRUE(m_cache.verify(k_url, m_token)) << "known keys still verify meanwhile";
  EXPECT_EQ(m_platform.calls, 3);
}

TEST_F(KeyCacheTest, FetchesAgainAfterMaxAge) {
  ASSERT_TRUE(m_cache.verify(k_url, m_token));
  m_clock.advance(3599);
  ASSERT_TRUE(m_cache.verify(k_url, m_token));
  EXPECT_EQ(m_platform.calls, 1);
  m_clock.advance(1);
  // The platform dropped our key: an expired set is not used.
  m_platform.jwks = other_key().public_jwks_json();
  auto claims = m_cache.verify(k_url, m_token);
  ASSERT_FALSE(claims);
  EXPECT_EQ(claims.error().code(), ErrorCode::permission_denied);
  EXPECT_EQ(m_platform.calls, 2);
}

TEST_F(KeyCacheTest, AFailedFetchIsUnavailableNotAVerdict) {
  m_platform.down = true;
  auto claims = m_cache.verify(k_url, m_token);
  ASSERT_FALSE(claims);
  EXPECT_EQ(claims.error().code(), ErrorCode::unavailable);
  EXPECT_EQ(m_cache.verify(k_url, m_token).error().code(), ErrorCode::unavailable);
  EXPECT_EQ(m_platform.calls, 1) << "a platform that is down is not asked at every launch";
  m_platform.down = false;
  m_clock.advance(10);
  EXPECT_TRUE(m_cache.verify(k_url, m_token));
  EXPECT_EQ(m_platform.calls, 2);
}

TEST_F(KeyCacheTest, ASetThatDoesNotParseIsUnavailable) {
  m_platform.jwks = "<html>maintenance</html>";
  EXPECT_EQ(m_cache.verify(k_url, m_token).error().code(), ErrorCode::unavailable);
}

TEST_F(KeyCacheTest, AFailedRefetchKeepsTheCachedKeys) {
  ASSERT_TRUE(m_cache.verify(k_url, m_token));
  m_clock.advance(30);
  m_platform.down = true;
  EXPECT_EQ(m_cache.verify(k_url, m_other_token).error().code(), ErrorCode::unavailable);
  EXPECT_TRUE(m_cache.verify(k_url, m_token));
  EXPECT_EQ(m_platform.calls, 2);
}

TEST_F(KeyCacheTest, TokensRefusedWhateverTheKeysFetchNothing) {
  EXPECT_EQ(m_cache.verify(k_url, "not a token").error().code(), ErrorCode::parse_error);
  std::string none = base64url_encode(R"({"alg":"none","kid":"k"})") + "." + base64url_encode(k_claims) + ".";
  EXPECT_EQ(m_cache.verify(k_url, none).error().code(), ErrorCode::permission_denied);
  std::string no_kid = base64url_encode(R"({"alg":"RS256"})") + "." + base64url_encode(k_claims) + ".";
  EXPECT_EQ(m_cache.verify(k_url, no_kid).error().code(), ErrorCode::permission_denied);
  EXPECT_EQ(m_platform.calls, 0);
}

TEST_F(KeyCacheTest, KeepsOneSetPerUrl) {
  ASSERT_TRUE(m_cache.verify(k_url, m_token));
  ASSERT_TRUE(m_cache.verify("https://other.example/jwks", m_token));
  EXPECT_EQ(m_platform.calls, 2);
  EXPECT_EQ(m_platform.last_url, "https://other.example/jwks");
}

// Launches that arrive while the set is being fetched wait for that fetch
// rather than failing or fetching again (whatever the threads' timing).
TEST(KeyCache, ConcurrentLaunchesShareOneFetch) {
  certd::testing::ManualClock clock(1795437296);
  constexpr int k_threads = 4;
  std::atomic<int> started{0};
  std::atomic<int> calls{0};
  KeyCache cache(
      [&](const std::string&) -> Result<std::string> {
        ++calls;
        // Hold the fetch until every launch has begun.
        while (started.load() < k_threads) std::this_thread::yield();
        return platform_key().public_jwks_json();
      },
      clock);
  const std::string token = *sign_rs256(k_claims, platform_key());
  std::vector<int> verified(k_threads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < k_threads; ++i)
    threads.emplace_back([&, i] {
      ++started;
      verified[static_cast<std::size_t>(i)] = cache.verify(k_url, token).has_value() ? 1 : 0;
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(verified, std::vector<int>(k_threads, 1));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(cache.fetches(), 1);
}

}  // namespace
}  // namespace certd::lti
