#pragma once
// Stream data one reader of a PDF has decoded already, for the next
// reader of the same parse: when signing, the glyph check decodes each
// embedded font program, CIDToGIDMap and ToUnicode map, and the page
// digest then hashes those bytes instead of inflating them a second time
// (docs/libraries.md §9). Internal to render/. Not thread-safe: one per
// certificate being signed.

#include <map>
#include <string>
#include <utility>

namespace certd::render {

// (object number, generation) -> the stream's data decoded as
// qpdf_dl_generalized decodes it (qpdf's QPDFObjGen, which this header
// does not include).
using DecodedStreams = std::map<std::pair<int, int>, std::string>;

}  // namespace certd::render
