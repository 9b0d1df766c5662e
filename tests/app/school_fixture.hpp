#pragma once
// A real school in a fresh temp folder per test (docs/style.md §8): a certd.yaml
// naming the repository's demo templates and rules, a SQLite store, a PDF
// archive, an issuer on a ManualClock, an in-memory LMS and a notifier that
// records what it is given. Tests run from the source root, so the demo
// folders resolve from "examples/".

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "app/event_processor.hpp"
#include "app/issuer.hpp"
#include "app/outbox_handlers.hpp"
#include "app/outbox_worker.hpp"
#include "app/progress_codec.hpp"
#include "app/runtime.hpp"
#include "app/school.hpp"
#include "connector/lms.hpp"
#include "fakes/fake_lms.hpp"
#include "fakes/manual_clock.hpp"
#include "fakes/recording_notifier.hpp"
#include "store/store.hpp"

#define ASSERT_OK(expr)                                      \
  do {                                                       \
    const auto& certd_ok_ = (expr);                          \
    ASSERT_TRUE(certd_ok_) << certd_ok_.error().to_string(); \
  } while (false)

namespace certd::app {

// 2026-03-02 09:00:00 UTC.
inline constexpr std::int64_t k_start = 1772442000;

inline const connector::Course k_swim_l3{3, "SWIM-L3", "Swimming Level 3", true};
inline const connector::Course k_swim_l4{4, "SWIM-L4", "Swimming Level 4", true};
inline const connector::Course k_first_aid{101, "FA-101", "First Aid Basics", true};

class SchoolFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    m_dir = std::filesystem::temp_directory_path() /
            ("certd-app-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
    std::ofstream(m_dir / "certd.yaml") << config_text();
    auto school = load_school((m_dir / "certd.yaml").string());
    ASSERT_OK(school);
    m_runtime = std::make_unique<Runtime>();
    m_runtime->school = std::move(*school);
    ASSERT_EQ(m_runtime->school.template_ids.count("swim-level"), 1u) << "tests run from the source root";
    ASSERT_NO_FATAL_FAILURE(open_store());
    m_runtime->archive = std::make_unique<PdfArchive>(m_runtime->school.config.data_dir);
    m_runtime->issuer = std::make_unique<Issuer>(issuer_options(), m_runtime->school.templates,
                                                 *m_runtime->school.signer, *m_runtime->store, *m_runtime->archive,
                                                 m_clock);
    for (const connector::Course& course : {k_swim_l3, k_swim_l4, k_first_aid}) m_lms.add_course(course);
  }

  void TearDown() override {
    m_runtime.reset();
    std::filesystem::remove_all(m_dir);
  }

  // Tests that wrap the store override this (before SetUp opens it).
  virtual std::unique_ptr<store::Store> wrap_store(std::unique_ptr<store::Store> store) { return store; }

  // More keys for the lms section, e.g. ", issued_activity: Certificate".
  virtual std::string lms_options() const { return ""; }
  // More top-level sections, e.g. "quota: { per_month: 2 }\n".
  virtual std::string extra_config() const { return ""; }

  std::string config_text() const {
    return "lms: { kind: moodle, url: http://127.0.0.1:9, token_env: CERTD_TEST_UNUSED_TOKEN" + lms_options() +
           " }\n"
           "portal: { public_url: https://certs.example.edu }\n"
           "issuer: { name: Riverside Swim School, email: office@riverside.example }\n"
           "data_dir: " + (m_dir / "data").string() + "\n" +
           "templates_dir: " + std::filesystem::absolute("examples/templates").string() + "\n" +
           "rules_dir: " + std::filesystem::absolute("examples/rules").string() + "\n" + extra_config();
  }

  IssuerOptions issuer_options() const {
    const config::Config& config = m_runtime->school.config;
    return IssuerOptions{config.issuer.name, config.portal.public_url, /*lms_writeback=*/true,
                         config.lms.certificate_profile_field, config.lms.issued_activity, 2};
  }

  void open_store() {
    auto opened = store::open_sqlite_store(m_runtime->school.store_path());
    ASSERT_OK(opened);
    m_runtime->store = wrap_store(std::move(*opened));
  }

  School& school() { return m_runtime->school; }
  store::Store& db() { return *m_runtime->store; }
  Issuer& issuer() { return *m_runtime->issuer; }
  const PdfArchive& archive() { return *m_runtime->archive; }
  Runtime& runtime() { return *m_runtime; }
  std::string data_dir() const { return (m_dir / "data").string(); }

  // A stored certificate's PDF as text, as a reader's copy-and-paste
  // would give it (poppler's pdftotext, an independent reader).
  std::string pdf_text(const store::CertificateRow& row) const {
    std::string command = "pdftotext -enc UTF-8 '" + data_dir() + "/" + row.certificate.pdf_path + "' - 2>/dev/null";
    std::string text;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return text;
    std::array<char, 4096> buffer{};
    for (std::size_t n = 0; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) text.append(buffer.data(), n);
    ::pclose(pipe);
    return text;
  }

