// The teacher console's part of the store (schema version 14): LTI login
// states, sessions, local accounts, API tokens and the audit reader.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store.hpp"
#include "store/store_backends.hpp"
#include "store/store_test_util.hpp"

namespace certd::store {
namespace {

constexpr std::int64_t k_now = 1'800'000'000;

class ConsoleStore : public BackendTest {};
CERTD_ON_EVERY_BACKEND(ConsoleStore);

NewLtiState login(const std::string& state, std::int64_t expires_at) {
  return NewLtiState{state, "nonce-" + state, "https://moodle.example.org", "client-1",
                     "https://certd.example.org/lti/launch", k_now, expires_at};
}

NewSession session(const std::string& hash, std::int64_t idle_expires_at, std::int64_t expires_at) {
  NewSession s;
  s.token_hash = hash;
  s.kind = SessionKind::lti;
  s.user_key = "https://moodle.example.org|42";
  s.display_name = "Ms Rivera";
  s.role = Role::teacher;
  s.courses = {"SWIM-L3", "FA-101"};
  s.identity = R"({"issuer":"https://moodle.example.org","sub":"42"})";
  s.csrf_token = "csrf-" + hash;
  s.created_at = k_now;
  s.last_seen_at = k_now;
  s.idle_expires_at = idle_expires_at;
  s.expires_at = expires_at;
  return s;
}

NewLocalUser office(const std::string& name, Role role = Role::teacher) {
  return NewLocalUser{name, role, {"SWIM-L3"}, "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", k_now};
}

TEST_P(ConsoleStore, LtiStateIsTakenOnceWithWhatWasPut) {
  ASSERT_OK(store().put_lti_state(login("s1", k_now + 600), k_now, 100));

  auto taken = store().take_lti_state("s1", k_now + 10);
  ASSERT_OK(taken);
  ASSERT_TRUE(*taken);
  EXPECT_EQ((*taken)->state, "s1");
  EXPECT_EQ((*taken)->nonce, "nonce-s1");
  EXPECT_EQ((*taken)->issuer, "https://moodle.example.org");
  EXPECT_EQ((*taken)->client_id, "client-1");
  EXPECT_EQ((*taken)->target_link_uri, "https://certd.example.org/lti/launch");
  EXPECT_EQ((*taken)->created_at, k_now);
  EXPECT_EQ((*taken)->expires_at, k_now + 600);

  auto again = store().take_lti_state("s1", k_now + 11);
  ASSERT_OK(again);
  EXPECT_FALSE(*again) << "the nonce is single-use";
  auto unknown = store().take_lti_state("never-put", k_now);
  ASSERT_OK(unknown);
  EXPECT_FALSE(*unknown);
}

TEST_P(ConsoleStore, ExpiredLtiStateIsRefusedAndUsedUp) {
  ASSERT_OK(store().put_lti_state(login("s1", k_now + 600), k_now, 100));
  auto late = store().take_lti_state("s1", k_now + 600);
  ASSERT_OK(late);
  EXPECT_FALSE(*late) << "expired at expires_at";
  // The expired row is gone, so the same state can be put again.
  ASSERT_OK(store().put_lti_state(login("s1", k_now + 1200), k_now + 601, 100));
}

TEST_P(ConsoleStore, PutLtiStateRefusesWhenTooManyAreLiveAfterPurgingExpiredOnes) {
  ASSERT_OK(store().put_lti_state(login("old1", k_now + 10), k_now, 3));
  ASSERT_OK(store().put_lti_state(login("old2", k_now + 10), k_now, 3));
  ASSERT_OK(store().put_lti_state(login("live", k_now + 600), k_now, 3));
  auto full = store().put_lti_state(login("one-more", k_now + 600), k_now, 3);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code(), ErrorCode::unavailable);

  // Later the two short ones have expired: they are purged, which makes
  // room, and stay purged even when the put is refused.
  ASSERT_OK(store().put_lti_state(login("new1", k_now + 600), k_now + 10, 3));
  ASSERT_OK(store().put_lti_state(login("new2", k_now + 600), k_now + 10, 3));
  auto refused = store().put_lti_state(login("new3", k_now + 600), k_now + 10, 3);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::unavailable);
  EXPECT_TRUE(*store().take_lti_state("live", k_now + 20));
  EXPECT_FALSE(*store().take_lti_state("old1", k_now - 1)) << "purged, not merely hidden";
}

