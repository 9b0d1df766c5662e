// The public category of a revocation (store/revocation.hpp, migration 11):
// stored at revoke time beside the issuer's own note, and given to rows
// revoked before it existed.
#include "store/revocation.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "store/migrations.hpp"
#include "store/store.hpp"
#include "store/store_backends.hpp"
#include "store/store_test_util.hpp"

namespace certd::store {
namespace {

// The schema version just before the revocation category.
constexpr int k_before_category = 10;

NewCertificate certificate(const std::string& number) {
  NewCertificate c;
  c.number = number;
  c.idempotency_key = "key-" + number;
  c.template_id = "encouragement";
  c.student_id = "7";
  c.student_name = "Bea Nguyen";
  c.course = "SWIM-L1";
  c.kind = "adhoc";
  c.payload = "{}";
  c.signature = "sig";
  c.pdf_path = "pdf/" + number + ".pdf";
  c.issued_at = 1000;
  c.claim_token = "claim-7";
  return c;
}

TEST(RevocationCategory, ItsWordsReadBack) {
  for (RevocationCategory category :
       {RevocationCategory::issued_in_error, RevocationCategory::replaced, RevocationCategory::withdrawn}) {
    auto parsed = parse_revocation_category(to_string(category));
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, category);
  }
  EXPECT_STREQ(to_string(RevocationCategory::issued_in_error), "error");
  auto unknown = parse_revocation_category("oops\x1b[2J");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(unknown.error().message().find("oops"), std::string::npos) << "what was typed is not repeated";
}

// The category as the store keeps it, on every backend.
class RevocationStore : public BackendTest {};
CERTD_ON_EVERY_BACKEND(RevocationStore);

TEST_P(RevocationStore, CategoryIsStoredBesideTheNote) {
  for (const char* number : {"E-1", "W-1", "I-1"}) ASSERT_OK(store().insert_certificate(certificate(number), {}));
  ASSERT_OK(store().revoke_certificate("E-1", RevocationCategory::issued_in_error, "wrong student", 2000));
  ASSERT_OK(store().revoke_certificate("W-1", "no category said", 2000));

  auto error = store().certificate_by_number("E-1");
  ASSERT_OK(error);
  EXPECT_EQ((*error)->revoke_category, RevocationCategory::issued_in_error);
  EXPECT_EQ((*error)->revoke_reason, "wrong student");
  auto withdrawn = store().certificate_by_number("W-1");
  EXPECT_EQ((*withdrawn)->revoke_category, RevocationCategory::withdrawn) << "the default";
  auto issued = store().certificate_by_number("I-1");
  EXPECT_FALSE((*issued)->revoke_category) << "only a revoked certificate has one";
}

// Rows revoked before version 11: a reissue's ("reissued as ...") was
// replaced; any other revocation is withdrawn, which claims nothing about
// why; certificates still issued get none.
TEST(RevocationCategory, OlderRevokedRowsGetOneWhenMigrated) {
  TempDir dir;
  std::string path = dir.file("old.sqlite");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    ASSERT_OK(migrate(db, k_before_category));
    const char* insert =
        "INSERT INTO certificates (number, idempotency_key, rule_id, template_id, student_id, student_name, course, "
        "kind, requested_by, notes, payload, signature, pdf_path, issued_at, claim_token, status, revoked_at, "
        "revoke_reason) VALUES (?, ?, '', 'encouragement', '7', 'Bea', 'SWIM-L1', 'adhoc', '', '', '{}', 's', 'p', "
        "1000, 'c', ?, ?, ?)";
    auto add = [&](const char* number, const char* status, std::optional<std::int64_t> at, const char* reason) {
      SQLite::Statement s(db, insert);
      s.bind(1, number);
      s.bind(2, std::string("key-") + number);
      s.bind(3, status);
      if (at) s.bind(4, static_cast<std::int64_t>(*at));
      else s.bind(4);
      s.bind(5, reason);
      s.exec();
    };
    add("R-1", "revoked", 2000, "reissued as R-2");
    add("W-1", "revoked", 2000, "Issued in error: wrong student");
    add("I-1", "issued", std::nullopt, "");
  }
  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  EXPECT_EQ((*(*store)->certificate_by_number("R-1"))->revoke_category, RevocationCategory::replaced);
  EXPECT_EQ((*(*store)->certificate_by_number("W-1"))->revoke_category, RevocationCategory::withdrawn);
  EXPECT_FALSE((*(*store)->certificate_by_number("I-1"))->revoke_category);
  EXPECT_EQ((*(*store)->certificate_by_number("W-1"))->revoke_reason, "Issued in error: wrong student")
      << "the note is kept for the issuer";
}

}  // namespace
}  // namespace certd::store
