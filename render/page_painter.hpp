#pragma once
// Draws one certificate page into a PdfDocument: background, pictures,
// text fields (shaped, shrunk and wrapped; each glyph placed where
// HarfBuzz put it), the QR code and, for previews, the PREVIEW stamp.
// Internal to render/. Not thread-safe: one painter per document.

#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "render/pdf_document.hpp"
#include "render/qr.hpp"
#include "render/template.hpp"
#include "render/text_layout.hpp"

namespace certd::render {

struct FieldPlan {
  const TextField* field = nullptr;
  std::vector<Segment> segments;  // fonts chosen, shaped
};

enum class Stamp { none, preview };

class PagePainter {
 public:
  PagePainter(PdfDocument& document, const Template& certificate_template);

  Status paint(std::vector<FieldPlan>& plans, const QrMatrix& qr, Stamp stamp);

 private:
  void choose_font_files(const std::vector<FieldPlan>& plans);
  Result<HPDF_Font> font(int face);
  Status draw_background();
  Status draw_images();
  Status draw_field(FieldPlan& plan);
  Status draw_stamp();
  Status draw_run(const Segment& run, double x, double baseline, double size);
  Status note_text(int face, const ShapedGlyph& glyph);

  PdfDocument& m_document;
  const Template& m_template;
  HPDF_Page m_page = nullptr;
  std::vector<std::size_t> m_cut;  // per face: the cut this document embeds
  std::vector<std::map<char32_t, std::u32string>> m_texts;  // per face: what its drawn codes stand for
};

}  // namespace certd::render