TEST_P(ConsoleStore, DuplicateLtiStateIsAConflict) {
  ASSERT_OK(store().put_lti_state(login("s1", k_now + 600), k_now, 100));
  auto twice = store().put_lti_state(login("s1", k_now + 600), k_now, 100);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code(), ErrorCode::conflict);
}

// Two daemon threads, each with its own connection, get the same
// id_token post (a double submit): exactly one may use the state.
TEST_P(ConsoleStore, TwoConnectionsRacingForOneLtiStateGiveItToExactlyOne) {
  constexpr int k_states = 40;
  for (int i = 0; i < k_states; ++i)
    ASSERT_OK(store().put_lti_state(login("s" + std::to_string(i), k_now + 600), k_now, 1000));
  std::unique_ptr<Store> first = open_again();
  std::unique_ptr<Store> second = open_again();
  ASSERT_TRUE(first && second);

  // Both threads meet before each state, so every state is a real race
  // rather than one thread running ahead through all of them.
  std::atomic<int> arrived{0};
  std::atomic<int> failures{0};
  std::vector<int> wins(2 * k_states, 0);
  auto race = [&](Store& mine, int who) {
    for (int i = 0; i < k_states; ++i) {
      arrived.fetch_add(1);
      while (arrived.load() < 2 * (i + 1)) std::this_thread::yield();
      auto taken = mine.take_lti_state("s" + std::to_string(i), k_now + 1);
      if (!taken) failures.fetch_add(1);
      else if (*taken) wins[2 * i + who] = 1;
    }
  };
  std::thread a(race, std::ref(*first), 0);
  std::thread b(race, std::ref(*second), 1);
  a.join();
  b.join();

  EXPECT_EQ(failures.load(), 0);
  for (int i = 0; i < k_states; ++i) EXPECT_EQ(wins[2 * i] + wins[2 * i + 1], 1) << "state s" << i;
}

TEST_P(ConsoleStore, SessionReadsBackWhileLive) {
  ASSERT_OK(store().create_session(session("h1", k_now + 1800, k_now + 43200)));
  auto found = store().session_by_hash("h1", k_now + 60);
  ASSERT_OK(found);
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->kind, SessionKind::lti);
  EXPECT_EQ((*found)->user_key, "https://moodle.example.org|42");
  EXPECT_EQ((*found)->display_name, "Ms Rivera");
  EXPECT_EQ((*found)->role, Role::teacher);
  EXPECT_EQ((*found)->courses, (std::vector<std::string>{"SWIM-L3", "FA-101"}));
  EXPECT_EQ((*found)->identity, R"({"issuer":"https://moodle.example.org","sub":"42"})");
  EXPECT_EQ((*found)->csrf_token, "csrf-h1");
  EXPECT_EQ((*found)->created_at, k_now);
  EXPECT_EQ((*found)->last_seen_at, k_now);
  EXPECT_EQ((*found)->idle_expires_at, k_now + 1800);
  EXPECT_EQ((*found)->expires_at, k_now + 43200);
  EXPECT_FALSE(*store().session_by_hash("h2", k_now));
}

TEST_P(ConsoleStore, SessionCoursesKeepAnyCharacterAndMayBeEmpty) {
  NewSession odd = session("h1", k_now + 1800, k_now + 43200);
  odd.courses = {"A, \"B\"", "[C]\n", "Plongée"};
  ASSERT_OK(store().create_session(odd));
  NewSession none = session("h2", k_now + 1800, k_now + 43200);
  none.courses = {};
  none.kind = SessionKind::local;
  none.role = Role::admin;
  ASSERT_OK(store().create_session(none));

  EXPECT_EQ((*store().session_by_hash("h1", k_now))->courses, odd.courses);
  auto admin = store().session_by_hash("h2", k_now);
  ASSERT_OK(admin);
  ASSERT_TRUE(*admin);
  EXPECT_TRUE((*admin)->courses.empty());
  EXPECT_EQ((*admin)->kind, SessionKind::local);
  EXPECT_EQ((*admin)->role, Role::admin);
}

