#include "render/text_layout.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "render/bidi.hpp"
#include "render/prepared_assets.hpp"
#include "render/utf8.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

// Segments with a fixed width per character (600 units), no fonts needed.
std::vector<Segment> fixed_width(const std::vector<std::string>& parts) {
  std::vector<Segment> segments;
  for (const std::string& part : parts) {
    bool space = part == " ";
    segments.push_back(Segment{0, part, space, true, 600.0 * static_cast<double>(part.size()), 0, {}});
  }
  return segments;
}

TEST(TextLayout, ShrinksALongNameUntilItFits) {
  TextField field;
  field.size = 40;
  field.min_size = 20;
  field.max_width = 300;  // 12 characters of 0.6 em fit at 40 pt; 25 need 20 pt
  auto layout = fit_lines(fixed_width({"Alexandrina", " ", "Wolfeschlegel"}), field);
  ASSERT_TRUE(layout) << layout.error().to_string();
  EXPECT_EQ(layout->size, 20);
  ASSERT_EQ(layout->lines.size(), 1u);
  EXPECT_EQ(layout->lines[0].runs.size(), 1u) << "one face: one run";
  EXPECT_EQ(layout->lines[0].runs[0].text, "Alexandrina Wolfeschlegel");
  EXPECT_NEAR(layout->lines[0].width, 25 * 0.6 * 20, 1e-9);
}

TEST(TextLayout, WrapsWordsOntoFurtherLinesWithoutEdgeSpaces) {
  TextField field;
  field.size = 10;
  field.min_size = 10;
  field.max_width = 66;  // 11 characters per line
  field.max_lines = 3;
  auto layout = fit_lines(fixed_width({"alpha", " ", "beta", " ", "gamma", " ", "delta"}), field);
  ASSERT_TRUE(layout) << layout.error().to_string();
  ASSERT_EQ(layout->lines.size(), 2u);
  EXPECT_EQ(layout->lines[0].runs[0].text, "alpha beta");
  EXPECT_EQ(layout->lines[1].runs[0].text, "gamma delta");
}

std::vector<std::string> line_texts(const Layout& layout) {
  std::vector<std::string> texts;
  for (const LaidOutLine& line : layout.lines) {
    std::string text;
    for (const Segment& run : line.runs) text += run.text;
    texts.push_back(text);
  }
  return texts;
}

TEST(TextLayout, AOneLineFieldTakesTwoBalancedLinesRatherThanShrinkBelowItsMinimum) {
  TextField field;
  field.size = 40;
  field.min_size = 20;
  field.max_width = 320;  // 26 characters of 0.6 em at 20.5 pt
  auto layout = fit_lines(fixed_width({"Ana", " ", "de", " ", "los", " ", "Fernandez-Castellanos", " ", "Ruiz"}), field);
  ASSERT_TRUE(layout) << layout.error().to_string();
  // 37 characters do not fit one line even at 20 pt; on two lines the
  // longer one is 26 characters, which fit at 20.5 pt.
  EXPECT_EQ(line_texts(*layout), (std::vector<std::string>{"Ana de los", "Fernandez-Castellanos Ruiz"}));
  EXPECT_EQ(layout->size, 20.5);
  EXPECT_NEAR(layout->raise, layout->size * field.line_height / 2, 1e-9) << "the two lines stay centred on the field";
}

TEST(TextLayout, TwoLinesAreAsEvenAsTheWordsAllow) {
  TextField field;
  field.size = 20;
  field.min_size = 20;
  field.max_width = 240;  // 20 characters of 0.6 em at 20 pt
  auto layout = fit_lines(fixed_width({"Maria", " ", "de", " ", "los", " ", "Angeles", " ", "Ruiz"}), field);
  ASSERT_TRUE(layout) << layout.error().to_string();
  // Greedy filling would give "Maria de los Angeles" / "Ruiz".
  EXPECT_EQ(line_texts(*layout), (std::vector<std::string>{"Maria de los", "Angeles Ruiz"}));
}

