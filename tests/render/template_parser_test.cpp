#include <gtest/gtest.h>

#include "render/template.hpp"

namespace certd::render {
namespace {

// Line numbers matter below: errors are asserted with file:line:column.
constexpr const char* k_minimal = R"(version: 1
name: Test certificate
number_prefix: TST
page: { size: A4, orientation: landscape }
fonts:
  sans: /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
  serif: { file: /fonts/serif.ttc, index: 1 }
fields:
  - name: student
    text: "Well done, {{student.fullname}}!"
    font: sans
    size: 30
    x: 421
    y: 200
    align: center
    max_width: 500
    color: "#1B4F72"
qr: { x: 700, y: 450, size: 90 }
)";

std::string first_error(const std::string& text) {
  SpecLoad load = parse_template(text, "templates/t.yaml");
  return load.errors.empty() ? std::string("no error") : load.errors.front().to_string();
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(TemplateParser, ReadsAGoodTemplate) {
  SpecLoad load = parse_template(k_minimal, "templates/t.yaml");
  ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
  const TemplateSpec& spec = load.spec;
  EXPECT_EQ(spec.id, "t");
  EXPECT_EQ(spec.number_prefix, "TST");
  EXPECT_NEAR(spec.page_width, 841.89, 0.01);
  EXPECT_NEAR(spec.page_height, 595.276, 0.01);
  ASSERT_EQ(spec.fonts.size(), 2u);
  EXPECT_EQ(spec.fonts[1].file, "/fonts/serif.ttc");
  EXPECT_EQ(spec.fonts[1].index, 1);
  ASSERT_EQ(spec.fields.size(), 1u);
  const TextField& field = spec.fields[0];
  EXPECT_EQ(field.name, "student");
  ASSERT_EQ(field.text.size(), 3u);
  EXPECT_EQ(field.text[0].literal, "Well done, ");
  EXPECT_EQ(field.text[1].placeholder, Placeholder::student_name);
  EXPECT_EQ(field.text[2].literal, "!");
  EXPECT_EQ(field.align, Align::center);
  EXPECT_EQ(field.min_size, 18) << "defaults to 60% of the size";
  EXPECT_NEAR(field.color.red, 0x1B / 255.0, 1e-9);
  EXPECT_EQ(spec.qr.size, 90);
}

TEST(TemplateParser, ResolvesAssetsAgainstTheTemplateFolder) {
  std::string text = replace(k_minimal, "fonts:\n", "background: ../assets/bg.jpg\nfonts:\n");
  SpecLoad load = parse_template(text, "/srv/school/templates/t.yaml");
  ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
  EXPECT_EQ(load.spec.background, "/srv/school/assets/bg.jpg");
  EXPECT_EQ(load.spec.fonts[0].file, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") << "absolute stays";
}

TEST(TemplateParser, UnknownPlaceholderIsAnErrorAtItsColumn) {
  std::string text = replace(k_minimal, "{{student.fullname}}", "{{student.name}}");
  EXPECT_EQ(first_error(text),
            "templates/t.yaml:10:23: unknown placeholder {{student.name}} (known: student.fullname, course.fullname, "
            "title, teacher.fullname, notes, issued_on, expires_on, certificate.number, level, grade, skills, "
            "issuer.name)");
}

TEST(TemplateParser, TitleIsAPlaceholderInFieldsAndThePdfTitle) {
  std::string text = replace(k_minimal, "Well done, {{student.fullname}}!", "{{ title }} for {{student.fullname}}");
  text = replace(text, "number_prefix: TST\n", "number_prefix: TST\ntitle: \"{{title}}: {{student.fullname}}\"\n");
  SpecLoad load = parse_template(text, "templates/t.yaml");
  ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
  const std::vector<TextPiece>& field = load.spec.fields.at(0).text;
  ASSERT_EQ(field.size(), 3u);
  EXPECT_EQ(field[0].placeholder, Placeholder::title);
  EXPECT_EQ(field[2].placeholder, Placeholder::student_name);
  ASSERT_EQ(load.spec.title.size(), 3u) << "an explicit title: is kept";
  EXPECT_EQ(load.spec.title[0].placeholder, Placeholder::title);
  EXPECT_EQ(load.spec.title[1].literal, ": ");
  EXPECT_EQ(std::string(to_string(Placeholder::title)), "title");
}

TEST(TemplateParser, UnclosedPlaceholderIsAnError) {
  std::string text = replace(k_minimal, "{{student.fullname}}!", "{{student.fullname");
  EXPECT_EQ(first_error(text), "templates/t.yaml:10:23: unclosed placeholder: '{{' without '}}'");
}

TEST(TemplateParser, UnknownKeyIsReportedWhereItIs) {
  std::string text = replace(k_minimal, "    size: 30\n", "    size: 30\n    colour: red\n");
  EXPECT_EQ(first_error(text).substr(0, 53), "templates/t.yaml:13:5: unknown key 'fields[0].colour'");
}

TEST(TemplateParser, FieldRunningOffThePageIsAnError) {
  std::string wide = replace(k_minimal, "max_width: 500", "max_width: 900");
  EXPECT_EQ(first_error(wide).substr(0, 74),
            "templates/t.yaml:16:16: fields[0].max_width: the field runs off the page: ");
  std::string low = replace(k_minimal, "y: 200", "y: 590");
  EXPECT_EQ(first_error(low).substr(0, 58), "templates/t.yaml:14:8: fields[0].y: the field runs off the");
  std::string qr = replace(k_minimal, "qr: { x: 700", "qr: { x: 780");
  EXPECT_EQ(first_error(qr).substr(0, 40), "templates/t.yaml:18:29: qr.size: runs of");
}

TEST(TemplateParser, UnknownFontIsAnError) {
  std::string text = replace(k_minimal, "font: sans", "font: script");
  EXPECT_EQ(first_error(text), "templates/t.yaml:11:11: fields[0].font: unknown font 'script' (defined: sans, serif)");
  std::string fallback = replace(k_minimal, "fields:\n", "fallback_fonts: [sans, cjk]\nfields:\n");
  EXPECT_EQ(first_error(fallback), "templates/t.yaml:8:24: fallback_fonts: unknown font 'cjk' (defined: sans, serif)");
}

TEST(TemplateParser, AFontMayHaveFallbacksOfItsOwnAndASyntheticBold) {
  std::string text = replace(k_minimal, "  serif: { file: /fonts/serif.ttc, index: 1 }\n",
                             "  serif: { file: /fonts/serif.ttc, index: 1, fallback_fonts: [cjk-bold] }\n"
                             "  cjk-bold: { file: /fonts/ipag.ttf, synthetic_bold: true }\n");
  SpecLoad load = parse_template(text, "templates/t.yaml");
  ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
  const auto& fonts = load.spec.fonts;
  ASSERT_EQ(fonts.size(), 3u);
  EXPECT_FALSE(fonts[0].own_fallbacks) << "sans keeps the template's list";
  EXPECT_TRUE(fonts[1].own_fallbacks);
  EXPECT_EQ(fonts[1].fallbacks, std::vector<int>{2}) << "a font named below the list";
  EXPECT_FALSE(fonts[1].synthetic_bold);
  EXPECT_TRUE(fonts[2].synthetic_bold);
  std::string unknown = replace(text, "[cjk-bold]", "[cjk-bold, kanji]");
  EXPECT_EQ(first_error(unknown),
            "templates/t.yaml:7:73: fonts.serif.fallback_fonts: unknown font 'kanji' (defined: sans, serif, cjk-bold)");
}

TEST(TemplateParser, ReportsEveryErrorAtOnce) {
  std::string text = replace(k_minimal, "version: 1\n", "");
  text = replace(text, "qr: { x: 700, y: 450, size: 90 }\n", "");
  text = replace(text, "color: \"#1B4F72\"", "color: navy");
  SpecLoad load = parse_template(text, "t.yaml");
  ASSERT_EQ(load.errors.size(), 3u);
  EXPECT_NE(load.errors[0].message().find("version: required key is missing"), std::string::npos)
      << load.errors[0].message();
  EXPECT_NE(load.errors[1].message().find("expected a colour"), std::string::npos);
  EXPECT_NE(load.errors[2].message().find("qr: required key is missing"), std::string::npos);
}

// Found by fuzz_template: braces in the name fed the default title. The
// default title is now "student - {{title}}"; the name, which the renderer
// puts in for an empty {{title}}, is never parsed for placeholders.
TEST(TemplateParser, BracesInTheNameAreNotPlaceholders) {
  std::string text = replace(k_minimal, "name: Test certificate", "name: \"{{odd}} certificate\"");
  SpecLoad load = parse_template(text, "t.yaml");
  ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
  EXPECT_EQ(load.spec.name, "{{odd}} certificate");
  ASSERT_EQ(load.spec.title.size(), 3u);
  EXPECT_EQ(load.spec.title[0].placeholder, Placeholder::student_name);
  EXPECT_EQ(load.spec.title[1].literal, " - ");
  EXPECT_EQ(load.spec.title[2].placeholder, Placeholder::title);
}

TEST(TemplateParser, RefusesHostileYaml) {
  EXPECT_NE(first_error("a: &x [1]\nb: *x\n").find("anchors"), std::string::npos);
  EXPECT_NE(first_error("version: [1, 2").find("YAML syntax error"), std::string::npos);
  EXPECT_NE(first_error("- just\n- a list\n").find("must be a map"), std::string::npos);
}

}  // namespace
}  // namespace certd::render