TEST_P(ConsoleStore, SessionExpiresWhenIdleAndTouchingMovesOnlyTheIdleExpiry) {
  ASSERT_OK(store().create_session(session("h1", k_now + 1800, k_now + 3000)));
  ASSERT_OK(store().touch_session("h1", k_now + 1000, k_now + 2800));
  auto touched = store().session_by_hash("h1", k_now + 2000);
  ASSERT_OK(touched);
  ASSERT_TRUE(*touched) << "past the first idle expiry, but touched";
  EXPECT_EQ((*touched)->last_seen_at, k_now + 1000);
  EXPECT_EQ((*touched)->idle_expires_at, k_now + 2800);
  EXPECT_EQ((*touched)->expires_at, k_now + 3000);

  EXPECT_FALSE(*store().session_by_hash("h1", k_now + 2800)) << "idle";
  auto revive = store().touch_session("h1", k_now + 2900, k_now + 4000);
  ASSERT_FALSE(revive);
  EXPECT_EQ(revive.error().code(), ErrorCode::not_found) << "an idle session is not revived";
  EXPECT_FALSE(*store().session_by_hash("h1", k_now + 2900));
}

TEST_P(ConsoleStore, SessionExpiresAtItsAbsoluteLimitHoweverOftenTouched) {
  ASSERT_OK(store().create_session(session("h1", k_now + 1800, k_now + 3000)));
  ASSERT_OK(store().touch_session("h1", k_now + 1500, k_now + 3300));
  ASSERT_OK(store().touch_session("h1", k_now + 2900, k_now + 4700));
  EXPECT_TRUE(*store().session_by_hash("h1", k_now + 2999));
  EXPECT_FALSE(*store().session_by_hash("h1", k_now + 3000));
  EXPECT_FALSE(store().touch_session("h1", k_now + 3001, k_now + 4800));
}

TEST_P(ConsoleStore, DeletedSessionIsGoneAndDeletingTwiceIsFine) {
  ASSERT_OK(store().create_session(session("h1", k_now + 1800, k_now + 43200)));
  ASSERT_OK(store().delete_session("h1"));
  EXPECT_FALSE(*store().session_by_hash("h1", k_now));
  ASSERT_OK(store().delete_session("h1"));
}

TEST_P(ConsoleStore, DuplicateSessionHashIsAConflict) {
  ASSERT_OK(store().create_session(session("h1", k_now + 1800, k_now + 43200)));
  auto twice = store().create_session(session("h1", k_now + 1800, k_now + 43200));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code(), ErrorCode::conflict);
}

TEST_P(ConsoleStore, PurgeDeletesIdleAndAbsolutelyExpiredSessionsOnly) {
  ASSERT_OK(store().create_session(session("idle", k_now + 100, k_now + 43200)));
  ASSERT_OK(store().create_session(session("old", k_now + 1800, k_now + 200)));
  ASSERT_OK(store().create_session(session("live", k_now + 1800, k_now + 43200)));
  auto purged = store().purge_sessions(k_now + 200);
  ASSERT_OK(purged);
  EXPECT_EQ(*purged, 2);
  EXPECT_TRUE(*store().session_by_hash("live", k_now + 200));
  EXPECT_EQ(*store().purge_sessions(k_now + 200), 0);
}

TEST_P(ConsoleStore, LocalUserIsAddedOnceAndReadBack) {
  auto added = store().add_local_user(office("office"));
  ASSERT_OK(added);
  EXPECT_TRUE(added->created);
  NewLocalUser other = office("office", Role::admin);
  other.password_hash = "different";
  auto again = store().add_local_user(other);
  ASSERT_OK(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->id, added->id);

  auto found = store().local_user("office");
  ASSERT_OK(found);
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->user.name, "office");
  EXPECT_EQ((*found)->user.role, Role::teacher) << "the existing account is left as it was";
  EXPECT_EQ((*found)->user.courses, (std::vector<std::string>{"SWIM-L3"}));
  EXPECT_EQ((*found)->user.password_hash, office("office").password_hash);
  EXPECT_EQ((*found)->user.created_at, k_now);
  EXPECT_FALSE((*found)->disabled);
  EXPECT_EQ((*found)->failed_logins, 0);
  EXPECT_EQ((*found)->locked_until, 0);
  EXPECT_FALSE(*store().local_user("nobody"));
}

