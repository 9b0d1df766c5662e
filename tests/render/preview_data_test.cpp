// The data file of `certd preview --data` (render/preview_data.hpp): a key
// for every placeholder, nested as the templates write it, located errors
// for anything else, and the sample file that covers them all rendered
// through the real certd executable.

#include "render/preview_data.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "app/run_certd.hpp"
#include "core/file_util.hpp"
#include "core/time_format.hpp"
#include "render/template.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

struct Row {
  Placeholder placeholder;
  std::string yaml;  // the data file
  std::function<std::string(const CertificateData&)> value;
};

std::string date_of(const std::optional<TimePoint>& t) { return t ? format_date(*t) : "none"; }

const std::vector<Row>& rows() {
  static const std::vector<Row> k_rows = {
      {Placeholder::student_name, "student: { fullname: Алексей Смирнов }",
       [](const CertificateData& d) { return d.student_name; }},
      {Placeholder::course_name, "course:\n  fullname: First Aid at Work",
       [](const CertificateData& d) { return d.course_name; }},
      {Placeholder::title, "title: Star of the Gala", [](const CertificateData& d) { return d.title; }},
      {Placeholder::teacher_name, "teacher: { fullname: Kwame Mensah }",
       [](const CertificateData& d) { return d.teacher_name; }},
      {Placeholder::notes, "notes: Well done", [](const CertificateData& d) { return d.notes; }},
      {Placeholder::issued_on, "issued_on: 2026-12-04", [](const CertificateData& d) { return date_of(d.issued_at); }},
      {Placeholder::expires_on, "expires_on: 2028-12-04",
       [](const CertificateData& d) { return date_of(d.expires_at); }},
      {Placeholder::certificate_number, "certificate: { number: SWIM-QWJW-BQJP }",
       [](const CertificateData& d) { return d.number; }},
      {Placeholder::level, "level: Level 4", [](const CertificateData& d) { return d.level; }},
      {Placeholder::grade, "grade: 88%", [](const CertificateData& d) { return d.grade; }},
      {Placeholder::skills, "skills: [Butterfly 25 m, Sculling]",
       [](const CertificateData& d) {
         std::string joined;
         for (const std::string& s : d.skills) joined += (joined.empty() ? "" : "|") + s;
         return joined;
       }},
      {Placeholder::issuer_name, "issuer: { name: Lakeside Aquatics Club }",
       [](const CertificateData& d) { return d.issuer_name; }},
  };
  return k_rows;
}

const std::map<Placeholder, std::string> k_expected = {
    {Placeholder::student_name, "Алексей Смирнов"}, {Placeholder::course_name, "First Aid at Work"},
    {Placeholder::title, "Star of the Gala"},
    {Placeholder::teacher_name, "Kwame Mensah"},    {Placeholder::notes, "Well done"},
    {Placeholder::issued_on, "2026-12-04"},         {Placeholder::expires_on, "2028-12-04"},
    {Placeholder::certificate_number, "SWIM-QWJW-BQJP"}, {Placeholder::level, "Level 4"},
    {Placeholder::grade, "88%"},                    {Placeholder::skills, "Butterfly 25 m|Sculling"},
    {Placeholder::issuer_name, "Lakeside Aquatics Club"},
};

TEST(PreviewData, EveryPlaceholderIsAKeyNamedAsTemplatesWriteIt) {
  ASSERT_EQ(rows().size(), all_placeholders().size()) << "a row per placeholder";
  for (const Row& row : rows()) {
    const CertificateData sample = sample_certificate_data("SWIM");
    PreviewDataLoad load = parse_preview_data(row.yaml, "data.yaml", sample);
    EXPECT_TRUE(load.errors.empty()) << row.yaml << ": " << (load.errors.empty() ? "" : load.errors[0].to_string());
    EXPECT_EQ(row.value(load.data), k_expected.at(row.placeholder)) << row.yaml;
    // Only that value changed.
    for (const Row& other : rows()) {
      if (other.placeholder == row.placeholder) continue;
      EXPECT_EQ(other.value(load.data), other.value(sample)) << row.yaml << " changed " << to_string(other.placeholder);
    }
  }
}

TEST(PreviewData, ThePlaceholderListIsTheTemplateParsers) {
  for (Placeholder p : all_placeholders()) {
    std::string text = std::string("version: 1\nname: T\nnumber_prefix: T\npage: { size: A4, orientation: landscape }\n") +
                       "fonts: { sans: /f.ttf }\nfields:\n" +
                       "  - { text: \"{{" + to_string(p) + "}}\", font: sans, size: 12, x: 10, y: 100 }\n" +
                       "qr: { x: 700, y: 450, size: 90 }\n";
    SpecLoad load = parse_template(text, "t.yaml");
    ASSERT_TRUE(load.ok()) << to_string(p) << ": " << load.errors.front().to_string();
    ASSERT_EQ(load.spec.fields.at(0).text.at(0).placeholder, p) << to_string(p);
  }
}

TEST(PreviewData, AGroupWithOneValueMayBeWrittenAsThatValue) {
  PreviewDataLoad load = parse_preview_data("student: Ana\ncourse: First Aid\nteacher: Mr Li\nissuer: Lakeside\n"
                                            "certificate: SWIM-QWJW-BQJP\n",
                                            "data.yaml", {});
  EXPECT_TRUE(load.errors.empty()) << load.errors.front().to_string();
  EXPECT_EQ(load.data.student_name, "Ana");
  EXPECT_EQ(load.data.course_name, "First Aid");
  EXPECT_EQ(load.data.teacher_name, "Mr Li");
  EXPECT_EQ(load.data.issuer_name, "Lakeside");
  EXPECT_EQ(load.data.number, "SWIM-QWJW-BQJP");
}

