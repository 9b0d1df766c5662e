#pragma once
// Which character codes a page content stream shows, per font resource
// name. Internal to render/; pure.
//
// Why read them back from the content rather than note them while
// drawing: the content stream is what the PDF shows, so the ToUnicode map
// built from it (pdf_document.cpp) is exact and complete whatever code
// draws text, now or later.

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace certd::render {

// Font resource name (without '/') -> the codes shown with that font by
// Tj, TJ, ' and ". Every string is read as 2-byte big-endian codes, as for
// every font PdfDocument loads (Type0, Identity-H); a trailing odd byte is
// ignored. Follows Tf through q/Q; unknown operators are skipped. Content
// that does not parse as PDF yields what was read up to that point.
std::map<std::string, std::set<char32_t>> shown_codes(std::string_view content);

}  // namespace certd::render
