#include "store/states.hpp"

#include <gtest/gtest.h>

namespace certd::store {
namespace {

// The database keeps these exact words (see the CHECK constraints).
TEST(States, ReadAndWriteTheDatabaseText) {
  EXPECT_STREQ(to_string(EventStatus::new_), "new");
  EXPECT_STREQ(to_string(EventStatus::processed), "processed");
  EXPECT_STREQ(to_string(CertificateStatus::revoked), "revoked");
  EXPECT_STREQ(to_string(PendingStatus::held), "held");
  EXPECT_STREQ(to_string(OutboxStatus::cancelled), "cancelled");
  EXPECT_STREQ(to_string(PendingWait::quota), "quota");

  for (EventStatus s : {EventStatus::new_, EventStatus::processed, EventStatus::failed})
    EXPECT_EQ(*parse_event_status(to_string(s)), s);
  for (CertificateStatus s : {CertificateStatus::issued, CertificateStatus::revoked})
    EXPECT_EQ(*parse_certificate_status(to_string(s)), s);
  for (PendingStatus s : {PendingStatus::pending, PendingStatus::held, PendingStatus::approved})
    EXPECT_EQ(*parse_pending_status(to_string(s)), s);
  for (OutboxStatus s : {OutboxStatus::queued, OutboxStatus::done, OutboxStatus::failed, OutboxStatus::cancelled})
    EXPECT_EQ(*parse_outbox_status(to_string(s)), s);
  for (PendingWait w : {PendingWait::approval, PendingWait::quota}) EXPECT_EQ(*parse_pending_wait(to_string(w)), w);
  for (SessionKind k : {SessionKind::lti, SessionKind::local, SessionKind::api})
    EXPECT_EQ(*parse_session_kind(to_string(k)), k);
  for (Role r : {Role::admin, Role::teacher, Role::student}) EXPECT_EQ(*parse_role(to_string(r)), r);
  EXPECT_STREQ(to_string(SessionKind::local), "local");
  EXPECT_STREQ(to_string(Role::admin), "admin");
}

TEST(States, UnknownTextIsAnErrorNotADefault) {
  auto event = parse_event_status("archived");
  ASSERT_FALSE(event);
  EXPECT_EQ(event.error().code(), ErrorCode::parse_error);
  EXPECT_EQ(event.error().message(), "unknown event status 'archived'");
  EXPECT_FALSE(parse_certificate_status("Revoked")) << "case matters: the database text is exact";
  EXPECT_FALSE(parse_pending_status(""));
  EXPECT_FALSE(parse_outbox_status("sent")) << "a notification's word, not an outbox item's";
  EXPECT_FALSE(parse_pending_wait("quota "));
  EXPECT_FALSE(parse_session_kind("oauth"));
  EXPECT_FALSE(parse_role("Teacher")) << "an LMS role name is mapped by the caller, not here";
}

}  // namespace
}  // namespace certd::store
