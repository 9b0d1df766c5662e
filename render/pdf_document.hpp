#pragma once
// One libharu document being written: the C handle, its error handler and
// the fonts loaded into it. Internal to render/ (the only place that sees
// hpdf.h). Not thread-safe: one PdfDocument per render, per thread;
// nothing here is ever shared between documents (docs/libraries.md §1).

#include <hpdf.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace certd::render {

class PdfDocument {
 public:
  // Who compresses the page contents, fonts and ToUnicode maps: libharu
  // as it writes (a preview, saved as drawn), or the signer's qpdf writer
  // (signed_pdf.hpp). The signer reads those streams back; raw, they need
  // no inflating there, and they are deflated once, as the file is written.
  // Pictures are always compressed by libharu.
  enum class Compression { by_libharu, by_signer };

  // A document with the UTF-8 encoder current.
  static Result<PdfDocument> create(Compression compression);
  PdfDocument(PdfDocument&& other) noexcept;
  PdfDocument& operator=(PdfDocument&&) = delete;
  ~PdfDocument();

  HPDF_Doc doc() const { return m_doc; }

  // The error libharu reported since the last call, if any, as an Error
  // naming `what`; clears it. Callers check after each step.
  Status check(const std::string& what);

  // Loads the TrueType file once per document (embedded) and returns it.
  Result<HPDF_Font> font(const std::string& file);

  // Adds a key of our own to the document information dictionary.
  Status add_info_string(const char* key, const std::string& value);

  // What codes drawn with `font` stand for where that is not the code
  // itself (shaped glyphs, shaping.hpp); replaces what was set before.
  void set_code_texts(HPDF_Font font, std::map<char32_t, std::u32string> texts) { m_code_texts[font] = std::move(texts); }

  // Writes the document. Each loaded font's /ToUnicode stream and
  // /CIDToGIDMap are first rewritten to map exactly the codes the pages
  // show with it (see to_unicode_cmap.hpp and write_font_maps for why).
  Result<std::string> save();

  // Record of libharu's last error; filled in by the C error handler,
  // which must never throw or jump (docs/style.md §3).
  struct ErrorRecord {
    HPDF_STATUS code = 0;
    HPDF_STATUS detail = 0;
  };

 private:
  PdfDocument() = default;
  Status write_font_maps();

  HPDF_Doc m_doc = nullptr;
  std::unique_ptr<ErrorRecord> m_error = std::make_unique<ErrorRecord>();
  std::vector<std::pair<std::string, HPDF_Font>> m_fonts;
  std::map<HPDF_Font, std::map<char32_t, std::u32string>> m_code_texts;
};

}  // namespace certd::render
