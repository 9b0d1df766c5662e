#pragma once
// The /ToUnicode CMap of a font whose 2-byte codes are Unicode BMP code
// points (libharu's UTF-8 encoder: Identity-H, CID = code point). Internal
// to render/; pure.
//
// Why: libharu 2.3.0 reuses its encoding CMap (begincidrange) as the
// ToUnicode stream; a ToUnicode CMap must use bfchar/bfrange, so poppler
// warns and copy-paste depends on each reader's leniency
// (pdf_document.cpp replaces it with this one).

#include <map>
#include <set>
#include <string>

namespace certd::render {

// A standard ToUnicode CMap (/Adobe-Identity-UCS, codespace <0000>-<FFFF>)
// mapping each of `code_points` to itself as UTF-16BE. Runs of consecutive
// code points become bfrange entries (never crossing a change of the high
// byte), single ones bfchar entries, at most 100 entries per block. Code
// points that cannot be a 2-byte code or a lone UTF-16 unit are left out:
// surrogates (U+D800-U+DFFF) and anything above U+FFFF.
//
// `texts`: codes that stand for other characters than themselves (the
// private-use codes of shaped glyphs, shaping.hpp): each of these that is
// in `code_points` maps to its text as UTF-16BE (one or more characters
// for a ligature, in logical order; none for the second glyph of one
// character, written `<>`), as a bfchar entry.
std::string to_unicode_cmap(const std::set<char32_t>& code_points,
                            const std::map<char32_t, std::u32string>& texts = {});

}  // namespace certd::render
