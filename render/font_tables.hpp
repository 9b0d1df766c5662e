#pragma once
// A TrueType font as its tables, and the one table we write whole: `name`.
// Internal to render/; pure (bytes in, bytes out).
//
// Why: every cut of a face must carry a PostScript name of its own.
// libharu 2.3.0 identifies a loaded font by that name alone: loading a
// second file with a name it has seen returns the first font, whose cut
// may lack the glyphs asked for, and the text is drawn blank without an
// error (two template fonts naming one TTF file did exactly that).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace certd::render {

// tag -> table bytes, viewed where they lie (the font file, a HarfBuzz
// blob, a table built by the caller), which must outlive the map: a face
// is copied once, into the file written, not once more per table.
using FontTables = std::map<std::uint32_t, std::string_view>;

// The tables of a plain TrueType file (not a collection), viewing `font`;
// nullopt when it is not one or its directory points outside the file.
std::optional<FontTables> read_font_tables(const std::string& font);

// A TrueType file of `tables` (directory sorted by tag, checksums set).
std::string write_font_file(const FontTables& tables);

// A `name` table with the family, subfamily, full and PostScript names
// as Windows Unicode (3, 1, en-US) records, which is what libharu reads.
std::string name_table(const std::string& family, const std::string& subfamily, const std::string& postscript);

}  // namespace certd::render
