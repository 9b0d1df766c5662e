#include "render/text_layout.hpp"

#include <gtest/gtest.h>

#include "render/prepared_assets.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

// Segments with a fixed width per character (600 units), no fonts needed.
std::vector<Segment> fixed_width(const std::vector<std::string>& parts) {
  std::vector<Segment> segments;
  for (const std::string& part : parts) {
    bool space = part == " ";
    segments.push_back(Segment{0, part, space, true, 600.0 * static_cast<double>(part.size())});
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
            "serif-bold:Anna|serif-bold: |cjk:王|cjk:小|cjk:明|cjk: |serif-bold:Ли|serif-bold: |korean:김|korean:민|korean:준|");
}

TEST(TextLayout, RefusesWhatNoFontCanDraw) {
  Template loaded = testing::load_demo("swim-level");
  const TemplateSpec& spec = loaded.spec();
  for (const char* text : {"สมชาย", "Emoji 😀"}) {
    auto segments = segment_text(text, spec.fields[2], spec.fallback_fonts, *loaded.assets().fonts);
    ASSERT_FALSE(segments) << text;
    EXPECT_NE(segments.error().message().find("no font of the template can draw U+"), std::string::npos);
  }
}

}  // namespace
}  // namespace certd::render
