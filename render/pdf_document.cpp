#include "render/pdf_document.hpp"

#include <cstdio>

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

}  // namespace

Result<PdfDocument> PdfDocument::create() {
  PdfDocument document;
  document.m_doc = HPDF_New(on_error, document.m_error.get());
  if (!document.m_doc) return Error(ErrorCode::internal, "libharu cannot create a document (out of memory)");
  // Without compression a certificate is megabytes (docs/libraries.md §1).
  HPDF_SetCompressionMode(document.m_doc, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(document.m_doc);
  HPDF_SetCurrentEncoder(document.m_doc, "UTF-8");
  CERTD_TRY(document.check("setting up the PDF document"));
  return document;
}

PdfDocument::PdfDocument(PdfDocument&& other) noexcept
    : m_doc(other.m_doc), m_error(std::move(other.m_error)), m_fonts(std::move(other.m_fonts)) {
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

Result<std::string> PdfDocument::save() {
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
