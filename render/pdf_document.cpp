#include "render/pdf_document.hpp"

#include <hpdf_font.h>
#include <hpdf_list.h>
#include <hpdf_streams.h>

#include <cstdio>
#include <map>
#include <set>

#include "render/shown_codes.hpp"
#include "render/to_unicode_cmap.hpp"

namespace certd::render {
namespace {

void on_error(HPDF_STATUS code, HPDF_STATUS detail, void* user_data) {
  auto* record = static_cast<PdfDocument::ErrorRecord*>(user_data);
  if (record->code == 0) *record = PdfDocument::ErrorRecord{code, detail};
}

std::string hex(HPDF_STATUS value) {
  char text[32];
  std::snprintf(text, sizeof text, "0x%04lX", static_cast<unsigned long>(value));
  return text;
}

// A memory stream's bytes (page contents are kept unfiltered until saved).
std::string stream_bytes(HPDF_Stream stream) {
  std::string bytes;
  HPDF_UINT count = HPDF_MemStream_GetBufCount(stream);
  for (HPDF_UINT i = 0; i < count; ++i) {
    HPDF_UINT length = 0;
    HPDF_BYTE* part = HPDF_MemStream_GetBufPtr(stream, i, &length);
    if (part) bytes.append(reinterpret_cast<const char*>(part), length);
  }
  return bytes;
}

// The entries of libharu's encoding CMap that make no sense on a
// ToUnicode stream (the new CMap names itself).
constexpr const char* k_encoding_cmap_keys[] = {"Type", "CMapName", "CIDSystemInfo", "WMode"};

// The CIDToGIDMap entries (2 bytes each, big-endian, CID = code) of the
// codes in `shown`, up to the highest; every other entry is 0.
std::string cid_to_gid_for(const std::string& full, const std::set<char32_t>& shown) {
  if (shown.empty()) return std::string();
  std::string cut(2 * (static_cast<std::size_t>(*shown.rbegin()) + 1), '\0');
  for (char32_t code : shown) {
    std::size_t at = 2 * static_cast<std::size_t>(code);
    if (at + 1 < full.size()) cut.replace(at, 2, full, at, 2);
  }
  return cut;
}

}  // namespace

Result<PdfDocument> PdfDocument::create(Compression compression) {
  PdfDocument document;
  document.m_doc = HPDF_New(on_error, document.m_error.get());
  if (!document.m_doc) return Error(ErrorCode::internal, "libharu cannot create a document (out of memory)");
  // Without compression a certificate is megabytes (docs/libraries.md §1);
  // set before any font is loaded, as libharu fixes a stream's filter
  // when it creates the stream.
  HPDF_SetCompressionMode(document.m_doc, compression == Compression::by_libharu ? HPDF_COMP_ALL : HPDF_COMP_IMAGE);
  HPDF_UseUTFEncodings(document.m_doc);
  HPDF_SetCurrentEncoder(document.m_doc, "UTF-8");
  CERTD_TRY(document.check("setting up the PDF document"));
  return document;
}

PdfDocument::PdfDocument(PdfDocument&& other) noexcept
    : m_doc(other.m_doc),
      m_error(std::move(other.m_error)),
      m_fonts(std::move(other.m_fonts)),
      m_code_texts(std::move(other.m_code_texts)) {
  other.m_doc = nullptr;
}

PdfDocument::~PdfDocument() {
  if (m_doc) HPDF_Free(m_doc);
}

Status PdfDocument::check(const std::string& what) {
  if (m_error->code == 0) return ok();
  ErrorRecord record = *m_error;
  *m_error = ErrorRecord{};
  HPDF_ResetError(m_doc);
  return Error(ErrorCode::internal,
               "libharu failed " + what + " (error " + hex(record.code) + ", detail " + std::to_string(record.detail) + ")");
}

Result<HPDF_Font> PdfDocument::font(const std::string& file) {
  for (const auto& [loaded, font] : m_fonts)
    if (loaded == file) return font;
  const char* name = HPDF_LoadTTFontFromFile(m_doc, file.c_str(), HPDF_TRUE);
  CERTD_TRY(check("loading the font " + file));
  HPDF_Font font = name ? HPDF_GetFont(m_doc, name, "UTF-8") : nullptr;
  CERTD_TRY(check("loading the font " + file));
  if (!font) return Error(ErrorCode::internal, "libharu did not load the font " + file);
  m_fonts.emplace_back(file, font);
  return font;
}

Status PdfDocument::add_info_string(const char* key, const std::string& value) {
  // libharu creates the info dictionary on the first SetInfoAttr; callers
  // set the title first. Strings are written without an encoder: raw bytes.
  if (!m_doc->info) return Error(ErrorCode::internal, "the PDF info dictionary does not exist yet");
  HPDF_String string = HPDF_String_New(m_doc->mmgr, value.c_str(), nullptr);
  if (!string || HPDF_Dict_Add(m_doc->info, key, string) != HPDF_OK) CERTD_TRY(check(std::string("adding ") + key));
  return check(std::string("adding ") + key);
}

// libharu 2.3.0 gives each Type0 font its encoding CMap (begincidrange
// <0000> <FFFF> 0) as /ToUnicode, which readers must reject (poppler warns
// once per font and guesses). The stream object is kept (so nothing stale
// is left and it is compressed like the font) and its content replaced.
//
// It also maps all 65,536 CIDs to glyphs in /CIDToGIDMap: 128 KB per font
// that the signer would deflate and digest, and the verifier inflate, for
// the few dozen codes a certificate shows. The map is cut to those codes
// (the others map to glyph 0, and are never drawn); the glyph check reads
// the cut map, so a code it lost would refuse the certificate.
Status PdfDocument::write_font_maps() {
  std::map<HPDF_Font, std::set<char32_t>> shown;
  for (HPDF_UINT i = 0; i < m_doc->page_list->count; ++i) {
    auto page = static_cast<HPDF_Page>(HPDF_List_ItemAt(m_doc->page_list, i));
    auto* page_attr = static_cast<HPDF_PageAttr>(page->attr);
    // attr->stream is the page's one content stream (we never start a second).
    if (!page_attr->fonts || !page_attr->stream) continue;
    auto codes = shown_codes(stream_bytes(page_attr->stream));
    for (const auto& [file, font] : m_fonts) {
      const char* name = HPDF_Dict_GetKeyByObj(page_attr->fonts, font);
      auto found = name ? codes.find(name) : codes.end();
      if (found != codes.end()) shown[font].insert(found->second.begin(), found->second.end());
    }
  }
  for (const auto& [file, font] : m_fonts) {
    auto* font_attr = static_cast<HPDF_FontAttr>(font->attr);
    HPDF_Dict stream = font_attr->cmap_stream;
    if (font_attr->type != HPDF_FONT_TYPE0_TT || !stream || !stream->stream ||
        HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT) != stream)
      return Error(ErrorCode::internal, "libharu wrote the font " + file + " without its usual ToUnicode stream");
    for (const char* key : k_encoding_cmap_keys) HPDF_Dict_RemoveElement(stream, key);
    HPDF_MemStream_FreeData(stream->stream);
    std::string cmap = to_unicode_cmap(shown[font], m_code_texts[font]);
    HPDF_Stream_Write(stream->stream, reinterpret_cast<const HPDF_BYTE*>(cmap.data()), static_cast<HPDF_UINT>(cmap.size()));
    CERTD_TRY(check("writing the ToUnicode map of " + file));

    HPDF_Dict map = font_attr->descendant_font
                        ? static_cast<HPDF_Dict>(HPDF_Dict_GetItem(font_attr->descendant_font, "CIDToGIDMap", HPDF_OCLASS_DICT))
                        : nullptr;
    if (!map || !map->stream)
      return Error(ErrorCode::internal, "libharu wrote the font " + file + " without its usual CIDToGIDMap");
    std::string cut = cid_to_gid_for(stream_bytes(map->stream), shown[font]);
    HPDF_MemStream_FreeData(map->stream);
    HPDF_Stream_Write(map->stream, reinterpret_cast<const HPDF_BYTE*>(cut.data()), static_cast<HPDF_UINT>(cut.size()));
    CERTD_TRY(check("writing the CIDToGIDMap of " + file));
  }
  return ok();
}

Result<std::string> PdfDocument::save() {
  CERTD_TRY(write_font_maps());
  HPDF_SaveToStream(m_doc);
  CERTD_TRY(check("writing the PDF"));
  HPDF_UINT32 size = HPDF_GetStreamSize(m_doc);
  std::string bytes(size, '\0');
  HPDF_UINT32 read = size;
  HPDF_ReadFromStream(m_doc, reinterpret_cast<HPDF_BYTE*>(bytes.data()), &read);
  // ReadFromStream reports HPDF_STREAM_EOF after the last byte: expected.
  *m_error = ErrorRecord{};
  HPDF_ResetError(m_doc);
  bytes.resize(read);
  if (read != size) return Error(ErrorCode::internal, "libharu returned a short PDF");
  return bytes;
}

}  // namespace certd::render
