#pragma once
// Rewrites a TrueType font's cmap as one (3,1) format-4 subtable with as
// few segments as possible. Internal to render/.
//
// Why: for every document libharu 2.3.0 looks up all 65,536 code points
// by scanning the cmap's segments one by one (HPDF_TTFontDef_GetGlyphid);
// the cost is 65,536 x segments per font per document. A cut font from
// hb-subset has one segment per run of covered code points (16-60 for a
// school's scripts, since Greek and Cyrillic have holes); here runs with
// small holes are merged into one segment whose holes map to glyph 0, so a
// cut font needs 4-6 segments. The glyphs, and what every code point maps
// to, stay exactly the same. PDF viewers never read this table: the PDF's
// CIDToGIDMap says which glyph each character uses.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace certd::render {

// `mapping`: (code point, glyph id) for every BMP code point the font
// maps, sorted by code point. Returns the new font file, or nullopt when
// the font is not a plain TrueType file or the table would not fit the
// format (fonts with tens of thousands of scattered code points).
std::optional<std::string> compact_cmap(const std::string& font, const std::vector<std::pair<char32_t, std::uint16_t>>& mapping);

// The cmap table alone (one (3,1) format-4 subtable), same contract.
std::optional<std::string> cmap_table(const std::vector<std::pair<char32_t, std::uint16_t>>& mapping);

}  // namespace certd::render
