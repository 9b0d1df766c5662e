// `certd batch import` as a teacher runs it (the real executable): bad
// names are reported at import by line, and importing the same file again
// says which batch holds its rows and issues nothing twice (issue 12).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "app/run_certd.hpp"
#include "app/school_fixture.hpp"

namespace certd::app {
namespace {

class BatchCliTest : public SchoolFixture {
 protected:
  std::string config_arg() const { return " --config " + (m_dir / "certd.yaml").string(); }

  std::string write_csv(const std::string& text) {
    std::string path = (m_dir / "rows.csv").string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  CommandRun import(const std::string& path, const std::string& more = "") {
    return run_certd("batch import " + path + " --template encouragement --teacher 'Ms Jones'" + more + config_arg());
  }

  std::vector<store::CertificateRow> all_certificates() {
    auto rows = db().recent_certificates(1000);
    EXPECT_TRUE(rows) << rows.error().to_string();
    return rows ? *rows : std::vector<store::CertificateRow>{};
  }

  static std::string good_rows(int n) {
    std::string text = "student,name,course,notes\n";
    for (int i = 1; i <= n; ++i)
      text += "kid" + std::to_string(i) + "@example.org,Kid " + std::to_string(i) + ",Lifeguard Basics,Well done\n";
    return text;
  }
};

TEST_F(BatchCliTest, BadNamesAreReportedAtImportByLineAndNothingIsIssued) {
  std::string path = write_csv(
      "student,name,course,notes\n"
      "kid1@example.org,Kid One,Lifeguard Basics,Well done\n"
      "kid2@example.org,\x1b[31mred,Lifeguard Basics,Well done\n"
      "kid3@example.org,\"Ro\t=cmd\",Lifeguard Basics,Well done\n"
      "kid4@example.org,Cy\xff,Lifeguard Basics,Well done\n"
      "kid5@example.org,Di\xe2\x80\xae" "eviL,Lifeguard Basics,Well done\n"
      "kid6@example.org,Ed Lee,Lifeguard Basics,\"Well\x1b[2J done\"\n");

  CommandRun run = import(path);

  EXPECT_EQ(run.exit_code, 2) << run.output;
  for (const std::string& line : {
           path + ":3: column 'name' contains a control character (U+001B) at character 1: \"\\x1B[31mred\"",
           path + ":4: column 'name' contains a control character (U+0009) at character 3: \"Ro\\x09=cmd\"",
           path + ":5: column 'name' is not valid UTF-8",
           path + ":6: column 'name' contains a bidirectional control character (U+202E) at character 3",
           path + ":7: column 'notes' contains a control character (U+001B) at character 5",
       })
    EXPECT_NE(run.output.find(line), std::string::npos) << line << "\n" << run.output;
  EXPECT_EQ(run.output.find('\x1b'), std::string::npos) << "never echoed raw";
  EXPECT_EQ(run.output.find('\xff'), std::string::npos) << "never echoed raw";
  EXPECT_NE(run.output.find("5 bad rows; nothing was issued"), std::string::npos) << run.output;
  EXPECT_TRUE(all_certificates().empty());

  CommandRun skipped = import(path, " --skip-bad");
  EXPECT_EQ(skipped.exit_code, 0) << skipped.output;
  ASSERT_EQ(all_certificates().size(), 1u) << "the good row still goes";
  EXPECT_EQ(all_certificates()[0].certificate.student_name, "Kid One");
}

TEST_F(BatchCliTest, ImportingTheSameFileAgainSaysWhichBatchHoldsItsRowsAndIssuesNothingTwice) {
  std::string path = write_csv(good_rows(3));
  CommandRun first = import(path);
  ASSERT_EQ(first.exit_code, 0) << first.output;

  CommandRun second = import(path);

  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("3 rows are already in batch 1 (done: nothing is issued twice)"), std::string::npos)
      << second.output;
  EXPECT_NE(second.output.find("nothing new to issue; --again issues them once more"), std::string::npos)
      << second.output;
  EXPECT_EQ(all_certificates().size(), 3u);
  EXPECT_EQ(db().batches()->size(), 1u);

