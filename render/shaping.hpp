#pragma once
// One font face as HarfBuzz shapes it, and the codes libharu draws its
// glyphs with. Internal to render/; pure after open (reads the font file
// once, at template load).
//
// libharu draws by character code, through the embedded font's cmap; it
// knows no glyph ids. A shaped glyph that is the very glyph of one of its
// characters is drawn with that character's code. Every other glyph
// (Arabic joining forms, ligatures, Devanagari conjuncts and half forms,
// the two glyphs of Thai SARA AM) is drawn with a private-use code
// (U+E000-U+F8FF) that the cut fonts' cmap maps to it (font_set.cpp), and
// carries the characters it stands for, so the PDF's ToUnicode map can
// give them back (to_unicode_cmap.hpp).
//
// Immutable after open(); shape() is thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace certd::render {

struct ShapedGlyph {
  char32_t code = 0;    // what is drawn: a character or a private-use code
  std::u32string text;  // the characters it stands for, logical order; may be empty (a second glyph of one character)
  double advance = 0;   // in 1/1000 of the font size, as HarfBuzz positions it
  double x_offset = 0;
  double y_offset = 0;
};

class ShapingFace {
 public:
  // invalid_argument when the file cannot be read as a font.
  static Result<std::unique_ptr<ShapingFace>> open(const std::string& file, int index);
  ~ShapingFace();
  ShapingFace(const ShapingFace&) = delete;
  ShapingFace& operator=(const ShapingFace&) = delete;

  // `text` in logical order, one direction and script; glyphs in visual
  // order (left to right). invalid_argument when the face has no glyph for
  // a character, or a glyph has no code to be drawn with.
  Result<std::vector<ShapedGlyph>> shape(const std::u32string& text, bool right_to_left) const;

  // (private-use code, glyph id) of every glyph given one, by code.
  const std::vector<std::pair<char32_t, std::uint16_t>>& private_codes() const;

  // Keeps only the first `count` private codes (the glyphs no character
  // reaches come first); for faces whose cmap cannot hold them all. Only
  // while preparing, before the face is shared.
  void keep_private_codes(std::size_t count);

 private:
  struct Impl;
  explicit ShapingFace(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// Unicode script of a character as an ISO 15924 tag (HarfBuzz's); Common
// and Inherited characters answer 0, they take their neighbours' script.
std::uint32_t script_of(char32_t code);

// A combining mark (general category Mn, Mc or Me), or a joiner: it stays
// with the character before it.
bool clings_to_previous(char32_t code);

}  // namespace certd::render
