// certd backup and certd restore (app/backup.hpp) over a real school: a
// SQLite store with issued certificates, their PDFs, the issuer's key and
// an LTI key. The backup file is opened with SQLiteCpp only to damage it
// the ways a test needs.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "app/backup.hpp"
#include "app/issuer_key.hpp"
#include "app/run_certd.hpp"
#include "app/school_fixture.hpp"
#include "app/teacher_actions.hpp"
#include "core/base64.hpp"
#include "core/file_util.hpp"
#include "lti/rsa_key.hpp"
#include "render/signing.hpp"
#include "store/revocation.hpp"

namespace certd::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_passphrase = "correct horse battery staple";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The base64 lines between a PEM's BEGIN and END lines.
std::vector<std::string> pem_body_lines(const std::string& pem) {
  std::vector<std::string> lines;
  std::istringstream in(pem);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line.rfind("-----", 0) != 0) lines.push_back(line);
  return lines;
}

class BackupTest : public SchoolFixture {
 protected:
  void SetUp() override {
    SchoolFixture::SetUp();
    if (HasFatalFailure()) return;
    // The LTI tool's key, as `certd run` creates it beside the store.
    ASSERT_OK(lti::RsaKey::load_or_create(school().config.lti.key_file));
    for (const char* student : {"11", "12", "13"}) m_numbers.push_back(award(student));
    ASSERT_OK(revoke(runtime(), m_numbers[1], store::RevocationCategory::issued_in_error, "wrong name", "Ms Rivera"));
  }

  std::string award(const std::string& student) {
    AdhocDetails details;
    details.request = {"request-" + student, student, "encouragement", "", "Ms Rivera", "For never giving up"};
    details.student_name = "Pupil " + student;
    details.student_email = "pupil" + student + "@example.org";
    auto outcome = issue_adhoc(runtime(), &m_lms, details);
    EXPECT_TRUE(outcome) << outcome.error().to_string();
    return outcome ? outcome->number : "";
  }

  SchoolFiles source() const { return SchoolFiles::of(m_runtime->school.config); }
  // A new school's places: a data dir of its own, the keys in it.
  SchoolFiles target() const {
    std::string data = (m_dir / "restored").string();
    return SchoolFiles{data, data + "/issuer.key", data + "/lti.key"};
  }
  std::string backup_path() const { return (m_dir / "school.certd-backup").string(); }

  BackupSummary backed_up() {
    auto summary = write_backup(source(), backup_path(), k_passphrase, Overwrite::no, m_clock.now());
    EXPECT_TRUE(summary) << summary.error().to_string();
    return summary ? *summary : BackupSummary{};
  }

  // Every file below `dir`, as paths relative to it.
  static std::vector<std::string> files_below(const fs::path& dir) {
    std::vector<std::string> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file()) files.push_back(fs::relative(it->path(), dir).string());
    std::sort(files.begin(), files.end());
    return files;
  }

  // Runs SQL on the backup file, to damage it.
  void tamper(const std::string& sql) {
    SQLite::Database db(backup_path(), SQLite::OPEN_READWRITE);
    db.exec(sql);
  }

  std::vector<std::string> m_numbers;
};

