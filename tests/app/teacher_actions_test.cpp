#include "app/teacher_actions.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "app/forwarding_store.hpp"
#include "app/school_fixture.hpp"
#include "rules/idempotency.hpp"
#include "rules/parser.hpp"
#include "rules/rule_set.hpp"

namespace certd::app {
namespace {

using nlohmann::json;

class TeacherActionsTest : public SchoolFixture {
 protected:
  // Puts swimmers 1..n in the approval queue, as the daemon would.
  std::vector<store::Id> queue_swimmers(int n) {
    const char* names[] = {"Ada Lovelace", "Bea Nguyen", "Carl Jónsson", "Dana Kowalska", "Eli Tanaka"};
    for (int i = 1; i <= n; ++i) {
      EXPECT_TRUE(record_change(swimmer(i, names[i - 1]), "skills:" + std::to_string(i),
                                connector::ChangeKind::skills_changed));
    }
    auto stats = process();
    EXPECT_TRUE(stats && stats->queued == n);
    std::vector<store::Id> ids;
    for (const store::PendingRow& row : pending()) ids.push_back(row.id);
    return ids;
  }

  std::set<store::Id> ids_of(const std::vector<store::PendingRow>& rows) {
    std::set<store::Id> ids;
    for (const store::PendingRow& row : rows) ids.insert(row.id);
    return ids;
  }

  store::CertificateRow certificate(const std::string& number) {
    auto row = db().certificate_by_number(number);
    EXPECT_TRUE(row && row->has_value()) << number;
    return row && *row ? **row : store::CertificateRow{};
  }

  using SchoolFixture::pdf_text;
  std::string pdf_text(const std::string& number) { return pdf_text(certificate(number)); }

  // The LMS writes the outbox made for one certificate, by client id.
  std::optional<connector::NoteRequest> note_for(const std::string& number) {
    auto notes = m_lms.notes();
    auto found = notes.find("certd-note-" + number);
    if (found == notes.end()) return std::nullopt;
    return found->second;
  }