TEST_P(ConsoleStore, LocalUsersAreListedByName) {
  ASSERT_OK(store().add_local_user(office("zoe")));
  ASSERT_OK(store().add_local_user(office("admin", Role::admin)));
  auto users = store().local_users();
  ASSERT_OK(users);
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].user.name, "admin");
  EXPECT_EQ((*users)[0].user.role, Role::admin);
  EXPECT_EQ((*users)[1].user.name, "zoe");
}

TEST_P(ConsoleStore, LocalUserCannotBeAStudent) {
  auto student = store().add_local_user(office("kid", Role::student));
  ASSERT_FALSE(student);
  EXPECT_EQ(student.error().code(), ErrorCode::invalid_argument);
  EXPECT_FALSE(*store().local_user("kid"));
}

TEST_P(ConsoleStore, PasswordAndDisabledAreChangedAndUnknownNamesAreNotFound) {
  ASSERT_OK(store().add_local_user(office("office")));
  ASSERT_OK(store().set_local_user_password("office", "$argon2id$new"));
  ASSERT_OK(store().set_local_user_disabled("office", true));
  auto found = store().local_user("office");
  ASSERT_OK(found);
  EXPECT_EQ((*found)->user.password_hash, "$argon2id$new");
  EXPECT_TRUE((*found)->disabled);
  ASSERT_OK(store().set_local_user_disabled("office", false));
  EXPECT_FALSE((*store().local_user("office"))->disabled);

  EXPECT_EQ(store().set_local_user_password("nobody", "x").error().code(), ErrorCode::not_found);
  EXPECT_EQ(store().set_local_user_disabled("nobody", true).error().code(), ErrorCode::not_found);
  EXPECT_EQ(store().record_login_failure("nobody", k_now, 5, 900).error().code(), ErrorCode::not_found);
  EXPECT_EQ(store().record_login_success("nobody").error().code(), ErrorCode::not_found);
}

TEST_P(ConsoleStore, LoginFailuresLockTheAccountAtTheLimitAndStartCountingAgain) {
  ASSERT_OK(store().add_local_user(office("office")));
  for (int i = 1; i <= 2; ++i) {
    ASSERT_OK(store().record_login_failure("office", k_now + i, 3, 900));
    EXPECT_EQ((*store().local_user("office"))->failed_logins, i);
    EXPECT_EQ((*store().local_user("office"))->locked_until, 0);
  }
  ASSERT_OK(store().record_login_failure("office", k_now + 3, 3, 900));
  auto locked = store().local_user("office");
  ASSERT_OK(locked);
  EXPECT_EQ((*locked)->locked_until, k_now + 3 + 900);
  EXPECT_EQ((*locked)->failed_logins, 0) << "the count starts again after the lock";

  ASSERT_OK(store().record_login_failure("office", k_now + 1000, 3, 900));
  EXPECT_EQ((*store().local_user("office"))->failed_logins, 1);
  EXPECT_EQ((*store().local_user("office"))->locked_until, k_now + 903) << "one failure does not lock again";
}

TEST_P(ConsoleStore, LoginSuccessClearsTheFailureCount) {
  ASSERT_OK(store().add_local_user(office("office")));
  ASSERT_OK(store().record_login_failure("office", k_now, 3, 900));
  ASSERT_OK(store().record_login_failure("office", k_now, 3, 900));
  ASSERT_OK(store().record_login_success("office"));
  EXPECT_EQ((*store().local_user("office"))->failed_logins, 0);
  ASSERT_OK(store().record_login_failure("office", k_now, 3, 900));
  ASSERT_OK(store().record_login_failure("office", k_now, 3, 900));
  EXPECT_EQ((*store().local_user("office"))->locked_until, 0) << "two since the success, not four";
}

