// `certd report` as an operator runs it (the real executable) on a store
// holding what outsiders typed: names from a CSV batch or the LMS, numbers
// from verification URLs. The CSV opens in a spreadsheet as text, and the
// tables send nothing to the terminal that it would act on (issue 12).
#include <gtest/gtest.h>

#include <fstream>

#include "app/run_certd.hpp"
#include "app/school_fixture.hpp"

namespace certd::app {
namespace {

// The names of the issue, neutralised as a CSV cell.
struct Hostile {
  std::string name;
  std::string cell;
};

const Hostile k_formulas[] = {
    {"=HYPERLINK(\"http://evil.example\",\"open\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\""},
    {"+SUM(1+1)*cmd|' /C calc'!A0", "\"'+SUM(1+1)*cmd|' /C calc'!A0\""},
    {"@Lifeguard", "\"'@Lifeguard\""},
    {"-2+3", "\"'-2+3\""},
};

const Hostile k_controls[] = {
    {"\x1b[31mred", "\\x1B[31mred"},
    {"\x1b[2J", "\\x1B[2J"},
    {"\tRo\t=cmd", "\"'\tRo\t'=cmd\""},
    {"Mal\xc2\x9b" "2J", "Mal\\xC2\\x9B2J"},
};

class ReportCliTest : public SchoolFixture {
 protected:
  std::string config_arg() const { return " --config " + (m_dir / "certd.yaml").string(); }

  // Rows as an older certd stored them, before names were checked at
  // intake: the report must be safe whatever the store holds.
  void add_certificate(int n, const std::string& name) {
    store::NewCertificate c;
    c.number = "ENC-" + std::to_string(1000 + n);
    c.idempotency_key = "key-" + std::to_string(n);
    c.template_id = "encouragement";
    c.student_id = std::to_string(n);
    c.student_name = name;
    c.course = "FA-101";
    c.kind = "adhoc";
    c.requested_by = "Ms Jones";
    c.issued_at = k_start;
    c.claim_token = "token-" + std::to_string(n);
    ASSERT_OK(db().insert_certificate(c, {}));
  }

  static bool has_raw_control(const std::string& text) {
    for (unsigned char c : text)
      if (c == 0x1b || c == 0x07 || c == 0x00) return true;
    return text.find("\xc2\x9b") != std::string::npos;
  }
};

TEST_F(ReportCliTest, CertificatesCsvNeutralisesFormulasAndControlCharacters) {
  int n = 0;
  for (const Hostile& h : k_formulas) ASSERT_NO_FATAL_FAILURE(add_certificate(++n, h.name));
  for (const Hostile& h : k_controls) ASSERT_NO_FATAL_FAILURE(add_certificate(++n, h.name));

  CommandRun report = run_certd("report certificates --csv" + config_arg());

  ASSERT_EQ(report.exit_code, 0) << report.output;
  for (const Hostile& h : k_formulas) EXPECT_NE(report.output.find("," + h.cell + ","), std::string::npos) << h.cell;
  for (const Hostile& h : k_controls) EXPECT_NE(report.output.find("," + h.cell + ","), std::string::npos) << h.cell;
  EXPECT_FALSE(has_raw_control(report.output)) << report.output;
}

TEST_F(ReportCliTest, TablesSendNoControlCharactersToTheTerminal) {
  int n = 0;
  for (const Hostile& h : k_controls) ASSERT_NO_FATAL_FAILURE(add_certificate(++n, h.name));
  // A client's URL: /v/=HYPERLINK(...) and /v/%1b[2J%1b[31mPWNED.
  ASSERT_OK(db().record_verification({"=HYPERLINK(\"http://evil.example\",\"open\")", "unknown", "web", k_start}));
  ASSERT_OK(db().record_verification({"\x1b[2J\x1b[31mPWNED", "unknown", "web", k_start}));

  CommandRun certificates = run_certd("report certificates" + config_arg());
  CommandRun verifications = run_certd("report verifications" + config_arg());
  CommandRun verifications_csv = run_certd("report verifications --csv" + config_arg());

  ASSERT_EQ(certificates.exit_code, 0) << certificates.output;
  EXPECT_FALSE(has_raw_control(certificates.output)) << certificates.output;
  EXPECT_NE(certificates.output.find("\\x1B[31mred"), std::string::npos) << certificates.output;
  EXPECT_NE(certificates.output.find("\\x09Ro\\x09=cmd"), std::string::npos) << certificates.output;
  ASSERT_EQ(verifications.exit_code, 0) << verifications.output;
  EXPECT_FALSE(has_raw_control(verifications.output)) << verifications.output;
  EXPECT_NE(verifications.output.find("\\x1B[2J\\x1B[31mPWNED"), std::string::npos) << verifications.output;
  ASSERT_EQ(verifications_csv.exit_code, 0) << verifications_csv.output;
  EXPECT_FALSE(has_raw_control(verifications_csv.output)) << verifications_csv.output;
  EXPECT_NE(verifications_csv.output.find("\r\n\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\",unknown,web,"),
            std::string::npos)
      << verifications_csv.output;
}

// The whole way: a CSV batch with formula names goes in through
// `certd batch import` and comes out of `certd report --csv` as text.
TEST_F(ReportCliTest, FormulaNamesImportedFromACsvBatchComeOutAsText) {
  std::ofstream csv(m_dir / "rows.csv");
  csv << "student,name,course,notes\n";
  int n = 0;
  for (const Hostile& h : k_formulas) {
    std::string quoted = "\"";
    for (char c : h.name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    csv << "kid" << ++n << "@example.org," << quoted << "\",Lifeguard Basics,Well done\n";
  }
  csv.close();
  CommandRun imported = run_certd("batch import " + (m_dir / "rows.csv").string() +
                                  " --template encouragement --teacher 'Ms Jones'" + config_arg());
  ASSERT_EQ(imported.exit_code, 0) << imported.output;

  CommandRun report = run_certd("report certificates --csv" + config_arg());

  ASSERT_EQ(report.exit_code, 0) << report.output;
  for (const Hostile& h : k_formulas) EXPECT_NE(report.output.find("," + h.cell + ","), std::string::npos) << h.cell;
}

}  // namespace
}  // namespace certd::app
