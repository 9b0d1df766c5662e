#include "app/batch_runner.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "app/batch_csv.hpp"
#include "app/forwarding_store.hpp"
#include "app/school_fixture.hpp"

namespace certd::app {
namespace {

// Steps in where a test needs a crash or a concurrent cancel.
class InterruptingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  std::function<void()> before_insert;  // runs once, before the next group commits
  int fail_batch_item_updates = 0;      // how many set_batch_item calls fail (a crash before they commit)

  Result<std::vector<Inserted>> insert_certificates(const std::vector<store::CertificateWithOutbox>& group) override {
    if (before_insert) std::exchange(before_insert, nullptr)();
    return ForwardingStore::insert_certificates(group);
  }

  Status set_batch_item(Id item_id, const std::string& status, const std::string& error,
                        std::optional<Id> certificate_id) override {
    if (fail_batch_item_updates > 0) {
      --fail_batch_item_updates;
      return Error(ErrorCode::unavailable, "database is locked");
    }
    return ForwardingStore::set_batch_item(item_id, status, error, certificate_id);
  }
};

class BatchRunnerTest : public SchoolFixture {
 protected:
  std::unique_ptr<store::Store> wrap_store(std::unique_ptr<store::Store> inner) override {
    auto wrapped = std::make_unique<InterruptingStore>(std::move(inner));
    m_interrupting = wrapped.get();
    return wrapped;
  }

  BatchRunner runner() { return BatchRunner(school(), db(), issuer(), m_clock); }

  BatchFile parse(const std::string& text) { return parse_batch_csv(text, "recipients.csv", m_clock.now()); }

  // `n` good rows: students given by e-mail address, so each has mail.
  BatchFile good_rows(int n) {
    std::string text = "student,name,course,expires_on\n";
    for (int i = 1; i <= n; ++i)
      text += "kid" + std::to_string(i) + "@example.org,Kid Number " + std::to_string(i) + ",First Aid Basics,2028-03-01\n";
    return parse(text);
  }

  Result<store::Id> import(const BatchFile& file, bool skip_bad = false) {
    return runner().import(file, "first-aid", "recipients.csv", "Ms Rivera", skip_bad);
  }

  // Runs groups until the runner says there is nothing left.
  std::vector<int> run_all(int group) {
    std::vector<int> sizes;
    for (int guard = 0; guard < 20; ++guard) {
      auto handled = runner().run_group(group);
      EXPECT_TRUE(handled) << handled.error().to_string();
      if (!handled || *handled == 0) break;
      sizes.push_back(*handled);
    }
    return sizes;
  }

  std::vector<store::CertificateRow> certificates_of_batch(store::Id batch) {
    auto rows = db().recent_certificates(1000);
    EXPECT_TRUE(rows);
    std::vector<store::CertificateRow> mine;
    for (const store::CertificateRow& row : rows ? *rows : std::vector<store::CertificateRow>{})
      if (row.certificate.batch_id == batch) mine.push_back(row);
    return mine;
  }

  store::BatchRow batch_row(store::Id id) {
    auto row = db().batch(id);
    EXPECT_TRUE(row && row->has_value());
    return row && *row ? **row : store::BatchRow{};
  }

  InterruptingStore* m_interrupting = nullptr;
};

TEST_F(BatchRunnerTest, FileWithBadRowsIsRefusedWhole) {
  BatchFile file = parse("student,name,course\nkid1@example.org,Kid One,First Aid\nkid2@example.org,,First Aid\n");
  ASSERT_EQ(file.errors.size(), 1u);

  auto id = import(file);

  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code(), ErrorCode::invalid_argument);
  auto batches = db().batches();
  ASSERT_OK(batches);
  EXPECT_TRUE(batches->empty());
}

TEST_F(BatchRunnerTest, SkipBadImportsOnlyTheGoodRows) {
  BatchFile file = parse(
      "student,name,course,expires_on\nkid1@example.org,Kid One,First Aid,2028-03-01\n"
      "kid2@example.org,,First Aid,2028-03-01\nkid3@example.org,Kid Three,First Aid,2028-03-01\n");

  auto id = import(file, /*skip_bad=*/true);

  ASSERT_OK(id);
  EXPECT_EQ(batch_row(*id).batch.total, 2);
  auto rows = db().batch_items(*id, "queued", 100);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].item.name, "Kid One");
  EXPECT_EQ((*rows)[1].item.name, "Kid Three");
}

TEST_F(BatchRunnerTest, RowsLackingWhatTheTemplatePrintsAreRefusedUpFront) {
  BatchFile file = parse(
      "student,name,course,expires_on\nkid1@example.org,Kid One,First Aid,2028-03-01\n"
      "kid2@example.org,Kid Two,First Aid,\nkid3@example.org,Kid Three,First Aid,\n");
  auto id = import(file);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().message(),
            "recipients.csv: template first-aid prints {{expires_on}}, but the expires_on column is empty on lines "
            "3, 4; nothing was issued");
  auto level = runner().import(good_rows(1), "swim-level", "recipients.csv", "Ms Rivera", false);
  ASSERT_FALSE(level);
  EXPECT_NE(level.error().message().find("prints {{level}}, which a CSV batch has no column for"), std::string::npos)
      << level.error().message();
  EXPECT_TRUE(db().batches()->empty());
}