TEST_P(ConsoleStore, ApiTokenIsFoundByHashAndTouched) {
  ASSERT_OK(store().add_local_user(office("office")));
  auto id = store().add_api_token({"office", "hash-1", "nightly export", k_now});
  ASSERT_OK(id);
  ASSERT_OK(store().touch_api_token(*id, k_now + 60));

  auto found = store().api_token_by_hash("hash-1");
  ASSERT_OK(found);
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->id, *id);
  EXPECT_EQ((*found)->token.user_name, "office");
  EXPECT_EQ((*found)->token.token_hash, "hash-1");
  EXPECT_EQ((*found)->token.label, "nightly export");
  EXPECT_EQ((*found)->token.created_at, k_now);
  EXPECT_EQ((*found)->last_used_at, k_now + 60);
  EXPECT_FALSE((*found)->revoked_at);
  EXPECT_FALSE(*store().api_token_by_hash("hash-2"));
  EXPECT_EQ(store().touch_api_token(*id + 100, k_now).error().code(), ErrorCode::not_found);
}

TEST_P(ConsoleStore, ApiTokenHashIsUniqueAndItsUserMustExist) {
  ASSERT_OK(store().add_local_user(office("office")));
  ASSERT_OK(store().add_local_user(office("other")));
  ASSERT_OK(store().add_api_token({"office", "hash-1", "one", k_now}));
  auto twice = store().add_api_token({"other", "hash-1", "two", k_now});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code(), ErrorCode::conflict);
  auto orphan = store().add_api_token({"nobody", "hash-2", "three", k_now});
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code(), ErrorCode::not_found);
}

TEST_P(ConsoleStore, RevokedApiTokenIsStillFoundWithItsRevocationTime) {
  ASSERT_OK(store().add_local_user(office("office")));
  auto id = store().add_api_token({"office", "hash-1", "one", k_now});
  ASSERT_OK(id);
  ASSERT_OK(store().revoke_api_token(*id, k_now + 5));
  auto found = store().api_token_by_hash("hash-1");
  ASSERT_OK(found);
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->revoked_at, k_now + 5);

  auto again = store().revoke_api_token(*id, k_now + 6);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::conflict);
  EXPECT_EQ((*store().api_token_by_hash("hash-1"))->revoked_at, k_now + 5) << "the first revocation stands";
  EXPECT_EQ(store().revoke_api_token(*id + 100, k_now).error().code(), ErrorCode::not_found);
}

TEST_P(ConsoleStore, ApiTokensAreListedPerUserOrAll) {
  ASSERT_OK(store().add_local_user(office("office")));
  ASSERT_OK(store().add_local_user(office("other")));
  ASSERT_OK(store().add_api_token({"office", "hash-1", "one", k_now}));
  ASSERT_OK(store().add_api_token({"other", "hash-2", "two", k_now}));
  ASSERT_OK(store().add_api_token({"office", "hash-3", "three", k_now}));

  auto mine = store().api_tokens("office");
  ASSERT_OK(mine);
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].token.label, "one");
  EXPECT_EQ((*mine)[1].token.label, "three");
  auto all = store().api_tokens("");
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 3u);
  EXPECT_TRUE(store().api_tokens("nobody")->empty());
}

TEST_P(ConsoleStore, RecentAuditReadsNewestFirst) {
  ASSERT_OK(store().append_audit({"Ms Rivera", "revoke", "SWL3-1", "{}", k_now}));
  ASSERT_OK(store().append_audit({"office", "login", "office", "", k_now + 1}));
  ASSERT_OK(store().append_audit({"admin", "add-user", "zoe", "teacher", k_now + 2}));

  auto recent = store().recent_audit(2);
  ASSERT_OK(recent);
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].entry.actor, "admin");
  EXPECT_EQ((*recent)[0].entry.action, "add-user");
  EXPECT_EQ((*recent)[0].entry.subject, "zoe");
  EXPECT_EQ((*recent)[0].entry.details, "teacher");
  EXPECT_EQ((*recent)[0].entry.at, k_now + 2);
  EXPECT_EQ((*recent)[1].entry.actor, "office");
  EXPECT_GT((*recent)[0].id, (*recent)[1].id);
}

}  // namespace
}  // namespace certd::store