TEST(TextLayout, TwoLinesThatDoNotFitAtTheMinimumAreAClearError) {
  TextField field;
  field.name = "student";
  field.size = 40;
  field.min_size = 20;
  field.max_width = 100;
  auto layout = fit_lines(fixed_width({"Wolfeschlegelsteinhausen", " ", "Bergerdorff"}), field);
  ASSERT_FALSE(layout);
  EXPECT_EQ(layout.error().message(),
            "the text of field 'student' does not fit 2 lines of 100 pt even at 20 pt");
}

TEST(TextLayout, TextThatCannotFitIsAnError) {
  TextField field;
  field.name = "student";
  field.size = 40;
  field.min_size = 30;
  field.max_width = 100;
  auto layout = fit_lines(fixed_width({"Supercalifragilistic"}), field);
  ASSERT_FALSE(layout);
  EXPECT_NE(layout.error().message().find("field 'student' does not fit"), std::string::npos);
}

TEST(TextLayout, PicksTheFallbackFontOnlyForWhatTheFieldFontLacks) {
  Template loaded = testing::load_demo("encouragement");
  const TemplateSpec& spec = loaded.spec();
  const TextField& student = spec.fields[2];
  auto segments = segment_text("Anna 王小明 Ли 김민준", student, spec.fallback_fonts, *loaded.assets().fonts);
  ASSERT_TRUE(segments) << segments.error().to_string();
  std::string by_face;
  for (const Segment& segment : *segments)
    by_face += spec.fonts[static_cast<std::size_t>(segment.face)].name + ":" + segment.text + "|";
  EXPECT_EQ(by_face,
            "serif-bold:Anna|serif-bold: |cjk-bold:王|cjk-bold:小|cjk-bold:明|cjk-bold: |serif-bold:Ли|serif-bold: |"
            "korean-bold:김|korean-bold:민|korean-bold:준|")
      << "a bold field falls back to bold faces";
}

TEST(TextLayout, RefusesWhatNoFontCanDraw) {
  Template loaded = testing::load_demo("swim-level");
  const TemplateSpec& spec = loaded.spec();
  for (const char* text : {"தமிழ்", "Emoji 😀"}) {
    auto segments = segment_text(text, spec.fields[2], spec.fallback_fonts, *loaded.assets().fonts);
    ASSERT_FALSE(segments) << text;
    EXPECT_NE(segments.error().message().find("no font of the template can draw U+"), std::string::npos);
  }
}