  AdhocDetails adhoc(const std::string& request_id, const std::string& student, const std::string& name) {
    AdhocDetails details;
    details.request = {request_id, student, "encouragement", "", "Ms Rivera", "For never giving up"};
    details.student_name = name;
    details.student_email = name.empty() ? "" : "kid@example.org";
    return details;
  }
};

TEST_F(TeacherActionsTest, ApprovingSomeEntriesIssuesThoseAndLeavesTheRestQueued) {
  std::vector<store::Id> ids = queue_swimmers(4);
  ASSERT_EQ(ids.size(), 4u);
  ASSERT_OK(hold_pending(runtime(), {ids[3]}, "Ms Rivera"));

  auto approved = approve_pending(runtime(), &m_lms, {ids[0], ids[1]}, /*all=*/false, "Lovely dives", "Ms Rivera");
  ASSERT_OK(approved);

  EXPECT_EQ(approved->issued.size(), 2u);
  EXPECT_TRUE(approved->failed.empty());
  EXPECT_EQ(ids_of(pending()), std::set<store::Id>{ids[2]});
  EXPECT_EQ(ids_of(pending(store::PendingStatus::held)), std::set<store::Id>{ids[3]});
  EXPECT_EQ(ids_of(pending(store::PendingStatus::approved)), (std::set<store::Id>{ids[0], ids[1]}));
  for (const std::string& number : approved->issued) {
    store::CertificateRow row = certificate(number);
    EXPECT_EQ(row.certificate.kind, "approved");
    EXPECT_EQ(row.certificate.notes, "Lovely dives");
    EXPECT_EQ(row.certificate.requested_by, "Ms Rivera");
    EXPECT_EQ(row.certificate.rule_id, "swim-level-3");
  }
  EXPECT_TRUE(certificates_of(3).empty());
  EXPECT_TRUE(certificates_of(4).empty());
}

TEST_F(TeacherActionsTest, ApproveAllLeavesHeldEntriesQueuedForNextTime) {
  std::vector<store::Id> ids = queue_swimmers(3);
  ASSERT_OK(hold_pending(runtime(), {ids[1]}, "Ms Rivera"));

  auto approved = approve_pending(runtime(), &m_lms, {}, /*all=*/true, "", "Ms Rivera");
  ASSERT_OK(approved);

  EXPECT_EQ(approved->issued.size(), 2u);
  EXPECT_EQ(ids_of(pending(store::PendingStatus::held)), std::set<store::Id>{ids[1]});
  EXPECT_TRUE(certificates_of(2).empty()) << "a held student is not issued by --all";
  EXPECT_TRUE(pending().empty());
}

TEST_F(TeacherActionsTest, AnEntryThatCannotBeIssuedIsReportedAndTheOthersGoAhead) {
  std::vector<store::Id> ids = queue_swimmers(2);
  store::NewPending broken{"rule:swim-level-3|student:99|course:SWIM-L3|gen:1", "swim-level-3", "99", "Zed",
                           "SWIM-L3", "conditions met", "{not json", to_unix(m_clock.now())};
  ASSERT_OK(db().add_pending(broken));

  auto approved = approve_pending(runtime(), &m_lms, {}, /*all=*/true, "", "Ms Rivera");
  ASSERT_OK(approved);

  EXPECT_EQ(approved->issued.size(), 2u);
  ASSERT_EQ(approved->failed.size(), 1u);
  EXPECT_NE(approved->failed[0].find("bad progress snapshot"), std::string::npos) << approved->failed[0];
  EXPECT_EQ(pending().size(), 1u) << "the broken entry stays visible in the queue";
}

TEST_F(TeacherActionsTest, HeldEntryStaysHeldWhenTheStudentChangesAgain) {
  std::vector<store::Id> ids = queue_swimmers(1);
  ASSERT_OK(hold_pending(runtime(), ids, "Ms Rivera"));
  ASSERT_OK(record_change(swimmer(1, "Ada Lovelace"), "skills:1:again", connector::ChangeKind::skills_changed));
  auto stats = process();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->queued, 0);
  EXPECT_EQ(ids_of(pending(store::PendingStatus::held)), std::set<store::Id>{ids[0]});
  EXPECT_TRUE(pending().empty());
}

TEST_F(TeacherActionsTest, HeldEntryIsIssuedWhenApprovedByItsId) {
  std::vector<store::Id> ids = queue_swimmers(2);
  ASSERT_OK(hold_pending(runtime(), {ids[0]}, "Ms Rivera"));
  auto approved = approve_pending(runtime(), &m_lms, {ids[0]}, /*all=*/false, "", "Ms Rivera");
  ASSERT_OK(approved);
  EXPECT_EQ(approved->issued.size(), 1u);
  EXPECT_EQ(certificates_of(1).size(), 1u);
  EXPECT_EQ(ids_of(pending()), std::set<store::Id>{ids[1]});
}

TEST_F(TeacherActionsTest, ApprovingTwiceIssuesOnce) {
  std::vector<store::Id> ids = queue_swimmers(1);
  auto first = approve_pending(runtime(), &m_lms, ids, false, "", "Ms Rivera");
  auto second = approve_pending(runtime(), &m_lms, ids, false, "", "Ms Rivera");
  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_EQ(first->issued.size(), 1u);
  EXPECT_TRUE(second->issued.empty());
  EXPECT_EQ(second->failed.size(), 1u) << "no longer in the queue";
  EXPECT_EQ(certificates_of(1).size(), 1u);
}

TEST_F(TeacherActionsTest, ApprovedLevel3QueuesTheMoveToLevel4AndFamilyMail) {
  std::vector<store::Id> ids = queue_swimmers(1);
  auto approved = approve_pending(runtime(), &m_lms, ids, false, "", "Ms Rivera");
  ASSERT_OK(approved);
  ASSERT_EQ(approved->issued.size(), 1u);
  store::CertificateRow row = certificate(approved->issued[0]);
  EXPECT_EQ(outbox_kinds_for(row.id),
            (std::vector<std::string>{"email", "email", "lms.enrol", "lms.message", "lms.note"}));
}

TEST_F(TeacherActionsTest, IssueNowRecordsTheTeacherAndTheSkippedConditions) {
  m_lms.set_progress(swimmer(7, "Bea Nguyen", 2));
  auto outcome = issue_now(runtime(), m_lms, "7", "swim-level-3", "Ms Rivera");
  ASSERT_OK(outcome);
  EXPECT_EQ(outcome->status, IssueStatus::issued);
  store::CertificateRow row = certificate(outcome->number);
  EXPECT_EQ(row.certificate.kind, "forced");
  EXPECT_EQ(row.certificate.requested_by, "Ms Rivera");
  bool noted = false;
  for (const store::OutboxRow& item : outbox()) {
    if (item.item.kind != "lms.note" || item.certificate_id != row.id) continue;
    noted = true;
    EXPECT_EQ(json::parse(item.item.payload).at("skipped").size(), 1u) << item.item.payload;
  }
  EXPECT_TRUE(noted);

  auto again = issue_now(runtime(), m_lms, "7", "swim-level-3", "Ms Rivera");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::conflict) << again.error().to_string();
  EXPECT_EQ(certificates_of(7).size(), 1u);
}