TEST_F(BatchRunnerTest, UnknownTemplateIsRefused) {
  auto id = runner().import(good_rows(1), "no-such-template", "recipients.csv", "Ms Rivera", false);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code(), ErrorCode::invalid_argument);
}

TEST_F(BatchRunnerTest, RunnerIssuesEveryRowAcrossGroupsAndFinishes) {
  auto id = import(good_rows(5));
  ASSERT_OK(id);

  EXPECT_EQ(run_all(2), (std::vector<int>{2, 2, 1}));

  auto issued = certificates_of_batch(*id);
  EXPECT_EQ(issued.size(), 5u);
  for (const store::CertificateRow& row : issued) {
    EXPECT_EQ(row.certificate.kind, "batch");
    EXPECT_EQ(row.status, store::CertificateStatus::issued);
    ASSERT_TRUE(row.certificate.expires_at);
  }
  store::BatchRow batch = batch_row(*id);
  EXPECT_EQ(batch.status, "done");
  EXPECT_EQ(batch.done, 5);
  EXPECT_EQ(batch.failed, 0);
  EXPECT_TRUE(batch.finished_at);
  EXPECT_EQ(pdf_files().size(), 5u);
  EXPECT_TRUE(run_all(2).empty()) << "a finished batch issues nothing more";
  EXPECT_EQ(certificates_of_batch(*id).size(), 5u);
}

TEST_F(BatchRunnerTest, RowThatCannotRenderFailsAloneAndTheBatchFinishes) {
  auto id = import(parse("student,name,course,expires_on\nkid1@example.org,Kid One,First Aid,2028-03-01\n"
                         "kid2@example.org,\xF0\x93\x80\x80,First Aid,2028-03-01\n"
                         "kid3@example.org,Kid Three,First Aid,2028-03-01\n"));
  ASSERT_OK(id);
  run_all(10);
  store::BatchRow batch = batch_row(*id);
  EXPECT_EQ(batch.status, "done");
  EXPECT_EQ(batch.done, 2);
  EXPECT_EQ(batch.failed, 1);
  auto failed = db().batch_items(*id, "failed", 10);
  ASSERT_OK(failed);
  ASSERT_EQ(failed->size(), 1u) << (*failed)[0].error;
  EXPECT_FALSE((*failed)[0].error.empty());
}

// The group committed its certificates, then the process died before
// the rows were marked: the rerun finds them issued and adds nothing.
TEST_F(BatchRunnerTest, RerunAfterACrashBetweenCommitsDuplicatesNothing) {
  auto id = import(good_rows(3));
  ASSERT_OK(id);
  m_interrupting->fail_batch_item_updates = 1;
  auto crashed = runner().run_group(3);
  ASSERT_FALSE(crashed);
  EXPECT_EQ(certificates_of_batch(*id).size(), 3u) << "the group had committed";

  auto sizes = run_all(3);

  EXPECT_EQ(sizes, std::vector<int>{3});
  EXPECT_EQ(certificates_of_batch(*id).size(), 3u);
  EXPECT_EQ(batch_row(*id).done, 3);
  EXPECT_EQ(batch_row(*id).status, "done");
  EXPECT_EQ(outbox().size(), 3u) << "one e-mail per certificate, not two";
  EXPECT_EQ(pdf_files().size(), 3u);
}

TEST_F(BatchRunnerTest, CancelRevokesWhatTheBatchIssuedAndStopsItsMail) {
  auto id = import(good_rows(4));
  ASSERT_OK(id);
  auto first = runner().run_group(2);
  ASSERT_OK(first);
  ASSERT_EQ(*first, 2);

  auto revoked = db().cancel_batch(*id, "batch cancelled", to_unix(m_clock.now()));
  ASSERT_OK(revoked);
  EXPECT_EQ(*revoked, 2);
  EXPECT_TRUE(run_all(2).empty());
  ASSERT_OK(outbox_worker().drain());

  auto issued = certificates_of_batch(*id);
  ASSERT_EQ(issued.size(), 2u);
  for (const store::CertificateRow& row : issued) EXPECT_EQ(row.status, store::CertificateStatus::revoked);
  EXPECT_EQ(batch_row(*id).status, "cancelled");
  auto cancelled_rows = db().batch_items(*id, "cancelled", 10);
  ASSERT_OK(cancelled_rows);
  EXPECT_EQ(cancelled_rows->size(), 2u);
  EXPECT_TRUE(m_notifier.sent().empty()) << "no mail for revoked certificates";
}

TEST_F(BatchRunnerTest, GroupCommittedJustAfterACancelIsRevokedToo) {
  auto id = import(good_rows(2));
  ASSERT_OK(id);
  store::Store& inner = m_interrupting->inner();
  m_interrupting->before_insert = [&] { ASSERT_TRUE(inner.cancel_batch(*id, "batch cancelled", k_start)); };

  auto handled = runner().run_group(2);
  ASSERT_OK(handled);
  ASSERT_OK(outbox_worker().drain());

  auto issued = certificates_of_batch(*id);
  ASSERT_EQ(issued.size(), 2u);
  for (const store::CertificateRow& row : issued) EXPECT_EQ(row.status, store::CertificateStatus::revoked);
  EXPECT_EQ(batch_row(*id).status, "cancelled");
  EXPECT_TRUE(m_notifier.sent().empty());
  EXPECT_TRUE(run_all(2).empty());
}

}  // namespace
}  // namespace certd::app