TEST_F(BackupTest, RoundTripRestoresTheStoreThePdfsAndTheKeys) {
  BackupSummary made = backed_up();
  EXPECT_EQ(made.certificates, 3);
  EXPECT_EQ(made.pdfs, 3);
  EXPECT_TRUE(made.missing_pdfs.empty());
  EXPECT_EQ(made.bytes, fs::file_size(backup_path()));
  EXPECT_EQ(made.issuer_key_id, school().signer->public_key().key_id());
  struct stat info {};
  ASSERT_EQ(::stat(backup_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "the backup holds the whole store";

  auto restored = restore_backup(backup_path(), target(), k_passphrase);
  ASSERT_OK(restored);
  EXPECT_EQ(restored->certificates, 3);
  EXPECT_EQ(restored->pdfs, 3);
  EXPECT_TRUE(restored->lti_key);
  EXPECT_EQ(restored->issuer_key_id, made.issuer_key_id);
  EXPECT_EQ(restored->created_at, "2026-03-02T09:00:00Z");

  // The store: every certificate, with its status.
  auto store = store::open_sqlite_store(target().store_path());
  ASSERT_OK(store);
  for (const std::string& number : m_numbers) {
    auto original = db().certificate_by_number(number);
    auto copy = (*store)->certificate_by_number(number);
    ASSERT_TRUE(original && *original && copy && *copy) << number;
    EXPECT_EQ((*copy)->status, (*original)->status) << number;
    EXPECT_EQ((*copy)->certificate.claim_token, (*original)->certificate.claim_token);
    // Its PDF, byte for byte, private.
    fs::path pdf = fs::path(target().data_dir) / (*copy)->certificate.pdf_path;
    EXPECT_EQ(slurp(pdf), slurp(fs::path(data_dir()) / (*original)->certificate.pdf_path)) << number;
    ASSERT_EQ(::stat(pdf.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
  }
  auto revoked = (*store)->certificate_by_number(m_numbers[1]);
  ASSERT_TRUE(revoked && *revoked);
  EXPECT_EQ((*revoked)->status, store::CertificateStatus::revoked);
  EXPECT_EQ(files_below(fs::path(target().data_dir) / "pdf").size(), 3u);

  // The keys: the same keys, private; the public key beside the issuer's.
  auto issuer = load_issuer_key(target().issuer_key_file);
  ASSERT_OK(issuer);
  EXPECT_EQ(issuer->public_key().pem(), school().signer->public_key().pem());
  auto public_key = load_public_key_file(target().issuer_key_file + ".pub");
  ASSERT_OK(public_key);
  EXPECT_EQ(public_key->key_id(), made.issuer_key_id);
  auto lti_key = lti::RsaKey::load_or_create(target().lti_key_file);
  auto lti_original = lti::RsaKey::load_or_create(school().config.lti.key_file);
  ASSERT_OK(lti_key);
  ASSERT_OK(lti_original);
  EXPECT_EQ(lti_key->kid(), lti_original->kid());
  ASSERT_EQ(::stat(target().lti_key_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  // Nothing of the backup's own tables is left in the store, not even in
  // free pages, and no marker says a restore is unfinished.
  std::string store_bytes = slurp(target().store_path());
  EXPECT_EQ(store_bytes.find("ENCRYPTED PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(store_bytes.find("%PDF-"), std::string::npos);
  EXPECT_FALSE(fs::exists(fs::path(target().data_dir) / k_restore_marker));
  EXPECT_FALSE(fs::exists(target().store_path() + ".restoring"));
}

TEST_F(BackupTest, TheKeysInTheBackupAreEncryptedNotPlain) {
  backed_up();
  std::string bytes = slurp(backup_path());
  auto issuer_pem = read_file(school().config.issuer.key_file, 64 * 1024);
  auto lti_pem = read_file(school().config.lti.key_file, 64 * 1024);
  ASSERT_OK(issuer_pem);
  ASSERT_OK(lti_pem);
  // Neither PEM text, nor any line of it, nor the issuer's raw key bytes.
  EXPECT_EQ(bytes.find("BEGIN PRIVATE KEY"), std::string::npos);
  for (const std::string* pem : {&*issuer_pem, &*lti_pem})
    for (const std::string& line : pem_body_lines(*pem)) EXPECT_EQ(bytes.find(line), std::string::npos) << line;
  std::string issuer_body;
  for (const std::string& line : pem_body_lines(*issuer_pem)) issuer_body += line;
  auto der = base64_decode(issuer_body);
  ASSERT_OK(der);
  ASSERT_GE(der->size(), 32u);
  std::string seed = der->substr(der->size() - 32);  // PKCS#8 Ed25519 ends with the 32-byte private key
  EXPECT_EQ(bytes.find(seed), std::string::npos) << "the raw private key is in the backup";
  // What is there instead: two encrypted keys.
  std::size_t first = bytes.find("BEGIN ENCRYPTED PRIVATE KEY");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(bytes.find("BEGIN ENCRYPTED PRIVATE KEY", first + 1), std::string::npos);
}

TEST_F(BackupTest, WrongPassphraseIsRefusedAndNothingIsWritten) {
  backed_up();
  auto restored = restore_backup(backup_path(), target(), "correct horse battery stapler");
  ASSERT_FALSE(restored);
  EXPECT_EQ(restored.error().code(), ErrorCode::permission_denied);
  EXPECT_NE(restored.error().message().find("wrong CERTD_BACKUP_PASSPHRASE"), std::string::npos)
      << restored.error().message();
  EXPECT_EQ(restored.error().message().find(k_passphrase), std::string::npos);
  EXPECT_FALSE(fs::exists(target().data_dir)) << "not even the data dir";
}

TEST_F(BackupTest, RestoreIntoADataDirHoldingAStoreAKeyOrPdfsIsRefused) {
  backed_up();
  struct Case {
    const char* what;
    const char* file;
    const char* said;
  };
  const Case cases[] = {{"a store", "certd.sqlite", "a store ("},
                        {"a store's WAL", "certd.sqlite-wal", "a store ("},
                        {"an issuer key", "issuer.key", "the issuer key ("},
                        {"an LTI key", "lti.key", "the LTI key ("},
                        {"a PDF", "pdf/2026/AB-1234-5678.pdf", "1 files in "}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    fs::remove_all(target().data_dir);
    fs::path there = fs::path(target().data_dir) / c.file;
    fs::create_directories(there.parent_path());
    std::ofstream(there) << "already here";
    auto restored = restore_backup(backup_path(), target(), k_passphrase);
    ASSERT_FALSE(restored);
    EXPECT_EQ(restored.error().code(), ErrorCode::conflict);
    EXPECT_NE(restored.error().message().find(c.said), std::string::npos) << restored.error().message();
    EXPECT_EQ(files_below(target().data_dir), std::vector<std::string>{c.file}) << "nothing was written";
    EXPECT_EQ(slurp(there), "already here");
  }
  // The school's own data dir, of course.
  auto over_itself = restore_backup(backup_path(), source(), k_passphrase);
  ASSERT_FALSE(over_itself);
  EXPECT_EQ(over_itself.error().code(), ErrorCode::conflict);
}

TEST_F(BackupTest, AFileThatIsNotABackupIsRefusedSayingWhat) {
  backed_up();
  std::string text = (m_dir / "notes.txt").string();
  std::ofstream(text) << "not a backup at all\n";
  std::string empty = (m_dir / "empty").string();
  std::ofstream{empty};
  std::string cut = (m_dir / "cut.certd-backup").string();
  std::string whole = slurp(backup_path());
  std::ofstream(cut, std::ios::binary) << whole.substr(0, whole.size() / 2);
  const std::pair<std::string, std::string> cases[] = {
      {text, "is not a certd backup: not a SQLite database"},
      {empty, "is not a certd backup: not a SQLite database"},
      {school().store_path(), "it looks like a store (certd.sqlite) itself"},
      {cut, "is damaged"},
  };
  for (const auto& [file, said] : cases) {
    SCOPED_TRACE(file);
    auto restored = restore_backup(file, target(), k_passphrase);
    ASSERT_FALSE(restored);
    EXPECT_EQ(restored.error().code(), ErrorCode::invalid_argument);
    EXPECT_NE(restored.error().message().find(said), std::string::npos) << restored.error().message();
    EXPECT_FALSE(fs::exists(target().data_dir));
  }
}

TEST_F(BackupTest, ABackupOfANewerOrUnknownFormatIsRefused) {
  backed_up();
  std::string pristine = slurp(backup_path());
  auto reset = [&] { std::ofstream(backup_path(), std::ios::binary | std::ios::trunc) << pristine; };
  const std::pair<std::string, std::string> cases[] = {
      {"UPDATE backup_info SET value = '2' WHERE key = 'format_version'", "written by a newer certd"},
      {"UPDATE backup_info SET value = 'x' WHERE key = 'format_version'", "is not a known one"},
      {"UPDATE backup_info SET value = 'other' WHERE key = 'format'", "its format is \"other\""},
      {"PRAGMA user_version = 999", "schema version 999, newer than this certd"},
      {"DELETE FROM backup_keys WHERE name = 'issuer'", "it holds no issuer key"},
  };
  for (const auto& [sql, said] : cases) {
    SCOPED_TRACE(sql);
    reset();
    tamper(sql);
    auto restored = restore_backup(backup_path(), target(), k_passphrase);
    ASSERT_FALSE(restored);
    EXPECT_EQ(restored.error().code(), ErrorCode::invalid_argument);
    EXPECT_NE(restored.error().message().find(said), std::string::npos) << restored.error().message();
    EXPECT_FALSE(fs::exists(target().data_dir));
  }
}

TEST_F(BackupTest, ARestoreCutShortCanBeRunAgain) {
  backed_up();
  ASSERT_OK(restore_backup(backup_path(), target(), k_passphrase));
  // As a restore killed before its last step leaves it: keys and PDFs
  // written, a half-made store beside its place, the marker, no store.
  fs::remove(target().store_path());
  std::ofstream(target().store_path() + ".restoring") << "half a store";
  std::ofstream(fs::path(target().data_dir) / k_restore_marker) << "unfinished";
  auto again = restore_backup(backup_path(), target(), k_passphrase);
  ASSERT_OK(again);
  EXPECT_EQ(again->certificates, 3);
  auto store = store::open_sqlite_store(target().store_path());
  ASSERT_OK(store);
  auto rows = (*store)->recent_certificates(10);
  ASSERT_OK(rows);
  EXPECT_EQ(rows->size(), 3u);
  EXPECT_FALSE(fs::exists(fs::path(target().data_dir) / k_restore_marker));
  EXPECT_FALSE(fs::exists(target().store_path() + ".restoring"));

  // Without the marker, the same keys and PDFs are someone's data.
  store->reset();
  fs::remove(target().store_path());
  auto refused = restore_backup(backup_path(), target(), k_passphrase);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::conflict);
}

TEST_F(BackupTest, AMissingPdfIsNamedAndTheRestIsBackedUp) {
  auto gone = db().certificate_by_number(m_numbers[0]);
  ASSERT_TRUE(gone && *gone);
  fs::remove(fs::path(data_dir()) / (*gone)->certificate.pdf_path);
  BackupSummary made = backed_up();
  EXPECT_EQ(made.certificates, 3);
  EXPECT_EQ(made.pdfs, 2);
  EXPECT_EQ(made.missing_pdfs, std::vector<std::string>{(*gone)->certificate.pdf_path});
  auto restored = restore_backup(backup_path(), target(), k_passphrase);
  ASSERT_OK(restored);
  EXPECT_EQ(restored->pdfs, 2);
}

TEST_F(BackupTest, AnExistingFileIsReplacedOnlyWhenAsked) {
  std::ofstream(backup_path()) << "last night's backup";
  auto refused = write_backup(source(), backup_path(), k_passphrase, Overwrite::no, m_clock.now());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::conflict);
  EXPECT_NE(refused.error().message().find("--force"), std::string::npos);
  EXPECT_EQ(slurp(backup_path()), "last night's backup");
  ASSERT_OK(write_backup(source(), backup_path(), k_passphrase, Overwrite::yes, m_clock.now()));
  ASSERT_OK(restore_backup(backup_path(), target(), k_passphrase));
  // No temporary file is left beside it.
  std::vector<std::string> beside;
  for (const auto& entry : fs::directory_iterator(m_dir))
    if (entry.path().string().rfind(backup_path(), 0) == 0) beside.push_back(entry.path().string());
  EXPECT_EQ(beside, std::vector<std::string>{backup_path()});
}

// The commands as an operator types them: the passphrase from the
// environment, a one-line summary, exit codes.
class BackupCliTest : public BackupTest {
 protected:
  void TearDown() override {
    ::unsetenv(k_backup_passphrase_env);
    BackupTest::TearDown();
  }
  std::string config_arg() const { return " --config " + (m_dir / "certd.yaml").string(); }
  std::string restored_config_arg() {
    std::string text = config_text();
    std::string from = "data_dir: " + data_dir();
    text.replace(text.find(from), from.size(), "data_dir: " + target().data_dir);
    std::ofstream(m_dir / "restored.yaml") << text;
    return " --config " + (m_dir / "restored.yaml").string();
  }
};

TEST_F(BackupCliTest, BothCommandsRefuseWithoutAPassphrase) {
  for (const char* value : {static_cast<const char*>(nullptr), ""}) {
    if (value) ::setenv(k_backup_passphrase_env, value, 1);
    else ::unsetenv(k_backup_passphrase_env);
    CommandRun backup = run_certd("backup " + backup_path() + config_arg());
    EXPECT_EQ(backup.exit_code, 2) << backup.output;
    std::string said = std::string("certd backup: CERTD_BACKUP_PASSPHRASE is ") + (value ? "empty" : "not set");
    EXPECT_NE(backup.output.find(said), std::string::npos)
        << backup.output;
    EXPECT_FALSE(fs::exists(backup_path()));
    CommandRun restore = run_certd("restore " + backup_path() + restored_config_arg());
    EXPECT_EQ(restore.exit_code, 2) << restore.output;
    EXPECT_NE(restore.output.find("certd restore: CERTD_BACKUP_PASSPHRASE is "), std::string::npos)
        << restore.output;
  }
}

TEST_F(BackupCliTest, BackupAndRestorePrintOneLineSummaries) {
  ::setenv(k_backup_passphrase_env, k_passphrase, 1);
  CommandRun backup = run_certd("backup " + backup_path() + config_arg());
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  EXPECT_EQ(backup.output, "certd backup: wrote " + backup_path() + ": 3 certificates, 3 PDFs, " +
                               std::to_string(fs::file_size(backup_path())) + " bytes (issuer key " +
                               school().signer->public_key().key_id() + ")\n");
  CommandRun again = run_certd("backup " + backup_path() + config_arg());
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("already exists"), std::string::npos) << again.output;
  CommandRun forced = run_certd("backup --force " + backup_path() + config_arg());
  EXPECT_EQ(forced.exit_code, 0) << forced.output;

  CommandRun restore = run_certd("restore " + backup_path() + restored_config_arg());
  ASSERT_EQ(restore.exit_code, 0) << restore.output;
  EXPECT_NE(restore.output.find("certd restore: restored " + backup_path() + " (made "), std::string::npos)
      << restore.output;
  EXPECT_NE(restore.output.find("into " + target().data_dir + ": 3 certificates, 3 PDFs, "), std::string::npos)
      << restore.output;
  EXPECT_EQ(restore.output.find(k_passphrase), std::string::npos);
  CommandRun twice = run_certd("restore " + backup_path() + restored_config_arg());
  EXPECT_EQ(twice.exit_code, 1) << twice.output;
  EXPECT_NE(twice.output.find("is not empty"), std::string::npos) << twice.output;
}

}  // namespace
}  // namespace certd::app
