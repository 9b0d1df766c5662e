#pragma once
// A template's fonts, prepared once at load for every later render.
//
// libharu 2.3.0 re-parses each TrueType font for every document and maps
// all 65,536 code points through the font's cmap segments; a full DejaVu
// face costs ~5 ms per document that way (docs/libraries.md §9), and the work
// grows with the glyph count. So each face is cut (HarfBuzz hb-subset)
// three ways, each with the template's own literal text:
//   1. Latin: the letters of most names in Western and Central Europe;
//   2. school scripts: + Latin Extended-B and Additional, Greek, Cyrillic;
//   3. the whole face (its BMP glyphs, as a plain TTF even from a .ttc).
// A document embeds, per face, the smallest cut that has every character
// it draws with that face; never two cuts of one face (they share a
// PostScript name). Coverage is read back from each written file, so the
// check is against what is embedded: a cut never drops a glyph silently.
//
// Every cut also maps private-use codes to the glyphs only shaping reaches
// (shaping.hpp), and carries a PostScript name of its own, the face's name
// plus "_f<number>", so that libharu never takes one cut for another
// (font_tables.hpp).
//
// Internal to render/. Immutable after prepare(); thread-safe to read.

#include <bitset>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "render/shaping.hpp"
#include "render/template.hpp"

namespace certd::render {

using Coverage = std::bitset<0x10000>;  // libharu's UTF-8 encoder covers the BMP only

struct FontCut {
  std::string file;
  Coverage coverage;
};

struct PreparedFace {
  std::vector<FontCut> cuts;  // smallest first, each covering more codes; the last is the whole face
  unsigned full_glyphs = 0;
  Coverage characters;        // the characters the face itself maps (no private-use codes of ours)
  std::unique_ptr<ShapingFace> shaping;
  bool own_fallbacks = false;  // the face's own fallback list replaces the template's
  std::vector<int> fallbacks;

  const Coverage& full_coverage() const { return cuts.back().coverage; }
};

class PreparedFonts {
 public:
  // Checks and cuts every face of `spec`; errors carry the face's location.
  static Result<std::unique_ptr<PreparedFonts>> prepare(const TemplateSpec& spec, const std::string& scratch_dir,
                                                        std::vector<Error>& errors);
  ~PreparedFonts();
  PreparedFonts(const PreparedFonts&) = delete;
  PreparedFonts& operator=(const PreparedFonts&) = delete;

  const PreparedFace& face(int index) const { return m_faces[static_cast<std::size_t>(index)]; }
  std::size_t size() const { return m_faces.size(); }

 private:
  explicit PreparedFonts(std::string directory) : m_directory(std::move(directory)) {}

  std::string m_directory;  // private scratch folder, removed on destruction
  std::vector<PreparedFace> m_faces;
};

using Ranges = std::vector<std::pair<char32_t, char32_t>>;

// Cut 1: Basic Latin, Latin-1, Latin Extended-A, punctuation, currency.
const Ranges& latin_ranges();
// Added for cut 2: Latin Extended-B and Additional, Greek, Cyrillic.
const Ranges& school_ranges();

}  // namespace certd::render