  // --- Students in the LMS. ---

  static connector::Student student(connector::UserId id, const std::string& name) {
    connector::Student s;
    s.id = id;
    s.username = "student" + std::to_string(id);
    s.fullname = name;
    s.email = "student" + std::to_string(id) + "@example.org";
    s.guardian_emails = {"family" + std::to_string(id) + "@example.org"};
    return s;
  }

  // Level 3 of "Swim Skills" with `proficient` of its three skills ticked.
  static connector::CourseProgress swimmer(connector::UserId id, const std::string& name, int proficient = 3,
                                           connector::Enrolment enrolment = connector::Enrolment::active) {
    connector::CourseProgress p;
    p.student = student(id, name);
    p.course = k_swim_l3;
    p.enrolment = enrolment;
    connector::SkillLevel level{"Swim Skills", "Level 3", {}};
    const char* names[] = {"Backstroke 25m", "Treading water 1 min", "Surface dive"};
    for (int i = 0; i < 3; ++i) level.skills.push_back({names[i], "L3-" + std::to_string(i), true, i < proficient});
    p.skills.push_back(level);
    return p;
  }

  connector::CourseProgress first_aider(connector::UserId id, const std::string& name, double grade,
                                        connector::Enrolment enrolment = connector::Enrolment::active) const {
    connector::CourseProgress p;
    p.student = student(id, name);
    p.course = k_first_aid;
    p.enrolment = enrolment;
    p.completed = true;
    p.completed_at = m_clock.now() - std::chrono::hours(1);
    p.grade_percent = grade;
    return p;
  }

  // --- Events, as the poller records them. ---

  Result<store::Inserted> record_change(const connector::CourseProgress& progress, const std::string& event_id,
                                        connector::ChangeKind kind = connector::ChangeKind::course_completed,
                                        std::optional<connector::IssueNowMark> mark = std::nullopt) {
    connector::Change change;
    change.kind = kind;
    change.student = progress.student.id;
    change.course = progress.course;
    change.at = m_clock.now();
    change.key = event_id;
    change.issue_now = std::move(mark);
    return db().record_event({"moodle-poll", event_id, k_event_lms_change, change_event_payload(change, progress),
                              to_unix(m_clock.now())});
  }

  connector::IssueNowMark mark_for(const connector::CourseProgress& progress, const std::string& teacher) const {
    connector::IssueNowMark mark;
    mark.student = progress.student.id;
    mark.course = progress.course;
    mark.activity = 77;
    mark.teacher_id = 9;
    mark.teacher_name = teacher;
    mark.marked_at = m_clock.now();
    return mark;
  }

  EventProcessor processor() { return EventProcessor(school(), db(), issuer(), &m_lms, m_clock); }

  Result<ProcessStats> process() { return processor().process_new(100); }

  // --- Outbox and results. ---

  OutboxWorker outbox_worker() {
    RetryPolicy policy;
    policy.max_attempts = 5;
    return OutboxWorker(db(), m_clock, policy, "test",
                        make_outbox_handlers(school(), db(), archive(), m_notifier, &m_lms, m_clock));
  }

  std::vector<store::CertificateRow> certificates_of(connector::UserId student) {
    auto rows = db().certificates_for_student(std::to_string(student));
    EXPECT_TRUE(rows) << rows.error().to_string();
    return rows ? *rows : std::vector<store::CertificateRow>{};
  }

  std::vector<store::OutboxRow> outbox(store::OutboxStatus status = store::OutboxStatus::queued) {
    auto rows = db().outbox_with_status(status);
    EXPECT_TRUE(rows) << rows.error().to_string();
    return rows ? *rows : std::vector<store::OutboxRow>{};
  }

  std::vector<std::string> outbox_kinds_for(store::Id certificate_id,
                                            store::OutboxStatus status = store::OutboxStatus::queued) {
    std::vector<std::string> kinds;
    for (const store::OutboxRow& row : outbox(status))
      if (row.certificate_id == certificate_id) kinds.push_back(row.item.kind);
    std::sort(kinds.begin(), kinds.end());
    return kinds;
  }

  std::vector<store::PendingRow> pending(store::PendingStatus status = store::PendingStatus::pending) {
    auto rows = db().pending_with_status(status);
    EXPECT_TRUE(rows) << rows.error().to_string();
    return rows ? *rows : std::vector<store::PendingRow>{};
  }

  // Every PDF file in the archive.
  std::vector<std::string> pdf_files() const {
    std::vector<std::string> files;
    std::filesystem::path root = m_dir / "data" / "pdf";
    if (!std::filesystem::exists(root)) return files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
      if (entry.is_regular_file()) files.push_back(entry.path().filename().string());
    std::sort(files.begin(), files.end());
    return files;
  }

  std::filesystem::path m_dir;
  testing::ManualClock m_clock{k_start};
  testing::FakeLms m_lms;
  testing::RecordingNotifier m_notifier;
  std::unique_ptr<Runtime> m_runtime;
};

}  // namespace certd::app