TEST(Bidi, LevelsFollowTheParagraphsFirstStrongCharacter) {
  EXPECT_EQ(embedding_levels(U"Ann \u05E9\u05E8\u05D4"), (std::vector<int>{0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(embedding_levels(U"\u05E9\u05E8 12"), (std::vector<int>{1, 1, 1, 2, 2}));
}

TEST(Bidi, VisualOrderReversesRunsFromTheHighestLevelDown) {
  EXPECT_EQ(visual_order({0, 1, 1, 0}), (std::vector<std::size_t>{0, 2, 1, 3}));
  EXPECT_EQ(visual_order({1, 2, 2, 1}), (std::vector<std::size_t>{3, 1, 2, 0}));
  EXPECT_EQ(visual_order({0, 0}), (std::vector<std::size_t>{0, 1}));
}

// What a reader following the glyphs left to right gets: the glyphs'
// texts, a right-to-left run's read from its right end.
std::u32string read_back(const Layout& layout) {
  std::u32string text;
  for (const LaidOutLine& line : layout.lines) {
    for (const Segment& run : line.runs) {
      std::u32string piece;
      for (const ShapedGlyph& glyph : run.glyphs) piece += glyph.text;
      if (run.level % 2 == 1) {
        piece.clear();
        for (auto glyph = run.glyphs.rbegin(); glyph != run.glyphs.rend(); ++glyph) piece += glyph->text;
      }
      text += piece;
    }
  }
  return text;
}

class Shaping : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_template = new Template(testing::load_demo("first-aid")); }
  static void TearDownTestSuite() { delete s_template; }

  Layout layout(const std::string& text) {
    const TemplateSpec& spec = s_template->spec();
    auto segments = segment_text(text, spec.fields[2], spec.fallback_fonts, *s_template->assets().fonts);
    EXPECT_TRUE(segments) << segments.error().to_string();
    auto laid_out = fit_lines(*segments, spec.fields[2]);
    EXPECT_TRUE(laid_out) << laid_out.error().to_string();
    return *laid_out;
  }

  static Template* s_template;
};

Template* Shaping::s_template = nullptr;

std::u32string u32(const std::string& utf8) {
  auto code_points = decode_utf8(utf8);
  return std::u32string(code_points->begin(), code_points->end());
}

TEST_F(Shaping, ArabicJoinsAndComesOutRightToLeftWithEveryCharacterOnce) {
  Layout laid_out = layout("محمد لاله");
  ASSERT_EQ(laid_out.lines.size(), 1u);
  ASSERT_EQ(laid_out.lines[0].runs.size(), 1u) << "one face, one level";
  const Segment& run = laid_out.lines[0].runs[0];
  EXPECT_EQ(run.level, 1);
  // Joined: the letters are drawn with the private codes of their
  // contextual forms, and lam-alef is one glyph for two characters.
  EXPECT_GE(run.glyphs.front().code, 0xE000u);
  EXPECT_TRUE(std::any_of(run.glyphs.begin(), run.glyphs.end(),
                          [](const ShapedGlyph& glyph) { return glyph.text == U"\u0644\u0627"; }));
  EXPECT_EQ(read_back(laid_out), u32("محمد لاله"));
}

TEST_F(Shaping, DevanagariConjunctsAndMatrasReadBackInOrder) {
  Layout laid_out = layout("क्षितिज शर्मा");
  EXPECT_EQ(read_back(laid_out), u32("क्षितिज शर्मा"));
  const auto& glyphs = laid_out.lines[0].runs[0].glyphs;
  EXPECT_TRUE(std::any_of(glyphs.begin(), glyphs.end(), [](const ShapedGlyph& glyph) { return glyph.text.size() > 1; }))
      << "क्ष is one conjunct glyph";
  EXPECT_NE(glyphs.front().code, U'क') << "the i-matra stands before the consonant";
}

TEST_F(Shaping, ThaiMarksArePlacedOnTheirBase) {
  Layout laid_out = layout("น้ำใจ");
  EXPECT_EQ(read_back(laid_out), u32("น้ำใจ"));
  const auto& glyphs = laid_out.lines[0].runs[0].glyphs;
  ASSERT_GE(glyphs.size(), 4u);
  EXPECT_EQ(glyphs[1].advance, 0) << "the tone mark takes no room of its own";
}

TEST_F(Shaping, MixedLinesKeepLogicalOrderWithinEachDirection) {
  Layout laid_out = layout("Dr שרה לוי");
  ASSERT_EQ(laid_out.lines.size(), 1u);
  std::string by_run;
  for (const Segment& run : laid_out.lines[0].runs) by_run += std::to_string(run.level) + ":" + run.text + "|";
  EXPECT_EQ(by_run, "0:Dr |1:שרה לוי|");
}

TEST_F(Shaping, ALongSpanishNamePrintsWhole) {
  Layout laid_out = layout("María de los Ángeles Fernández-Castellanos Ruiz");
  EXPECT_EQ(read_back(laid_out), u32("María de los Ángeles Fernández-Castellanos Ruiz"));
  EXPECT_GE(laid_out.size, s_template->spec().fields[2].min_size);
}

TEST_F(Shaping, ANameTooLongForOneLineTakesTwoCentredLines) {
  std::string name = "María de los Ángeles Fernández-Castellanos Ruiz de la Santísima Trinidad";
  Layout laid_out = layout(name);
  ASSERT_EQ(laid_out.lines.size(), 2u);
  auto without_spaces = [](std::u32string text) {
    text.erase(std::remove(text.begin(), text.end(), U' '), text.end());
    return text;
  };
  EXPECT_EQ(without_spaces(read_back(laid_out)), without_spaces(u32(name)));
  const TextField& field = s_template->spec().fields[2];
  for (const LaidOutLine& line : laid_out.lines) EXPECT_LE(line.width, field.max_width);
  EXPECT_LT(std::abs(laid_out.lines[0].width - laid_out.lines[1].width), field.max_width / 3) << "balanced";
  EXPECT_GT(laid_out.raise, 0) << "the two lines stay centred where the one line was";
}

}  // namespace
}  // namespace certd::render
