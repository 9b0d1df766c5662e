#pragma once
// A template's fonts, prepared once at load for every later render.
//
// libharu 2.3.0 re-parses each TrueType font for every document and maps
// all 65,536 code points through the font's cmap segments; a full DejaVu
// face costs ~5 ms per document that way (LIBRARIES.md §9). So each face
// is cut (HarfBuzz hb-subset) to the scripts a school needs plus the
// template's own literal text; that cut file has a handful of cmap
// segments. The face is also written whole (its BMP glyphs, as a plain
// TTF even when it came from a .ttc), for the rare name the cut lacks.
// A document embeds one of the two per face, never both (they share a
// PostScript name), and every string is checked against the coverage of
// the file actually embedded: a cut never drops a glyph silently.
//
// Internal to render/. Immutable after prepare(); thread-safe to read.

#include <bitset>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "render/template.hpp"

namespace certd::render {

using Coverage = std::bitset<0x10000>;  // libharu's UTF-8 encoder covers the BMP only

struct PreparedFace {
  std::string cut_file;
  std::string full_file;  // equals cut_file when the cut loses nothing
  Coverage cut_coverage;
  Coverage full_coverage;
  unsigned full_glyphs = 0;
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

// The ranges every face is cut to (besides the template's literal text):
// Latin with its extensions, Greek, Cyrillic, punctuation and currency.
const std::vector<std::pair<char32_t, char32_t>>& school_ranges();

}  // namespace certd::render
