#include "app/outbox_handlers.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/forwarding_store.hpp"
#include "app/school_fixture.hpp"
#include "render/pdf_verifier.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

// Keeps the audit rows handlers append (the Store has no reader for them).
class AuditRecordingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::vector<store::NewAuditEntry> audit;

  Status append_audit(const store::NewAuditEntry& entry) override {
    audit.push_back(entry);
    return ForwardingStore::append_audit(entry);
  }
};

class OutboxHandlersTest : public SchoolFixture {
 protected:
  std::unique_ptr<store::Store> wrap_store(std::unique_ptr<store::Store> inner) override {
    auto wrapped = std::make_unique<AuditRecordingStore>(std::move(inner));
    m_audit = wrapped.get();
    return wrapped;
  }

  // A first-aid certificate for Ada (id 42), issued by the daemon.
  store::CertificateRow issue_first_aid() {
    EXPECT_TRUE(record_change(first_aider(42, "Ada Lovelace", 91), "fa:42"));
    EXPECT_TRUE(process());
    auto rows = certificates_of(42);
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? store::CertificateRow{} : rows.front();
  }

  // A level 3 certificate for Bea (id 7), approved by a teacher.
  store::CertificateRow issue_swim_level_3() {
    auto job = processor().job_for_rule("swim-level-3", swimmer(7, "Bea Nguyen"), "approved", "Ms Rivera");
    EXPECT_TRUE(job);
    job->teacher = "Ms Rivera";
    auto outcomes = issuer().issue({*job});
    EXPECT_TRUE(outcomes && outcomes->at(0).status == IssueStatus::issued);
    auto rows = certificates_of(7);
    return rows.empty() ? store::CertificateRow{} : rows.front();
  }

  std::map<std::string, OutboxHandler> handlers() {
    return make_outbox_handlers(school(), db(), archive(), m_notifier, &m_lms, m_clock);
  }

  std::optional<store::OutboxRow> queued(const std::string& kind) {
    for (const store::OutboxRow& row : outbox())
      if (row.item.kind == kind) return row;
    return std::nullopt;
  }

  std::vector<store::NotificationRow> notifications(store::Id certificate) {
    auto rows = db().notifications(certificate, std::nullopt);
    EXPECT_TRUE(rows);
    return rows ? *rows : std::vector<store::NotificationRow>{};
  }

  AuditRecordingStore* m_audit = nullptr;
};

TEST_F(OutboxHandlersTest, EmailCarriesThePdfFromTheArchive) {
  store::CertificateRow certificate = issue_first_aid();
  auto stats = outbox_worker().drain();
  ASSERT_OK(stats);

  auto sent = m_notifier.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, "student42@example.org");
  EXPECT_EQ(sent[0].from, "Riverside Swim School <office@riverside.example>");
  EXPECT_NE(sent[0].text_body.find(certificate.certificate.number), std::string::npos);
  EXPECT_NE(sent[0].text_body.find("https://certs.example.edu/c/" + certificate.certificate.claim_token),
            std::string::npos)
      << "the family page link";
  ASSERT_EQ(sent[0].attachments.size(), 1u);
  auto pdf = archive().read(certificate.certificate.pdf_path);
  ASSERT_OK(pdf);
  EXPECT_EQ(sent[0].attachments[0].bytes, *pdf);
  EXPECT_EQ(sent[0].attachments[0].content_type, "application/pdf");
  EXPECT_EQ(render::verify_pdf(sent[0].attachments[0].bytes, school().signer->public_key()).verdict,
            render::PdfVerdict::valid);
  auto rows = notifications(certificate.id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "sent");
  EXPECT_EQ(rows[0].role, "student");
}

TEST_F(OutboxHandlersTest, EmailKeepsItsMessageIdWhenSentAgainAndChangesItPerResendRound) {
  issue_first_aid();
  std::optional<store::OutboxRow> row = queued("email");
  ASSERT_TRUE(row);
  auto email = handlers().at("email");
  ASSERT_OK(email(*row));
  ASSERT_OK(email(*row));  // a crash between sending and recording
  store::OutboxRow resend = *row;
  json payload = json::parse(resend.item.payload);
  payload["resend"] = 1;
  resend.item.payload = payload.dump();
  ASSERT_OK(email(resend));

  auto sent = m_notifier.sent();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].message_id, sent[1].message_id);
  EXPECT_NE(sent[2].message_id, sent[0].message_id);
}

TEST_F(OutboxHandlersTest, RevokedCertificateIsNotMailed) {
  store::CertificateRow certificate = issue_first_aid();
  ASSERT_OK(db().revoke_certificate(certificate.certificate.number, "wrong student", k_start));
  auto stats = outbox_worker().drain();
  ASSERT_OK(stats);

  EXPECT_TRUE(m_notifier.sent().empty());
  auto rows = notifications(certificate.id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "failed");
  EXPECT_EQ(stats->retrying, 0) << "nothing left to retry";
}

