// certd preview, verify and check-config as a user runs them.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "app/run_certd.hpp"
#include "core/clock.hpp"
#include "core/file_util.hpp"
#include "render/certificate_number.hpp"
#include "render/pdf_verifier.hpp"
#include "store/store.hpp"
#include "hostile_pdf.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

using app::run_certd;
using testing::ScratchDir;

class RenderCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(m_dir.file("templates"));
    std::filesystem::create_directories(m_dir.file("rules"));
    std::filesystem::create_directories(m_dir.file("data"));
    m_config = m_dir.write("certd.yaml",
                           "lms: {url: 'http://127.0.0.1:9', token_env: CERTD_TEST_UNSET}\n"
                           "portal: {public_url: 'https://certs.example.edu'}\n"
                           "issuer: {name: Riverside Swim School, key_file: issuer.key}\n"
                           "data_dir: " + m_dir.file("data") + "\n"
                           "rules_dir: rules\ntemplates_dir: " + std::filesystem::absolute("examples/templates").string() + "\n");
  }

  std::string key_file() const { return m_dir.file("data/issuer.key"); }

  // Writes an issuer key file and a certificate it signed.
  std::string signed_certificate(const Signer& signer, mode_t mode = 0600) {
    m_dir.write("data/issuer.key", signer.private_key_pem());
    ::chmod(key_file().c_str(), mode);
    Template loaded = testing::load_demo("swim-level");
    return m_dir.write("c.pdf", render_certificate(loaded, testing::fixed_data(), signer)->pdf);
  }

  ScratchDir m_dir;
  std::string m_config;
};

TEST_F(RenderCli, PreviewRendersEveryDemoTemplateWithTheNamesOfTheIssue) {
  for (const char* name : {"Zoë Ångström-Łukasiewicz", "Алексей Смирнов", "王小明"}) {
    std::string data = m_dir.write("data.yaml", std::string("student: ") + name +
                                                    "\ncourse: First Aid at Work\nnotes: Молодец! 頑張りました。\n");
    for (const char* id : {"swim-level", "first-aid", "encouragement"}) {
      std::string out = m_dir.file(std::string(id) + ".pdf");
      auto run = run_certd("preview --config " + m_config + " --template " + id + " --data " + data + " --out " + out);
      ASSERT_EQ(run.exit_code, 0) << run.output;
      std::string text = testing::pdftotext(out);
      EXPECT_NE(text.find(name), std::string::npos) << id << "\n" << text;
    }
  }
}

TEST_F(RenderCli, PreviewNeedsAConfigToFindATemplateById) {
  auto run = run_certd("preview --config " + m_dir.file("missing.yaml") + " --template swim-level --out x.pdf");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("there is no configuration file"), std::string::npos) << run.output;
  auto by_path = run_certd("preview --config " + m_dir.file("missing.yaml") +
                           " --template examples/templates/first-aid.yaml --out " + m_dir.file("p.pdf"));
  EXPECT_EQ(by_path.exit_code, 0) << by_path.output;
}

TEST_F(RenderCli, VerifyAcceptsAFreshCertificateAndRejectsATamperedOne) {
  Signer signer = std::move(Signer::from_private_key_pem(*generate_private_key_pem())).value();
  std::string pdf = signed_certificate(signer);
  auto valid = run_certd("verify --config " + m_config + " " + pdf);
  EXPECT_EQ(valid.exit_code, 0) << valid.output;
  EXPECT_NE(valid.output.find(": VALID - signed by the issuer's key"), std::string::npos) << valid.output;
  EXPECT_NE(valid.output.find("\n  title:   Swimming Level 3\n  course:  Swimming Level 3\n"), std::string::npos)
      << "the signed title, beside the course\n" << valid.output;

  std::string bytes = *read_file(pdf, 1 << 24);
  std::string half = m_dir.write("half.pdf", bytes.substr(0, bytes.size() / 2));
  auto truncated = run_certd("verify --config " + m_config + " " + half);
  EXPECT_EQ(truncated.exit_code, 1);
  EXPECT_NE(truncated.output.find("UNREADABLE"), std::string::npos) << truncated.output;

  m_dir.write("data/issuer.key", *generate_private_key_pem());
  auto other = run_certd("verify --config " + m_config + " " + pdf);
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.output.find("WRONG KEY"), std::string::npos) << other.output;
}

