#pragma once
// Text of one field -> lines of shaped font runs. Internal to render/; pure.
//
// 1. segment_text picks a face for every character: the field's own font
//    if it has the glyph, else its font's fallbacks (or the template's) in
//    order; a space or combining mark stays with the face before it. A
//    character no face has is an error, never a tofu box. The text gets
//    its bidi levels (bidi.hpp), is cut where a line may break and where
//    the face, level or script changes, and each piece is shaped
//    (shaping.hpp).
// 2. fit_lines shrinks the size (down to min_size) and wraps words (for
//    max_lines > 1) until every line fits max_width; a one-line field
//    whose text does not fit at min_size takes two balanced lines instead
//    of failing. Each line's runs come out in visual order.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "render/font_set.hpp"
#include "render/shaping.hpp"

namespace certd::render {

struct Segment {
  int face = 0;
  std::string text;          // UTF-8, logical order
  bool space = false;        // a single U+0020
  bool break_before = true;  // a line may start here
  double units = 0;          // advance width in 1/1000 of the font size
  int level = 0;             // bidi embedding level; odd: right to left
  std::vector<ShapedGlyph> glyphs;  // visual order
};

// Requires: `text` is valid UTF-8 (decode_utf8 succeeded).
// `fallback_fonts`: the template's; a face with fallbacks of its own uses those.
Result<std::vector<Segment>> segment_text(std::string_view text, const TextField& field,
                                          const std::vector<int>& fallback_fonts, const PreparedFonts& fonts);

struct LaidOutLine {
  std::vector<Segment> runs;  // visual order; neighbouring runs of one face and level merged
  double width = 0;           // points at `size`
};

struct Layout {
  double size = 0;
  std::vector<LaidOutLine> lines;
  double raise = 0;  // points the first baseline moves up (a one-line field on two lines stays centred)
};

// The largest size from field.size down to field.min_size (in half
// points) at which the segments fit; invalid_argument when none does.
Result<Layout> fit_lines(const std::vector<Segment>& segments, const TextField& field);

}  // namespace certd::render
