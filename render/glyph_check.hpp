#pragma once
// "Every name prints, or nothing is issued": before a certificate is
// signed, the finished PDF is read back (qpdf) and every character of
// every text field must have been drawn with a real glyph of an embedded
// font. It relies only on what the PDF says, whatever the drawing code
// did: the content streams' text operators and their fonts (Tf), each
// shown code -> CID -> GID (Identity-H, /CIDToGIDMap), the glyph in the
// embedded TrueType program (not .notdef, within maxp's count, a
// non-empty outline in loca/glyf unless the character is a space), and
// the characters each glyph stands for (/ToUnicode). The characters drawn
// are then compared with the field texts as multisets of code points
// (draw order differs for right-to-left text; a ligature is one glyph for
// several characters), whitespace left out. Internal to render/; pure.
// Thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "render/decoded_streams.hpp"

class QPDF;  // qpdf/QPDF.hh, included only by the .cpp files that read PDFs

namespace certd::render {

struct FieldText {
  std::string field;  // the field's name for messages
  std::string text;   // UTF-8, as the renderer meant to draw it
};

// Errors: invalid_argument naming the field and the characters that are
// missing, drawn with no glyph (.notdef), with a glyph the font lacks or
// with an empty outline; internal when the PDF cannot be read back.
Status check_glyphs(std::string_view pdf, const std::vector<FieldText>& fields);
// The same on a PDF qpdf has read already (the renderer reads it once to
// check and to sign it). When `decoded` is given, the streams the check
// decodes (font programs, CIDToGIDMap, ToUnicode) are left in it for the
// page digest of the same parse.
Status check_glyphs(QPDF& pdf, const std::vector<FieldText>& fields, DecodedStreams* decoded = nullptr);

}  // namespace certd::render