TEST_F(TeacherActionsTest, CheckingIssueNowNamesWhatIsUnmetAndLaterTheNumber) {
  m_lms.set_progress(swimmer(7, "Bea Nguyen", 2));
  auto check = check_issue_now(runtime(), m_lms, "7", "swim-level-3");
  ASSERT_OK(check);
  EXPECT_EQ(check->progress.student.fullname, "Bea Nguyen");
  EXPECT_EQ(check->unmet.size(), 1u);
  EXPECT_TRUE(check->existing_number.empty());
  EXPECT_TRUE(certificates_of(7).empty()) << "a check issues nothing";

  auto issued = issue_now(runtime(), m_lms, "7", "swim-level-3", "Ms Rivera");
  ASSERT_OK(issued);
  auto after = check_issue_now(runtime(), m_lms, "7", "swim-level-3");
  ASSERT_OK(after);
  EXPECT_EQ(after->existing_number, issued->number);
  EXPECT_FALSE(check_issue_now(runtime(), m_lms, "7", "no-such-rule"));
}

TEST_F(TeacherActionsTest, IssueNowWantsTheLmsUserId) {
  auto outcome = issue_now(runtime(), m_lms, "bea@example.org", "swim-level-3", "Ms Rivera");
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code(), ErrorCode::invalid_argument);
}

TEST_F(TeacherActionsTest, AdhocAwardIssuesOncePerRequestId) {
  auto first = issue_adhoc(runtime(), &m_lms, adhoc("req-1", "7", "Bea Nguyen"));
  auto retried = issue_adhoc(runtime(), &m_lms, adhoc("req-1", "7", "Bea Nguyen"));
  auto another = issue_adhoc(runtime(), &m_lms, adhoc("req-2", "7", "Bea Nguyen"));
  ASSERT_OK(first);
  ASSERT_OK(retried);
  ASSERT_OK(another);

  EXPECT_EQ(first->status, IssueStatus::issued);
  EXPECT_EQ(retried->status, IssueStatus::already_issued);
  EXPECT_EQ(retried->number, first->number);
  EXPECT_NE(another->number, first->number) << "a new request is a new award";
  EXPECT_EQ(certificates_of(7).size(), 2u);
  store::CertificateRow row = certificate(first->number);
  EXPECT_EQ(row.certificate.kind, "adhoc");
  EXPECT_EQ(row.certificate.notes, "For never giving up");
  EXPECT_EQ(row.certificate.number.rfind("ENC-", 0), 0u);
}

