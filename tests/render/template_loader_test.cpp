#include <gtest/gtest.h>

#include "render/font_set.hpp"
#include "render/prepared_assets.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

using testing::ScratchDir;

constexpr const char* k_dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

// A template in `dir` with one font and one literal field; line 6 holds
// the font, line 7 the background.
std::string template_text(const std::string& font, const std::string& background, const std::string& literal) {
  return "version: 1\n"
         "name: Loader test\n"
         "number_prefix: LT\n"
         "page: { size: Letter, orientation: portrait }\n"
         "fonts:\n"
         "  sans: " + font + "\n" +
         (background.empty() ? std::string("\n") : "background: " + background + "\n") +
         "fields:\n"
         "  - { text: \"" + literal + " {{student.fullname}}\", font: sans, size: 20, x: 50, y: 100 }\n"
         "qr: { x: 450, y: 650, size: 100 }\n";
}

TEST(TemplateLoader, LoadsEveryDemoTemplate) {
  for (const char* id : {"swim-level", "first-aid", "encouragement"}) {
    TemplateLoad load = load_template_file(std::string("examples/templates/") + id + ".yaml");
    ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
    EXPECT_EQ(load.loaded->id(), id);
    ASSERT_TRUE(load.loaded->assets().background.has_value());
    EXPECT_EQ(load.loaded->assets().background->info.kind, ImageKind::jpeg);
  }
}

TEST(TemplateLoader, MissingFontIsAnErrorAtTheFont) {
  ScratchDir dir;
  std::string path = dir.write("t.yaml", template_text("/nowhere/Missing.ttf", "", "Hello"));
  TemplateLoad load = load_template_file(path);
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(load.errors.front().to_string(),
            path + ":6:9: fonts.sans: font file /nowhere/Missing.ttf is missing or unreadable");
}

TEST(TemplateLoader, MissingOrBrokenBackgroundIsAnErrorAtTheBackground) {
  ScratchDir dir;
  std::string path = dir.write("t.yaml", template_text(k_dejavu, "../nowhere/bg.jpg", "Hello"));
  TemplateLoad load = load_template_file(path);
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(load.errors.front().to_string().rfind(path + ":7:13: background: cannot read /", 0), 0u)
      << load.errors.front().to_string();
  dir.write("bg.jpg", "this is not a picture");
  path = dir.write("t.yaml", template_text(k_dejavu, "bg.jpg", "Hello"));
  load = load_template_file(path);
  ASSERT_FALSE(load.ok());
  EXPECT_NE(load.errors.front().to_string().find(":7:13: background: " + dir.file("bg.jpg") + ": not a JPEG or PNG"),
            std::string::npos)
      << load.errors.front().to_string();
}

// The smallest OpenType font with CFF outlines: the 'OTTO' sfnt header and
// one 'CFF ' table holding only a CFF header. Enough for the loader to see
// which outlines the font has; none of the font packages scripts/setup.sh
// installs ships a CFF font.
std::string minimal_cff_font() {
  std::string font = "OTTO";
  auto put16 = [&font](unsigned value) { font += {static_cast<char>(value >> 8), static_cast<char>(value & 0xFF)}; };
  put16(1);   // numTables
  put16(16);  // searchRange
  put16(0);   // entrySelector
  put16(0);   // rangeShift
  const std::string cff_header("\x01\x00\x04\x01", 4);  // version 1.0, header size 4, offsets of 1 byte
  font += "CFF ";
  put16(0x0100), put16(0x0401);  // checksum of the table: its one 32-bit word
  put16(0), put16(28);           // offset: right after this table record
  put16(0), put16(static_cast<unsigned>(cff_header.size()));
  return font + cff_header;
}

TEST(TemplateLoader, RefusesFontsWithoutTrueTypeOutlines) {
  ScratchDir dir;
  std::string cff = dir.write("Cff-Regular.otf", minimal_cff_font());
  std::string path = dir.write("t.yaml", template_text(cff, "", "Hi"));
  TemplateLoad load = load_template_file(path);
  ASSERT_FALSE(load.ok());
  EXPECT_NE(load.errors.front().to_string().find(":6:9: fonts.sans: "), std::string::npos);
  EXPECT_NE(load.errors.front().message().find("no TrueType (glyf) outlines"), std::string::npos);
}

TEST(TemplateLoader, LiteralTextNoFontCanDrawIsALoadError) {
  ScratchDir dir;
  std::string path = dir.write("t.yaml", template_text(k_dejavu, "", "안녕"));
  TemplateLoad load = load_template_file(path);
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(load.errors.front().to_string(),
            path + ":9:5: no font of the template can draw U+C548 '안' in field 'fields[0]'");
}

TEST(TemplateLoader, CutFontsCoverSchoolScriptsAndLiteralsButNotEverything) {
  ScratchDir dir;
  std::string path = dir.write("t.yaml", template_text(k_dejavu, "", "Ա ⚓"));  // Armenian, anchor: outside the ranges
  TemplateLoad load = load_template_file(path);
  ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
  const PreparedFace& face = load.loaded->assets().fonts->face(0);
  ASSERT_EQ(face.cuts.size(), 3u);
  const Coverage& latin = face.cuts[0].coverage;
  const Coverage& school = face.cuts[1].coverage;
  for (char32_t code : {U'A', U'é', U'Ł', U'€', U'Ա', U'⚓'}) EXPECT_TRUE(latin.test(code));
  for (char32_t code : {U'Ж', U'Ω', U'ș', U'ễ'}) EXPECT_FALSE(latin.test(code)) << "only in the school cut";
  for (char32_t code : {U'A', U'é', U'Ł', U'Ж', U'Ω', U'ș', U'ễ', U'€', U'Ա', U'⚓'}) EXPECT_TRUE(school.test(code));
  EXPECT_FALSE(school.test(U'Բ')) << "Armenian beyond the literal is in no cut but the whole face";
  EXPECT_TRUE(face.full_coverage().test(U'Բ'));
  EXPECT_LT(school.count(), face.full_coverage().count() / 2);
}

TEST(TemplateLoader, RemovesItsScratchFolderWithTheTemplate) {
  std::string cut_file;
  {
    auto loaded = std::make_unique<Template>(testing::load_demo("first-aid"));
    cut_file = loaded->assets().fonts->face(0).cuts.front().file;
    EXPECT_TRUE(std::filesystem::exists(cut_file));
  }
  EXPECT_FALSE(std::filesystem::exists(cut_file));
}

}  // namespace
}  // namespace certd::render
