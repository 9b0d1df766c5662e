#pragma once
// Text of one field -> lines of font runs. Internal to render/; pure.
//
// 1. segment_text picks a face for every character: the field's own font
//    if it has the glyph, else the template's fallback fonts in order. A
//    character no face has is an error, never a tofu box.
// 2. fit_lines shrinks the size (down to min_size) and wraps words (for
//    max_lines > 1) until every line fits max_width.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "render/font_set.hpp"

namespace certd::render {

struct Segment {
  int face = 0;
  std::string text;          // UTF-8
  bool space = false;        // a single U+0020
  bool break_before = true;  // a line may start here
  double units = 0;          // advance width in 1/1000 of the font size, set by the caller
};

// Requires: `text` is valid UTF-8 (decode_utf8 succeeded).
Result<std::vector<Segment>> segment_text(std::string_view text, const TextField& field,
                                          const std::vector<int>& fallback_fonts, const PreparedFonts& fonts);

struct LaidOutLine {
  std::vector<Segment> runs;  // adjacent runs of one face merged
  double width = 0;           // points at `size`
};

struct Layout {
  double size = 0;
  std::vector<LaidOutLine> lines;
};

// The largest size from field.size down to field.min_size (in half
// points) at which the segments fit; invalid_argument when none does.
Result<Layout> fit_lines(const std::vector<Segment>& segments, const TextField& field);

}  // namespace certd::render