TEST(PreviewData, AKeyWithNoValueLeavesThePlaceholderEmpty) {
  PreviewDataLoad load = parse_preview_data("notes:\nexpires_on:\nskills:\nteacher: { fullname: }\ntitle:\n", "data.yaml",
                                            sample_certificate_data("S"));
  EXPECT_TRUE(load.errors.empty()) << load.errors.front().to_string();
  EXPECT_EQ(load.data.title, "");
  EXPECT_EQ(load.data.notes, "");
  EXPECT_FALSE(load.data.expires_at);
  EXPECT_TRUE(load.data.skills.empty());
  EXPECT_EQ(load.data.teacher_name, "");
  EXPECT_EQ(load.data.student_name, sample_certificate_data("S").student_name) << "keys left out keep the sample";
}

std::vector<std::string> error_texts(const std::string& yaml) {
  std::vector<std::string> texts;
  for (const Error& e : parse_preview_data(yaml, "data.yaml", {}).errors) texts.push_back(e.to_string());
  return texts;
}

TEST(PreviewData, MistakesAreLocatedAndNameTheValidKeys) {
  EXPECT_EQ(error_texts("student:\n  name: Ana\ncourse: { fullname: X, shortname: Y }\n"),
            (std::vector<std::string>{
                "data.yaml:2:3: unknown key 'student.name' (known keys: fullname)",
                "data.yaml:3:24: unknown key 'course.shortname' (known keys: fullname)",
            }));
  EXPECT_EQ(error_texts("grade: 92%\nnumber: SWIM-QWJW-BQJP\n"),
            (std::vector<std::string>{
                "data.yaml:2:1: unknown key 'number' (the data file uses the placeholders' names: "
                "student.fullname, course.fullname, title, teacher.fullname, notes, issued_on, expires_on, "
                "certificate.number, level, grade, skills, issuer.name; student.fullname is written student: { "
                "fullname: ... })",
            }));
  EXPECT_EQ(error_texts("certificate:\n  number: SWIM-1234-5678\nissued_on: soon\nskills: Butterfly\n"),
            (std::vector<std::string>{
                "data.yaml:2:11: certificate.number: 'SWIM-1234-5678' is not a valid certificate number",
                "data.yaml:3:12: issued_on: expected a date like 2026-11-23, found 'soon'",
                "data.yaml:4:9: skills: expected a list, found 'Butterfly'",
            }));
  EXPECT_EQ(error_texts("student: [Ana]\n"),
            (std::vector<std::string>{"data.yaml:1:10: student: expected text, found a list"}));
}

// The sample file sets every placeholder, to values unlike the built-in
// sample, so a preview shows it was read.
TEST(PreviewData, TheSampleFileGivesEveryPlaceholder) {
  auto text = read_file("examples/preview-data.yaml", 1 << 16);
  ASSERT_TRUE(text) << text.error().to_string();
  const CertificateData sample = sample_certificate_data("SWIM");
  PreviewDataLoad load = parse_preview_data(*text, "examples/preview-data.yaml", sample);
  ASSERT_TRUE(load.errors.empty()) << load.errors.front().to_string();
  for (const Row& row : rows())
    EXPECT_NE(row.value(load.data), row.value(sample)) << to_string(row.placeholder) << " is not in the sample file";
}

TEST(PreviewData, TheSampleFileRendersThroughCertdPreview) {
  testing::ScratchDir dir;
  for (const char* id : {"swim-level", "first-aid", "encouragement"}) {
    std::string out = dir.file(std::string(id) + ".pdf");
    auto run = app::run_certd("preview --config " + dir.file("none.yaml") + " --template examples/templates/" +
                              id + ".yaml --data examples/preview-data.yaml --out " + out);
    ASSERT_EQ(run.exit_code, 0) << id << "\n" << run.output;
    std::string pdf = testing::pdftotext(out);
    EXPECT_NE(pdf.find("Łucja Nowak-Ångström"), std::string::npos) << id << "\n" << pdf;
    EXPECT_NE(pdf.find("Lakeside Aquatics Club"), std::string::npos) << id << "\n" << pdf;
    EXPECT_NE(pdf.find("SWIM-QWJW-BQJP"), std::string::npos) << id << "\n" << pdf;
  }
}

// The templates that name the award print the data file's title, not
// its course.
TEST(PreviewData, TheTitleKeyReachesThePage) {
  testing::ScratchDir dir;
  std::string data = dir.write("data.yaml", "course: { fullname: Pool Safety }\ntitle: Lifeguard of the Month\n");
  for (const char* id : {"first-aid", "encouragement"}) {
    std::string out = dir.file(std::string(id) + ".pdf");
    auto run = app::run_certd("preview --config " + dir.file("none.yaml") + " --template examples/templates/" + id +
                              ".yaml --data " + data + " --out " + out);
    ASSERT_EQ(run.exit_code, 0) << id << "\n" << run.output;
    std::string pdf = testing::pdftotext(out);
    EXPECT_NE(pdf.find("Lifeguard of the Month"), std::string::npos) << id << "\n" << pdf;
    EXPECT_EQ(pdf.find("Pool Safety"), std::string::npos) << id << "\n" << pdf;
  }
}

}  // namespace
}  // namespace certd::render
