#include "app/batch_runner.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "app/batch_csv.hpp"
#include "app/batch_row_key.hpp"
#include "app/forwarding_store.hpp"
#include "app/school_fixture.hpp"
#include "app/store_factory.hpp"
#include "render/template.hpp"

namespace certd::app {
namespace {

// Steps in where a test needs a crash or a concurrent cancel.
class InterruptingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  std::function<void()> before_insert;  // runs once, before the next group commits
  int fail_batch_item_updates = 0;      // how many set_batch_items calls fail (a crash before they commit)

  Result<std::vector<Inserted>> insert_certificates(const std::vector<store::CertificateWithOutbox>& group) override {
    if (before_insert) std::exchange(before_insert, nullptr)();
    return ForwardingStore::insert_certificates(group);
  }

  Status set_batch_items(const std::vector<store::BatchItemOutcome>& outcomes) override {
    if (fail_batch_item_updates > 0) {
      --fail_batch_item_updates;
      return Error(ErrorCode::unavailable, "database is locked");
    }
    return ForwardingStore::set_batch_items(outcomes);
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

  Result<BatchImport> import_file(const BatchFile& file, ImportMode mode = ImportMode::once) {
    return runner().import(file, "first-aid", "recipients.csv", "Ms Rivera", /*skip_bad=*/false, mode);
  }

  // An import that must start a new batch: its id.
  Result<store::Id> import(const BatchFile& file, bool skip_bad = false) {
    auto imported = runner().import(file, "first-aid", "recipients.csv", "Ms Rivera", skip_bad);
    if (!imported) return imported.error();
    if (!imported->batch) return Error(ErrorCode::conflict, "every row was already there");
    return *imported->batch;
  }

  std::vector<store::CertificateRow> all_certificates() {
    auto rows = db().recent_certificates(1000);
    EXPECT_TRUE(rows);
    return rows ? *rows : std::vector<store::CertificateRow>{};
  }

  // Issued (not revoked) certificates per student.
  std::map<std::string, int> issued_per_student() {
    std::map<std::string, int> counts;
    for (const store::CertificateRow& row : all_certificates())
      if (row.status == store::CertificateStatus::issued) ++counts[row.certificate.student_id];
    return counts;
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

// A row with a title of its own may have no course; a template that
// prints the course cannot issue it. The template is the test's own, so
// what the example templates print does not matter here.
TEST_F(BatchRunnerTest, ARowWithoutACourseIsRefusedByATemplateThatPrintsTheCourse) {
  std::string text = "version: 1\nname: Course award\nnumber_prefix: CA\npage: { size: A4, orientation: portrait }\n"
                     "fonts: { sans: /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf }\n"
                     "fields:\n  - { text: \"{{student.fullname}} {{course.fullname}}\", font: sans, size: 20, x: 40, "
                     "y: 100 }\nqr: { x: 400, y: 700, size: 100 }\n";
  render::TemplateLoad load = render::load_template(text, (m_dir / "course-award.yaml").string());
  ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
  school().templates["course-award"] = std::make_shared<const render::Template>(std::move(*load.loaded));
  school().template_ids.insert("course-award");
  BatchFile file = parse(
      "student,name,course,title\nkid1@example.org,Kid One,First Aid Basics,\n"
      "kid2@example.org,Kid Two,,Lifesaver of the year\n");
  ASSERT_TRUE(file.errors.empty());

  auto imported = runner().import(file, "course-award", "recipients.csv", "Ms Rivera", /*skip_bad=*/false);

  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().message(),
            "recipients.csv: template course-award prints {{course.fullname}}, but the course column is empty on "
            "lines 3; nothing was issued");
  EXPECT_TRUE(db().batches()->empty());
}

// An award of its own in a batch, as `certd issue --title` gives one: the
// certificate is called by the row's title (stored, mailed), its course
// only context, or none.
TEST_F(BatchRunnerTest, ARowWithATitleButNoCourseIssuesACertificateCalledByIt) {
  BatchFile file = parse(
      "student,name,course,title,notes\n"
      "kid1@example.org,Kid One,,Lifesaver of the year,For the rescue at the lake\n"
      "kid2@example.org,Kid Two,First Aid Basics,Best first aider,Calm and quick\n"
      "kid3@example.org,Kid Three,First Aid Basics,,Well done\n");
  ASSERT_TRUE(file.errors.empty());
  auto imported = runner().import(file, "encouragement", "awards.csv", "Ms Rivera", /*skip_bad=*/false);
  ASSERT_OK(imported);
  ASSERT_TRUE(imported->batch);

  run_all(10);

  std::map<std::string, store::NewCertificate> issued;
  for (const store::CertificateRow& row : certificates_of_batch(*imported->batch)) {
    EXPECT_EQ(row.status, store::CertificateStatus::issued);
    issued[row.certificate.student_id] = row.certificate;
  }
  ASSERT_EQ(issued.size(), 3u);
  EXPECT_EQ(issued["kid1@example.org"].title, "Lifesaver of the year");
  EXPECT_EQ(issued["kid1@example.org"].course, "");
  EXPECT_EQ(issued["kid2@example.org"].title, "Best first aider");
  EXPECT_EQ(issued["kid2@example.org"].course, "First Aid Basics") << "the course stays, as context";
  EXPECT_EQ(issued["kid3@example.org"].title, "First Aid Basics") << "without a title, the course names it";
  ASSERT_OK(outbox_worker().drain());
  bool mailed = false;
  for (const notify::Message& message : m_notifier.sent())
    mailed = mailed || message.subject.find("Lifesaver of the year") != std::string::npos;
  EXPECT_TRUE(mailed) << "the mail calls the award by its title";
}

// Two awards to one student in one file are two certificates; the same
// file again issues nothing new.
TEST_F(BatchRunnerTest, TwoTitlesForOneStudentAreTwoCertificatesAndTheSameFileAgainIssuesNothing) {
  std::string text = "student,name,title,notes\n"
                     "kid1@example.org,Kid One,Lifesaver of the year,For the rescue at the lake\n"
                     "kid1@example.org,Kid One,Best team spirit,Always there for the others\n";
  auto first = runner().import(parse(text), "encouragement", "awards.csv", "Ms Rivera", /*skip_bad=*/false);
  ASSERT_OK(first);
  ASSERT_TRUE(first->batch);
  EXPECT_EQ(first->new_rows, 2);
  run_all(10);
  std::multiset<std::string> titles;
  for (const store::CertificateRow& row : all_certificates()) titles.insert(row.certificate.title);
  EXPECT_EQ(titles, (std::multiset<std::string>{"Best team spirit", "Lifesaver of the year"}));

  auto again = runner().import(parse(text), "encouragement", "awards.csv", "Ms Rivera", /*skip_bad=*/false);

  ASSERT_OK(again);
  EXPECT_FALSE(again->batch);
  EXPECT_EQ(again->new_rows, 0);
  ASSERT_EQ(again->already.size(), 1u);
  EXPECT_EQ(again->already[0].rows, 2);
  EXPECT_TRUE(run_all(10).empty());
  EXPECT_EQ(all_certificates().size(), 2u);
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
  EXPECT_EQ(run_all(3), std::vector<int>{}) << "the dead run's claims hold its rows";

  // The restart takes back this worker's claims (Daemon::start).
  ASSERT_OK(db().release_claims(to_unix(m_clock.now()), worker_name(school().config)));
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

// Imports are idempotent by content (issue 12): a row's key comes from the
// template, the student and the row, not from the batch.

TEST_F(BatchRunnerTest, ARowsKeyComesFromTheTemplateTheStudentAndTheContentNotTheBatch) {
  BatchFile file = good_rows(1);
  auto id = import(file);
  ASSERT_OK(id);
  auto rows = db().batch_items(*id, "queued", 10);
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  std::string digest = batch_row_digest("first-aid", file.rows[0]);
  EXPECT_EQ((*rows)[0].item.digest, digest);
  EXPECT_EQ((*rows)[0].item.key, "batch:first-aid:" + digest.substr(0, 32) +
                                     "|student:kid1@example.org|course:First Aid Basics|gen:1");
  run_all(10);
  EXPECT_EQ(certificates_of_batch(*id)[0].certificate.idempotency_key, (*rows)[0].item.key);
}

// Rows keyed before titles existed keep their key: a file imported then
// and again after the upgrade is found, not issued twice. The digest is
// the one certd made for this row before titles.
TEST_F(BatchRunnerTest, ARowWithoutATitleKeepsTheDigestItHadBeforeTitles) {
  BatchFile file = good_rows(1);
  ASSERT_EQ(file.rows.size(), 1u);
  EXPECT_EQ(batch_row_digest("first-aid", file.rows[0]),
            "db4b8e184c2342f46e8b423542d65e9e70037cda2f37aa47bbc24697598a7d41");
  BatchFile with_empty_title = parse(
      "student,name,course,title,expires_on\nkid1@example.org,Kid Number 1,First Aid Basics,,2028-03-01\n");
  ASSERT_EQ(with_empty_title.rows.size(), 1u);
  EXPECT_EQ(batch_row_digest("first-aid", with_empty_title.rows[0]), batch_row_digest("first-aid", file.rows[0]))
      << "an empty title cell is no title";
}

// Two awards with titles of their own to one student in one file, with no
// course, are two certificates: the title is in the digest, so in the key.
TEST_F(BatchRunnerTest, TwoTitlesForOneStudentMakeTwoKeys) {
  BatchFile file = parse(
      "student,name,title\nkid1@example.org,Kid One,Lifesaver of the year\n"
      "kid1@example.org,Kid One,Best team spirit\n");
  ASSERT_EQ(file.rows.size(), 2u);
  BatchRow untitled = file.rows[0];
  untitled.title.clear();
  untitled.course = "Lifesaver of the year";

  std::string first = batch_row_digest("encouragement", file.rows[0]);
  std::string second = batch_row_digest("encouragement", file.rows[1]);

  EXPECT_NE(first, second);
  EXPECT_FALSE(batch_row_key("encouragement", file.rows[0], first, 1) ==
               batch_row_key("encouragement", file.rows[1], second, 1));
  EXPECT_NE(first, batch_row_digest("encouragement", untitled)) << "a title is not a course of that name";
  EXPECT_EQ(batch_row_key("encouragement", file.rows[0], first, 1).to_string(),
            "batch:encouragement:" + first.substr(0, 32) + "|student:kid1@example.org|course:|gen:1");
}

TEST_F(BatchRunnerTest, TheSameFileTwiceIssuesNothingTwice) {
  auto id = import(good_rows(5));
  ASSERT_OK(id);
  run_all(2);

  auto again = import_file(good_rows(5));

  ASSERT_OK(again);
  EXPECT_FALSE(again->batch) << "no second batch";
  EXPECT_EQ(again->new_rows, 0);
  ASSERT_EQ(again->already.size(), 1u);
  EXPECT_EQ(again->already[0].batch, *id);
  EXPECT_EQ(again->already[0].status, "done");
  EXPECT_EQ(again->already[0].rows, 5);
  EXPECT_FALSE(again->to_run);
  EXPECT_TRUE(run_all(2).empty());
  EXPECT_EQ(all_certificates().size(), 5u);
  EXPECT_EQ(db().batches()->size(), 1u);
}

// The import was killed half-way: the same command again finishes the
// batch it started instead of starting another.
TEST_F(BatchRunnerTest, TheSameFileWhileItsBatchIsRunningFinishesThatBatch) {
  auto id = import(good_rows(5));
  ASSERT_OK(id);
  ASSERT_OK(runner().run_group(2));

  auto again = import_file(good_rows(5));

  ASSERT_OK(again);
  EXPECT_FALSE(again->batch);
  ASSERT_EQ(again->already.size(), 1u);
  EXPECT_EQ(again->already[0].status, "running");
  EXPECT_EQ(again->already[0].rows, 5);
  ASSERT_TRUE(again->to_run);
  EXPECT_EQ(*again->to_run, *id);
  run_all(2);
  auto per_student = issued_per_student();
  EXPECT_EQ(per_student.size(), 5u);
  for (const auto& [student, count] : per_student) EXPECT_EQ(count, 1) << student;
  EXPECT_EQ(batch_row(*id).status, "done");
}

// Decided: a changed row is new content, so it is a new certificate; the
// one issued from the old row stays valid (revoke it if it was a mistake).
TEST_F(BatchRunnerTest, OnlyTheChangedRowOfAFileIsNew) {
  auto first = import(parse("student,name,course,expires_on\nkid1@example.org,Kid One,First Aid,2028-03-01\n"
                            "kid2@example.org,Kid Tow,First Aid,2028-03-01\n"
                            "kid3@example.org,Kid Three,First Aid,2028-03-01\n"));
  ASSERT_OK(first);
  run_all(10);

  auto changed = import_file(parse("student,name,course,expires_on\nkid1@example.org,Kid One,First Aid,2028-03-01\n"
                                   "kid2@example.org,Kid Two,First Aid,2028-03-01\n"
                                   "kid3@example.org,Kid Three,First Aid,2028-03-01\n"));

  ASSERT_OK(changed);
  ASSERT_TRUE(changed->batch);
  EXPECT_EQ(changed->new_rows, 1);
  ASSERT_EQ(changed->already.size(), 1u);
  EXPECT_EQ(changed->already[0].rows, 2);
  run_all(10);
  auto issued = certificates_of_batch(*changed->batch);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].certificate.student_name, "Kid Two");
  EXPECT_EQ(issued_per_student()["kid2@example.org"], 2) << "the old one stays until someone revokes it";
  EXPECT_EQ(all_certificates().size(), 4u);
}

TEST_F(BatchRunnerTest, AgainIssuesADoneFileOnceMoreWithNewKeysButNeverDoublesARunningBatch) {
  ASSERT_OK(import(good_rows(3)));
  run_all(10);

  auto again = import_file(good_rows(3), ImportMode::again);
  ASSERT_OK(again);
  ASSERT_TRUE(again->batch);
  EXPECT_EQ(again->new_rows, 3);
  EXPECT_TRUE(again->already.empty()) << "a done batch does not hold rows issued again on purpose";
  auto rows = db().batch_items(*again->batch, "queued", 10);
  ASSERT_OK(rows);
  EXPECT_NE((*rows)[0].item.key.find(":2|student:"), std::string::npos) << (*rows)[0].item.key;

  // The --again import was killed before it ran: running it again
  // finishes that batch, it does not start a third.
  auto rerun = import_file(good_rows(3), ImportMode::again);
  ASSERT_OK(rerun);
  EXPECT_FALSE(rerun->batch);
  ASSERT_TRUE(rerun->to_run);
  EXPECT_EQ(*rerun->to_run, *again->batch);
  run_all(10);
  EXPECT_EQ(all_certificates().size(), 6u);
  for (const auto& [student, count] : issued_per_student()) EXPECT_EQ(count, 2) << student;
}

TEST_F(BatchRunnerTest, RowsOfACancelledBatchAreImportedAnew) {
  auto id = import(good_rows(4));
  ASSERT_OK(id);
  ASSERT_OK(runner().run_group(2));
  ASSERT_OK(db().cancel_batch(*id, "batch cancelled", k_start));

  auto again = import_file(good_rows(4));

  ASSERT_OK(again);
  ASSERT_TRUE(again->batch);
  EXPECT_EQ(again->new_rows, 4);
  run_all(10);
  auto per_student = issued_per_student();
  EXPECT_EQ(per_student.size(), 4u);
  for (const auto& [student, count] : per_student) EXPECT_EQ(count, 1) << student;
  EXPECT_EQ(all_certificates().size(), 6u) << "two revoked by the cancel, four new";
}

TEST_F(BatchRunnerTest, ARowThatFailedIsTriedAgainByAReimport) {
  std::string text = "student,name,course,expires_on\nkid1@example.org,Kid One,First Aid,2028-03-01\n"
                     "kid2@example.org,\xF0\x93\x80\x80,First Aid,2028-03-01\n";
  ASSERT_OK(import(parse(text)));
  run_all(10);

  auto again = import_file(parse(text));

  ASSERT_OK(again);
  ASSERT_TRUE(again->batch);
  EXPECT_EQ(again->new_rows, 1) << "only the failed row";
  EXPECT_EQ(again->already[0].rows, 1);
}

// A batch stored by an older certd (no key, no digest) resumes with the
// key it had then, so what it already issued is not issued again.
TEST_F(BatchRunnerTest, RowsStoredBeforeContentKeysResumeWithTheirBatchIdKey) {
  auto id = db().create_batch({"old.csv", "first-aid", "Ms Rivera", 1, k_start},
                              {{2, "kid1@example.org", "Kid One", "First Aid", to_unix(m_clock.now()) + 86400000,
                                "", "", "", ""}});
  ASSERT_OK(id);
  run_all(10);
  auto issued = certificates_of_batch(*id);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].certificate.idempotency_key,
            "batch:" + std::to_string(*id) + "|student:kid1@example.org|course:First Aid|gen:1");
}

}  // namespace
}  // namespace certd::app