  CommandRun again = import(path, " --again");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("batch 2: 3 certificates to issue"), std::string::npos) << again.output;
  EXPECT_EQ(all_certificates().size(), 6u) << "--again issues on purpose";
}

TEST_F(BatchCliTest, AChangedRowIsTheOnlyNewOne) {
  std::string path = write_csv(good_rows(3));
  ASSERT_EQ(import(path).exit_code, 0);
  std::string changed = good_rows(3);
  changed.replace(changed.find("Kid 2"), 5, "Kid Two");
  write_csv(changed);

  CommandRun run = import(path);

  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("2 rows are already in batch 1"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("batch 2: 1 certificates to issue"), std::string::npos) << run.output;
  std::multiset<std::string> names;
  for (const store::CertificateRow& row : all_certificates()) names.insert(row.certificate.student_name);
  EXPECT_EQ(names, (std::multiset<std::string>{"Kid 1", "Kid 2", "Kid Two", "Kid 3"}));
}

// A batch of awards with titles of their own and no course, as `certd
// issue --title` gives one: a row with neither course nor title is
// reported by line; each title names its certificate, a title a
// spreadsheet would run comes out of the report as text (as a name does,
// tests/app/report_cli_test.cpp), and the same file again issues nothing.
TEST_F(BatchCliTest, ATitleColumnIssuesAwardsCalledByTheirTitlesAndNothingTwice) {
  const std::string formula = "=HYPERLINK(\"http://evil.example\",\"open\")";
  std::string rows = "student,name,title,notes\n"
                     "kid1@example.org,Kid One,Lifesaver of the year,Well done\n"
                     "kid1@example.org,Kid One,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\",Well done\n";
  std::string path = write_csv(rows + "kid2@example.org,Kid Two,,Well done\n");
  CommandRun refused = import(path);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find(path + ":4: course and title are both empty; a row needs one of them"),
            std::string::npos)
      << refused.output;
  EXPECT_TRUE(all_certificates().empty());

  write_csv(rows);
  CommandRun run = import(path);

  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::multiset<std::string> titles;
  for (const store::CertificateRow& row : all_certificates()) {
    titles.insert(row.certificate.title);
    EXPECT_EQ(row.certificate.course, "");
  }
  EXPECT_EQ(titles, (std::multiset<std::string>{"Lifesaver of the year", formula}));
  CommandRun report = run_certd("report certificates --csv" + config_arg());
  EXPECT_EQ(report.exit_code, 0) << report.output;
  EXPECT_NE(report.output.find(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\","), std::string::npos)
      << report.output;

  CommandRun again = import(path);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("2 rows are already in batch 1 (done: nothing is issued twice)"), std::string::npos)
      << again.output;
  EXPECT_EQ(all_certificates().size(), 2u);
}

// A name no font of the template can draw (an Egyptian hieroglyph) fails its
// row alone at issue time; `batch status` then names it by its CSV line.
TEST_F(BatchCliTest, StatusNamesEachFailedRowByItsLineAndReason) {
  std::string path = write_csv(
      "student,name,course,notes\n"
      "kid1@example.org,Kid One,Lifeguard Basics,Well done\n"
      "kid2@example.org,=\xF0\x93\x80\x80,Lifeguard Basics,Well done\n"
      "kid3@example.org,Kid Three,Lifeguard Basics,Well done\n");
  CommandRun imported = import(path);
  EXPECT_EQ(imported.exit_code, 1) << imported.output;
  EXPECT_NE(imported.output.find("certd batch status 1 names the failed rows and why."), std::string::npos)
      << imported.output;

  CommandRun status = run_certd("batch status" + config_arg());

  EXPECT_EQ(status.exit_code, 0) << status.output;
  auto failed_at = status.output.find("Failed rows (line of the CSV file, and why):");
  ASSERT_NE(failed_at, std::string::npos) << status.output;
  std::string failed = status.output.substr(failed_at);
  EXPECT_NE(failed.find("BATCH  LINE  STUDENT"), std::string::npos) << failed;
  EXPECT_NE(failed.find("1      3     kid2@example.org  =\xF0\x93\x80\x80"), std::string::npos) << failed;
  EXPECT_NE(failed.find("no font of the template can draw U+13000"), std::string::npos) << "the reason: " << failed;
  EXPECT_EQ(failed.find("Kid One"), std::string::npos) << "only failed rows: " << failed;

  CommandRun csv = run_certd("batch status 1 --csv" + config_arg());
  EXPECT_EQ(csv.exit_code, 0) << csv.output;
  EXPECT_EQ(csv.output.rfind("BATCH,LINE,STUDENT,NAME,COURSE,REASON\r\n1,3,kid2@example.org,\"'=\xF0\x93\x80\x80\","
                             "Lifeguard Basics,",
                             0),
            0u)
      << "a name a spreadsheet would run is written as text: " << csv.output;
}

}  // namespace
}  // namespace certd::app