// The issue's 19.5 MB flate bomb (19 GiB of zeros) and a file over the
// size limit: both refused, with the reason, as a failed verification.
TEST_F(RenderCli, VerifyRefusesAFlateBombAndAFileOverTheSizeLimit) {
  signed_certificate(testing::test_signer());
  std::string bomb = m_dir.write("bomb.pdf", testing::flate_bomb_pdf(19, 1024));
  auto bombed = run_certd("verify --config " + m_config + " " + bomb);
  EXPECT_EQ(bombed.exit_code, 1);
  EXPECT_NE(bombed.output.find("bomb.pdf: REFUSED - a stream decodes to more than 64 MiB"), std::string::npos)
      << bombed.output;

  std::string large = m_dir.write("large.pdf", "%PDF-1.4\n" + std::string(PdfLimits().max_file_bytes, ' '));
  auto refused = run_certd("verify --config " + m_config + " " + large);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("large.pdf: REFUSED - "), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("the limit is " + std::to_string(PdfLimits().max_file_bytes)), std::string::npos)
      << refused.output;
}

TEST_F(RenderCli, VerifyRefusesAKeyFileOthersCanRead) {
  std::string pdf = signed_certificate(testing::test_signer(), 0644);
  auto run = run_certd("verify --config " + m_config + " " + pdf);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("has mode 644: group or others may read it"), std::string::npos) << run.output;
}

TEST_F(RenderCli, VerifyNumberAsksTheStore) {
  std::string number = testing::fixed_number();
  auto unknown = run_certd("verify --config " + m_config + " " + number);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find(number + ": UNKNOWN"), std::string::npos) << unknown.output;
  std::string typo = number;
  typo[6] = typo[6] == 'A' ? 'B' : 'A';
  auto mistyped = run_certd("verify --config " + m_config + " " + typo);
  EXPECT_EQ(mistyped.exit_code, 1);
  EXPECT_NE(mistyped.output.find("INVALID - not a certificate number"), std::string::npos) << mistyped.output;
}

// A certificate row as the issuer writes it; `days_valid` < 0: expired.
store::NewCertificate certificate_row(const std::string& number, int days_valid) {
  store::NewCertificate row;
  row.number = number;
  row.idempotency_key = "key-" + number;
  row.template_id = "swim-level";
  row.student_id = "42";
  row.student_name = "Алексей Смирнов";
  row.course = "SWIM-L3";
  row.title = "Gala relay award";
  row.kind = "adhoc";
  row.issued_at = 1700000000;
  row.expires_at = to_unix(SystemClock().now()) + days_valid * 86400LL;
  return row;
}

TEST_F(RenderCli, VerifyNumberSaysValidRevokedOrExpired) {
  auto number = [](std::uint8_t seed) {
    return *make_certificate_number("SWIM", {seed, 2, 3, 4, 5, 6, 7, 8});
  };
  {
    auto opened = store::open_sqlite_store(m_dir.file("data/certd.sqlite"));
    ASSERT_TRUE(opened) << opened.error().to_string();
    store::Store& db = **opened;
    for (auto [seed, days] : {std::pair<std::uint8_t, int>{10, 30}, {11, 30}, {12, -1}})
      ASSERT_TRUE(db.insert_certificate(certificate_row(number(seed), days), {}));
    ASSERT_TRUE(db.revoke_certificate(number(11), "issued to the wrong student", 1700086400));
  }
  auto valid = run_certd("verify --config " + m_config + " " + number(10));
  EXPECT_EQ(valid.exit_code, 0) << valid.output;
  EXPECT_NE(valid.output.find(number(10) + ": VALID"), std::string::npos) << valid.output;
  EXPECT_NE(valid.output.find("Алексей Смирнов"), std::string::npos);
  EXPECT_NE(valid.output.find("\n  title:   Gala relay award\n  course:  SWIM-L3\n"), std::string::npos) << valid.output;
  auto revoked = run_certd("verify --config " + m_config + " " + number(11));
  EXPECT_EQ(revoked.exit_code, 3) << "exit status 3: revoked";
  EXPECT_NE(revoked.output.find(": REVOKED on 2023-11-15 (reason: issued to the wrong student)"), std::string::npos)
      << revoked.output;
  auto expired = run_certd("verify --config " + m_config + " " + number(12));
  EXPECT_EQ(expired.exit_code, 4) << "exit status 4: expired";
  EXPECT_NE(expired.output.find(": EXPIRED on "), std::string::npos) << expired.output;
}

TEST_F(RenderCli, CheckConfigReportsTemplateErrorsWithTheirLocation) {
  std::string templates = m_dir.file("templates");
  std::string config = m_dir.write("bad.yaml", *read_file(m_config, 1 << 16) + "");
  std::string text = *read_file("examples/templates/swim-level.yaml", 1 << 20);
  auto at = text.find("{{level}}\"");
  text.replace(at, 9, "{{levle}}");
  std::string broken = m_dir.write("templates/broken.yaml", text);
  std::string body = *read_file(m_config, 1 << 16);
  body.replace(body.find("templates_dir: "), std::string::npos, "templates_dir: " + templates + "\n");
  m_dir.write("bad.yaml", body);
  auto run = run_certd("check-config --config " + config);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find(broken + ":"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(": unknown placeholder {{levle}}"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace certd::render