TEST_F(OutboxHandlersTest, RevokedCertificateGetsNoNoteOrMessageInTheLms) {
  store::CertificateRow certificate = issue_first_aid();
  ASSERT_OK(db().revoke_certificate(certificate.certificate.number, "wrong student", k_start));
  auto stats = outbox_worker().drain();
  ASSERT_OK(stats);

  EXPECT_TRUE(m_lms.notes().empty());
  EXPECT_TRUE(m_lms.messages().empty()) << "no congratulations for a revoked certificate";
  EXPECT_TRUE(outbox().empty()) << "handled, not left to retry";
}

TEST_F(OutboxHandlersTest, MailServerDownIsRetriedWithoutLosingTheMail) {
  store::CertificateRow certificate = issue_first_aid();
  m_notifier.fail(testing::RecordingNotifier::Failure::unavailable);
  auto down = outbox_worker().drain();
  ASSERT_OK(down);
  EXPECT_EQ(down->retrying, 1);

  m_notifier.fail(testing::RecordingNotifier::Failure::none);
  m_clock.advance(3600);
  ASSERT_OK(outbox_worker().drain());
  EXPECT_EQ(m_notifier.sent().size(), 1u);
  EXPECT_EQ(notifications(certificate.id).at(0).status, "sent");
}

TEST_F(OutboxHandlersTest, RefusedLmsMessageIsRecordedAndNotRetried) {
  store::CertificateRow certificate = issue_first_aid();
  m_lms.refuse_messages(true);
  std::optional<store::OutboxRow> row = queued("lms.message");
  ASSERT_TRUE(row);

  ASSERT_OK(handlers().at("lms.message")(*row));

  EXPECT_TRUE(m_lms.messages().empty());
  ASSERT_EQ(m_audit->audit.size(), 1u);
  EXPECT_EQ(m_audit->audit[0].action, "message_refused");
  EXPECT_EQ(m_audit->audit[0].subject, certificate.certificate.number);
  EXPECT_EQ(m_audit->audit[0].details, "the user has blocked messages");
}

TEST_F(OutboxHandlersTest, TransientLmsErrorIsPassedOnForTheWorkerToRetry) {
  issue_first_aid();
  m_lms.fail_writes(testing::FakeLms::Failure::unavailable);
  for (const char* kind : {"lms.note", "lms.message"}) {
    std::optional<store::OutboxRow> row = queued(kind);
    ASSERT_TRUE(row) << kind;
    Status outcome = handlers().at(kind)(*row);
    ASSERT_FALSE(outcome) << kind;
    EXPECT_EQ(outcome.error().code(), ErrorCode::unavailable) << kind;
  }

  auto down = outbox_worker().drain();
  ASSERT_OK(down);
  EXPECT_EQ(down->retrying, 2);
  m_lms.fail_writes(testing::FakeLms::Failure::none);
  m_clock.advance(3600);
  ASSERT_OK(outbox_worker().drain());
  ASSERT_EQ(m_lms.notes().size(), 1u);
  // A retry may follow a note written with its answer lost: it looks first.
  EXPECT_FALSE(m_lms.notes().begin()->second.first_attempt);
  EXPECT_EQ(m_lms.messages().size(), 1u);
  EXPECT_TRUE(outbox().empty());
}

TEST_F(OutboxHandlersTest, ANoteOnItsFirstTryNeedNotLookForAnEarlierOne) {
  issue_first_aid();
  ASSERT_OK(outbox_worker().drain());
  ASSERT_EQ(m_lms.notes().size(), 1u);
  EXPECT_TRUE(m_lms.notes().begin()->second.first_attempt);
}

TEST_F(OutboxHandlersTest, PermanentLmsErrorFailsForGoodWithItsReason) {
  issue_first_aid();
  m_lms.fail_writes(testing::FakeLms::Failure::permanent);
  auto stats = outbox_worker().drain();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->failed, 2);
  auto failed = outbox(store::OutboxStatus::failed);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_NE(failed[0].last_error.find("nopermissions"), std::string::npos) << failed[0].last_error;
}

TEST_F(OutboxHandlersTest, NoteNamesTheCertificateAndLinksToItsVerification) {
  store::CertificateRow certificate = issue_first_aid();
  ASSERT_OK(outbox_worker().drain());
  auto notes = m_lms.notes();
  ASSERT_EQ(notes.size(), 1u);
  const connector::NoteRequest& note = notes.begin()->second;
  EXPECT_EQ(note.student, 42);
  EXPECT_EQ(note.course, k_first_aid.id);
  EXPECT_EQ(note.title, "First Aid Basics") << "no 'issued now' remark for a certificate the rules issued";
  EXPECT_EQ(note.verification_url, "https://certs.example.edu/v/" + certificate.certificate.number);
}