TEST_F(TeacherActionsTest, AdhocAwardNeedsANameUnlessTheLmsSuppliesIt) {
  auto nameless = issue_adhoc(runtime(), &m_lms, adhoc("req-1", "7", ""));
  ASSERT_FALSE(nameless);
  EXPECT_EQ(nameless.error().code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(certificates_of(7).empty());

  m_lms.set_progress(swimmer(7, "Bea Nguyen", 1));
  AdhocDetails from_lms = adhoc("req-2", "7", "");
  from_lms.request.course = "SWIM-L3";
  auto named = issue_adhoc(runtime(), &m_lms, from_lms);
  ASSERT_OK(named);
  EXPECT_EQ(certificate(named->number).certificate.student_name, "Bea Nguyen");
}

TEST_F(TeacherActionsTest, ReissueRevokesTheOldOneAndIssuesTheNextGeneration) {
  auto approved = approve_pending(runtime(), &m_lms, queue_swimmers(1), false, "", "Ms Rivera");
  ASSERT_OK(approved);
  ASSERT_EQ(approved->issued.size(), 1u);
  std::string old_number = approved->issued[0];

  auto reissued = reissue(runtime(), old_number, "Mr Okafor");
  ASSERT_OK(reissued);

  EXPECT_EQ(reissued->status, IssueStatus::issued);
  EXPECT_NE(reissued->number, old_number);
  store::CertificateRow old_row = certificate(old_number);
  store::CertificateRow new_row = certificate(reissued->number);
  EXPECT_EQ(old_row.status, store::CertificateStatus::revoked);
  EXPECT_EQ(old_row.revoke_reason, "reissued as " + reissued->number);
  EXPECT_EQ(old_row.revoke_category, store::RevocationCategory::replaced) << "what the public is told";
  EXPECT_EQ(new_row.status, store::CertificateStatus::issued);
  EXPECT_EQ(new_row.certificate.kind, "reissue");
  auto old_key = rules::parse_idempotency_key(old_row.certificate.idempotency_key);
  auto new_key = rules::parse_idempotency_key(new_row.certificate.idempotency_key);
  ASSERT_OK(old_key);
  ASSERT_OK(new_key);
  EXPECT_EQ(new_key->generation, old_key->generation + 1);
  EXPECT_EQ(new_key->source_id, old_key->source_id);
  EXPECT_EQ(new_row.certificate.rule_id, "swim-level-3");
}

TEST_F(TeacherActionsTest, ReissuingTheSameNumberAgainChangesNothing) {
  auto approved = approve_pending(runtime(), &m_lms, queue_swimmers(1), false, "", "Ms Rivera");
  ASSERT_OK(approved);
  std::string old_number = approved->issued.at(0);
  auto first = reissue(runtime(), old_number, "Mr Okafor");
  auto second = reissue(runtime(), old_number, "Mr Okafor");
  ASSERT_OK(first);
  ASSERT_OK(second);

  EXPECT_EQ(second->number, first->number);
  EXPECT_EQ(second->status, IssueStatus::already_issued);
  EXPECT_EQ(certificates_of(1).size(), 2u);
  EXPECT_EQ(certificate(first->number).status, store::CertificateStatus::issued);
}

// Reissued before the first e-mails went out: the old certificate's mail
// is no longer sent (it is revoked), so the new one must reach them.
TEST_F(TeacherActionsTest, ReissueIsMailedToWhoeverTheOldOneWasFor) {
  auto approved = approve_pending(runtime(), &m_lms, queue_swimmers(1), false, "", "Ms Rivera");
  ASSERT_OK(approved);
  auto reissued = reissue(runtime(), approved->issued.at(0), "Mr Okafor");
  ASSERT_OK(reissued);
  ASSERT_OK(outbox_worker().drain());

  std::set<std::string> to;
  for (const notify::Message& message : m_notifier.sent()) {
    ASSERT_EQ(message.attachments.size(), 1u);
    EXPECT_EQ(message.attachments[0].file_name, "certificate-" + reissued->number + ".pdf")
        << "only the new certificate is mailed";
    to.insert(message.to);
  }
  EXPECT_EQ(to, (std::set<std::string>{"student1@example.org", "family1@example.org"}));
}

TEST_F(TeacherActionsTest, ReissuePrintsTheSkillsLevelAndTeacherOfTheOriginal) {
  auto approved = approve_pending(runtime(), &m_lms, queue_swimmers(1), false, "", "Ms Rivera");
  ASSERT_OK(approved);
  std::string old_number = approved->issued.at(0);
  m_clock.advance(7 * 24 * 3600);

  auto reissued = reissue(runtime(), old_number, "Mr Okafor");
  ASSERT_OK(reissued);

  std::string text = pdf_text(reissued->number);
  for (const char* printed : {"Backstroke 25m", "Treading water 1 min", "Surface dive", "Level 3", "Ms Rivera",
                              "Ada Lovelace"})
    EXPECT_NE(text.find(printed), std::string::npos) << printed << " missing from:\n" << text;
  EXPECT_NE(text.find(reissued->number), std::string::npos) << text;
}

TEST_F(TeacherActionsTest, ReissueKeepsTheOriginalsExpiryDate) {
  ASSERT_OK(record_change(first_aider(42, "Ada Lovelace", 91), "fa:42"));
  ASSERT_OK(process());
  auto issued = certificates_of(42);
  ASSERT_EQ(issued.size(), 1u);
  ASSERT_TRUE(issued[0].certificate.expires_at.has_value());
  m_clock.advance(200 * 24 * 3600);

  auto reissued = reissue(runtime(), issued[0].certificate.number, "Mr Okafor");
  ASSERT_OK(reissued);

  store::CertificateRow new_row = certificate(reissued->number);
  EXPECT_EQ(new_row.certificate.issued_at, to_unix(m_clock.now()));
  EXPECT_EQ(new_row.certificate.expires_at, issued[0].certificate.expires_at) << "a reissue is not a renewal";
}

// An automatic certificate waited in no queue, so no facts snapshot was
// kept: its reissue prints the grade its row kept.
TEST_F(TeacherActionsTest, ReissueOfAnAutomaticCertificatePrintsTheGradeItsRowKept) {
  ASSERT_OK(record_change(first_aider(42, "Ada Lovelace", 91), "fa:42"));
  ASSERT_OK(process());
  auto issued = certificates_of(42);
  ASSERT_EQ(issued.size(), 1u);
  ASSERT_EQ(issued[0].certificate.kind, "automatic");
  EXPECT_EQ(issued[0].certificate.grade, "91%");
  m_clock.advance(31 * 24 * 3600);

  auto reissued = reissue(runtime(), issued[0].certificate.number, "Mr Okafor");
  ASSERT_OK(reissued);

  EXPECT_EQ(certificate(reissued->number).certificate.grade, "91%");
  EXPECT_NE(pdf_text(reissued->number).find("Final assessment: 91%"), std::string::npos) << pdf_text(reissued->number);
}

TEST_F(TeacherActionsTest, ReissueTellsTheLmsOnceWithBothNumbersAndTheNewLink) {
  auto approved = approve_pending(runtime(), &m_lms, queue_swimmers(1), false, "", "Ms Rivera");
  ASSERT_OK(approved);
  std::string old_number = approved->issued.at(0);
  ASSERT_OK(outbox_worker().drain());
  ASSERT_TRUE(note_for(old_number)) << "the first issue was written back";

  auto reissued = reissue(runtime(), old_number, "Mr Okafor");
  ASSERT_OK(reissued);
  ASSERT_OK(outbox_worker().drain());
  int writes = m_lms.write_calls();
  std::size_t messages = m_lms.messages().size();
  ASSERT_OK(outbox_worker().drain());
  ASSERT_OK(reissue(runtime(), old_number, "Mr Okafor"));  // a retried command
  ASSERT_OK(outbox_worker().drain());

  auto note = note_for(reissued->number);
  ASSERT_TRUE(note);
  EXPECT_EQ(note->student, 1);
  EXPECT_EQ(note->course, k_swim_l3.id);
  EXPECT_EQ(note->certificate_number, reissued->number);
  EXPECT_NE(note->title.find(old_number), std::string::npos) << note->title;
  EXPECT_EQ(note->verification_url, "https://certs.example.edu/v/" + reissued->number);
  EXPECT_EQ(m_lms.notes().size(), 2u);
  EXPECT_EQ(m_lms.write_calls(), writes) << "nothing is written twice";
  EXPECT_EQ(m_lms.messages().size(), messages);
  ASSERT_FALSE(m_lms.messages().empty());
  const std::string text = m_lms.messages().back().text;
  EXPECT_NE(text.find(reissued->number), std::string::npos) << text;
  EXPECT_NE(text.find(old_number), std::string::npos) << text;
  EXPECT_EQ(outbox_kinds_for(*reissued->certificate_id, store::OutboxStatus::done),
            (std::vector<std::string>{"email", "email", "lms.message", "lms.note"}))
      << "no second enrolment in level 4";
}

// Reissued before anything went out: the LMS only ever hears of the new one.
TEST_F(TeacherActionsTest, ReissueBeforeDeliveryWritesOnlyTheNewNumberBack) {
  auto approved = approve_pending(runtime(), &m_lms, queue_swimmers(1), false, "", "Ms Rivera");
  ASSERT_OK(approved);
  std::string old_number = approved->issued.at(0);
  auto reissued = reissue(runtime(), old_number, "Mr Okafor");
  ASSERT_OK(reissued);
  ASSERT_OK(outbox_worker().drain());

  EXPECT_FALSE(note_for(old_number));
  ASSERT_TRUE(note_for(reissued->number));
  EXPECT_EQ(m_lms.notes().size(), 1u);
  EXPECT_EQ(m_lms.messages().size(), 1u);
}

// The new certificate revoked in its turn before delivery: nothing is sent.
TEST_F(TeacherActionsTest, ReissueRevokedBeforeDeliveryIsNotWrittenBack) {
  auto approved = approve_pending(runtime(), &m_lms, queue_swimmers(1), false, "", "Ms Rivera");
  ASSERT_OK(approved);
  auto reissued = reissue(runtime(), approved->issued.at(0), "Mr Okafor");
  ASSERT_OK(reissued);
  ASSERT_OK(revoke(runtime(), reissued->number, store::RevocationCategory::issued_in_error, "issued in error", "Ms Rivera"));
  ASSERT_OK(outbox_worker().drain());

  EXPECT_TRUE(m_lms.notes().empty());
  EXPECT_TRUE(m_lms.messages().empty());
  EXPECT_TRUE(m_notifier.sent().empty());
}

TEST_F(TeacherActionsTest, RevokeNeedsAReasonAndHappensOnce) {
  auto award = issue_adhoc(runtime(), &m_lms, adhoc("req-1", "7", "Bea Nguyen"));
  ASSERT_OK(award);

  auto no_reason = revoke(runtime(), award->number, store::RevocationCategory::issued_in_error, "", "Ms Rivera");
  ASSERT_FALSE(no_reason);
  EXPECT_EQ(no_reason.error().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(certificate(award->number).status, store::CertificateStatus::issued);

  ASSERT_OK(revoke(runtime(), award->number, store::RevocationCategory::issued_in_error, "issued to the wrong student", "Ms Rivera"));
  EXPECT_EQ(certificate(award->number).status, store::CertificateStatus::revoked);
  EXPECT_EQ(certificate(award->number).revoke_reason, "issued to the wrong student");
  EXPECT_EQ(certificate(award->number).revoke_category, store::RevocationCategory::issued_in_error);
  auto twice = revoke(runtime(), award->number, store::RevocationCategory::issued_in_error, "again", "Ms Rivera");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code(), ErrorCode::conflict);
  EXPECT_FALSE(revoke(runtime(), "ENC-0000-0000", store::RevocationCategory::issued_in_error, "typo", "Ms Rivera"));
}

class TeacherActionsWithProfileTest : public TeacherActionsTest {
 protected:
  std::string lms_options() const override { return ", certificate_profile_field: last_certificate"; }
};

TEST_F(TeacherActionsWithProfileTest, ReissueUpdatesTheProfileFieldToTheNewNumber) {
  auto approved = approve_pending(runtime(), &m_lms, queue_swimmers(1), false, "", "Ms Rivera");
  ASSERT_OK(approved);
  ASSERT_OK(outbox_worker().drain());
  EXPECT_EQ(m_lms.profile_fields()[1]["last_certificate"], approved->issued.at(0));

  auto reissued = reissue(runtime(), approved->issued.at(0), "Mr Okafor");
  ASSERT_OK(reissued);
  ASSERT_OK(outbox_worker().drain());

  EXPECT_EQ(m_lms.profile_fields()[1]["last_certificate"], reissued->number);
}

TEST_F(TeacherActionsWithProfileTest, RevokedNumberNeverReachesTheProfileField) {
  auto approved = approve_pending(runtime(), &m_lms, queue_swimmers(1), false, "", "Ms Rivera");
  ASSERT_OK(approved);
  auto reissued = reissue(runtime(), approved->issued.at(0), "Mr Okafor");
  ASSERT_OK(reissued);
  ASSERT_OK(revoke(runtime(), reissued->number, store::RevocationCategory::issued_in_error, "issued in error", "Ms Rivera"));
  ASSERT_OK(outbox_worker().drain());

  EXPECT_TRUE(m_lms.profile_fields()[1].empty());
}

// First aid over the monthly quota waited in the queue with its facts: the
// reissue prints the grade the original printed.
class TeacherActionsWithQuotaTest : public TeacherActionsTest {
 protected:
  std::string extra_config() const override { return "quota: { per_month: 1 }\n"; }
};

TEST_F(TeacherActionsWithQuotaTest, ReissuePrintsTheGradeOfTheOriginal) {
  ASSERT_OK(record_change(first_aider(41, "Bea Nguyen", 85), "fa:41"));
  ASSERT_OK(record_change(first_aider(42, "Ada Lovelace", 91), "fa:42"));
  ASSERT_OK(process());
  ASSERT_TRUE(certificates_of(42).empty()) << "42 waits for next month's quota";
  m_clock.advance(31 * 24 * 3600);
  ASSERT_OK(process());
  auto issued = certificates_of(42);
  ASSERT_EQ(issued.size(), 1u);
  std::string old_number = issued[0].certificate.number;
  ASSERT_NE(pdf_text(old_number).find("Final assessment: 91%"), std::string::npos) << pdf_text(old_number);

  m_clock.advance(31 * 24 * 3600);
  auto reissued = reissue(runtime(), old_number, "Mr Okafor");
  ASSERT_OK(reissued);
  EXPECT_NE(pdf_text(reissued->number).find("Final assessment: 91%"), std::string::npos) << pdf_text(reissued->number);
}

// Level 3 issued as soon as its skills are ticked, with no approval: no
// facts snapshot is kept, only the certificate row.
class TeacherActionsWithAutomaticSwimTest : public TeacherActionsTest {
 protected:
  void SetUp() override {
    TeacherActionsTest::SetUp();
    if (HasFatalFailure()) return;
    rules::ParseResult parsed = rules::parse_rules(
        "version: 1\n"
        "rules:\n"
        "  - id: swim-level-3\n"
        "    course: SWIM-L3\n"
        "    when:\n"
        "      all_skills_proficient: { framework: \"Swim Skills\", level: \"Level 3\" }\n"
        "    issue: automatic\n"
        "    template: swim-level\n",
        "swim-automatic.yaml", school().template_ids);
    ASSERT_TRUE(parsed.ok()) << parsed.errors.front().to_string();
    rules::RuleSet automatic;
    std::vector<Error> errors;
    automatic.add(std::move(parsed.rules), errors);
    ASSERT_TRUE(errors.empty());
    school().rules = std::move(automatic);
  }
};

TEST_F(TeacherActionsWithAutomaticSwimTest, ReissuePrintsAndKeepsTheGradeSkillsAndLevelOfTheOriginal) {
  connector::CourseProgress ada = swimmer(1, "Ada Lovelace");
  ada.skills[0].skills[0].name = "Backstroke, 25m";
  ada.grade_percent = 88;
  ada.teacher_name = "Ms Rivera";
  ASSERT_OK(record_change(ada, "skills:1", connector::ChangeKind::skills_changed));
  ASSERT_OK(process());
  auto issued = certificates_of(1);
  ASSERT_EQ(issued.size(), 1u);
  const store::NewCertificate& original = issued[0].certificate;
  ASSERT_EQ(original.kind, "automatic");
  ASSERT_TRUE(pending(store::PendingStatus::approved).empty()) << "nothing to recover them from but the row";
  const std::vector<std::string> skills = {"Backstroke, 25m", "Treading water 1 min", "Surface dive"};
  EXPECT_EQ(original.grade, "88%");
  EXPECT_EQ(original.skills, skills);
  m_clock.advance(7 * 24 * 3600);

  auto reissued = reissue(runtime(), original.number, "Mr Okafor");
  ASSERT_OK(reissued);

  store::CertificateRow new_row = certificate(reissued->number);
  EXPECT_EQ(new_row.certificate.kind, "reissue");
  EXPECT_EQ(new_row.certificate.grade, "88%");
  EXPECT_EQ(new_row.certificate.skills, skills);
  EXPECT_EQ(json::parse(new_row.certificate.payload).value("level", ""), "Level 3");
  std::string text = pdf_text(reissued->number);
  for (const std::string& printed : {skills[0], skills[1], skills[2], std::string("Level 3")})
    EXPECT_NE(text.find(printed), std::string::npos) << printed << " missing from:\n" << text;

  // The reissue's row keeps them too, for the next reissue.
  m_clock.advance(7 * 24 * 3600);
  auto again = reissue(runtime(), reissued->number, "Mr Okafor");
  ASSERT_OK(again);
  EXPECT_EQ(certificate(again->number).certificate.grade, "88%");
  EXPECT_EQ(certificate(again->number).certificate.skills, skills);
  EXPECT_NE(pdf_text(again->number).find(skills[2]), std::string::npos) << pdf_text(again->number);
}

// A store as certd wrote it before schema version 9: certificate rows
// without grade and skills.
class RowsWithoutGradeAndSkills final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<std::vector<Inserted>> insert_certificates(const std::vector<store::CertificateWithOutbox>& group) override {
    std::vector<store::CertificateWithOutbox> older = group;
    for (store::CertificateWithOutbox& entry : older) {
      entry.certificate.grade.clear();
      entry.certificate.skills.clear();
    }
    return ForwardingStore::insert_certificates(older);
  }
};