// What the mail calls a certificate is its title: a rule's certificate its
// course's name; an ad-hoc award its own title, with the course (if any)
// as context. The subjects and first sentences, exactly.
TEST_F(OutboxHandlersTest, MailsCallACertificateByItsTitleAndNameItsCourseAsContext) {
  issue_first_aid();
  struct Award {
    connector::UserId student;
    std::string title;
    std::string course_name;
  };
  for (const Award& award : {Award{43, "Star Swimmer of the Month", ""}, Award{44, "Bravest Diver", "First Aid Basics"}}) {
    auto job = processor().job_for_rule("first-aid", first_aider(award.student, "Анна Петрова", 95), "adhoc", "Ms Rivera");
    ASSERT_OK(job);
    job->kind = "adhoc";
    job->template_id = "encouragement";  // its course field is optional
    job->teacher = "Ms Rivera";
    job->title = award.title;
    job->course_name = award.course_name;
    if (award.course_name.empty()) job->course = "";
    auto outcomes = issuer().issue({*job});
    ASSERT_OK(outcomes);
    ASSERT_EQ(outcomes->at(0).status, IssueStatus::issued) << outcomes->at(0).error;
  }
  ASSERT_OK(outbox_worker().drain());

  std::map<std::string, std::string> sentence_by_subject;
  for (const notify::Message& m : m_notifier.sent()) {
    std::size_t start = m.text_body.find("Riverside");
    sentence_by_subject[m.subject] = m.text_body.substr(start, m.text_body.find('\n', start) - start);
  }
  EXPECT_EQ(sentence_by_subject["First Aid Basics for Ada Lovelace"],
            "Riverside Swim School has issued a certificate to Ada Lovelace: First Aid Basics.");
  EXPECT_EQ(sentence_by_subject["Star Swimmer of the Month for Анна Петрова"],
            "Riverside Swim School has issued a certificate to Анна Петрова: Star Swimmer of the Month.");
  EXPECT_EQ(sentence_by_subject["Bravest Diver for Анна Петрова"],
            "Riverside Swim School has issued a certificate to Анна Петрова: Bravest Diver, in the course First Aid "
            "Basics.");
  EXPECT_EQ(sentence_by_subject.size(), 3u);

  auto adhoc = certificates_of(43);
  ASSERT_EQ(adhoc.size(), 1u);
  EXPECT_EQ(adhoc[0].certificate.title, "Star Swimmer of the Month");
  EXPECT_EQ(adhoc[0].certificate.course, "");
  bool named = false;
  for (const auto& [key, note] : m_lms.notes()) named = named || note.title == "Bravest Diver";
  EXPECT_TRUE(named) << "the LMS note calls the award by its title";
}

TEST_F(OutboxHandlersTest, Level3CertificateEnrolsTheSwimmerInLevel4Once) {
  issue_swim_level_3();
  std::optional<store::OutboxRow> row = queued("lms.enrol");
  ASSERT_TRUE(row);
  auto enrol = handlers().at("lms.enrol");
  ASSERT_OK(enrol(*row));
  ASSERT_OK(enrol(*row));  // already enrolled: left as it is

  auto enrolments = m_lms.enrolments();
  ASSERT_EQ(enrolments.size(), 2u);
  EXPECT_EQ(enrolments[0].student, 7);
  EXPECT_EQ(enrolments[0].course, k_swim_l4.id);
}

TEST_F(OutboxHandlersTest, SwimmersFamilyIsMailedToo) {
  issue_swim_level_3();
  ASSERT_OK(outbox_worker().drain());
  std::set<std::string> to;
  for (const notify::Message& message : m_notifier.sent()) to.insert(message.to);
  EXPECT_EQ(to, (std::set<std::string>{"student7@example.org", "family7@example.org"}));
}

TEST_F(OutboxHandlersTest, LmsKindsFailForGoodWithoutAnLms) {
  issue_first_aid();
  auto no_lms = make_outbox_handlers(school(), db(), archive(), m_notifier, nullptr, m_clock);
  std::optional<store::OutboxRow> row = queued("lms.note");
  ASSERT_TRUE(row);
  Status outcome = no_lms.at("lms.note")(*row);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code(), ErrorCode::invalid_argument);
}

TEST_F(OutboxHandlersTest, MalformedPayloadIsAPermanentFailure) {
  store::OutboxRow row;
  row.item = {"lms.enrol", "x", "{\"next_course\": \"SWIM-L4\", \"who\": {}}"};
  Status outcome = handlers().at("lms.enrol")(row);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code(), ErrorCode::invalid_argument);
}

class OutboxHandlersWithProfileTest : public OutboxHandlersTest {
 protected:
  std::string lms_options() const override {
    return ", certificate_profile_field: last_certificate, issued_activity: Certificate issued";
  }
};

TEST_F(OutboxHandlersWithProfileTest, ConfiguredProfileFieldAndActivityAreWrittenBack) {
  store::CertificateRow certificate = issue_first_aid();
  ASSERT_OK(outbox_worker().drain());
  auto fields = m_lms.profile_fields();
  EXPECT_EQ(fields[42]["last_certificate"], certificate.certificate.number);
  EXPECT_EQ(m_lms.completed_activities(), std::vector<std::string>{"FA-101/Certificate issued/42"});
}

}  // namespace
}  // namespace certd::app