// A certificate from before version 9 that waited in the queue: its reissue
// recovers the grade from the queue's facts snapshot, as before.
class TeacherActionsWithQuotaOnOlderRowsTest : public TeacherActionsWithQuotaTest {
 protected:
  std::unique_ptr<store::Store> wrap_store(std::unique_ptr<store::Store> inner) override {
    return std::make_unique<RowsWithoutGradeAndSkills>(std::move(inner));
  }
};

TEST_F(TeacherActionsWithQuotaOnOlderRowsTest, ReissueRecoversTheGradeFromTheQueuesSnapshot) {
  ASSERT_OK(record_change(first_aider(41, "Bea Nguyen", 85), "fa:41"));
  ASSERT_OK(record_change(first_aider(42, "Ada Lovelace", 91), "fa:42"));
  ASSERT_OK(process());
  m_clock.advance(31 * 24 * 3600);
  ASSERT_OK(process());
  auto issued = certificates_of(42);
  ASSERT_EQ(issued.size(), 1u);
  ASSERT_EQ(issued[0].certificate.grade, "") << "the row is as an older certd wrote it";

  m_clock.advance(31 * 24 * 3600);
  auto reissued = reissue(runtime(), issued[0].certificate.number, "Mr Okafor");
  ASSERT_OK(reissued);
  EXPECT_NE(pdf_text(reissued->number).find("Final assessment: 91%"), std::string::npos) << pdf_text(reissued->number);
}

// Issue 12: the names a teacher action prints are checked like any other.
TEST_F(TeacherActionsTest, AnAdhocAwardRefusesANameTheLmsSendsWithAnEscape) {
  m_lms.set_progress(swimmer(7, "Bea\x1b[2J", 1));
  AdhocDetails from_lms = adhoc("req-1", "7", "");
  from_lms.request.course = "SWIM-L3";

  auto refused = issue_adhoc(runtime(), &m_lms, from_lms);

  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(refused.error().message(),
            "the LMS's name for student 7 contains a control character (U+001B) at character 4: \"Bea\\x1B[2J\"");
  EXPECT_TRUE(certificates_of(7).empty());
}

TEST_F(TeacherActionsTest, TheTeachersNameIsCheckedWhetherGivenOrTakenFromUser) {
  auto given = teacher_name("Ms\xe2\x80\xae" "areviR");
  ASSERT_FALSE(given);
  EXPECT_EQ(given.error().message().rfind("--teacher contains a bidirectional control character (U+202E)", 0), 0u)
      << given.error().message();
  EXPECT_TRUE(teacher_name("Ms Rivera"));
}

}  // namespace
}  // namespace certd::app
