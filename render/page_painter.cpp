#include "render/page_painter.hpp"

#include <cmath>

#include "render/prepared_assets.hpp"
#include "render/utf8.hpp"

namespace certd::render {
namespace {

constexpr const char* k_stamp_text = "PREVIEW";
constexpr HPDF_REAL k_mark_spacing = 0.01f;  // points

Result<HPDF_Image> load_image(HPDF_Doc doc, const LoadedImage& image) {
  const auto* bytes = reinterpret_cast<const HPDF_BYTE*>(image.bytes.data());
  auto size = static_cast<HPDF_UINT>(image.bytes.size());
  // JPEG passes through untouched (DCTDecode); PNG is decoded and deflated.
  HPDF_Image loaded = image.info.kind == ImageKind::jpeg ? HPDF_LoadJpegImageFromMem(doc, bytes, size)
                                                         : HPDF_LoadPngImageFromMem(doc, bytes, size);
  if (!loaded) return Error(ErrorCode::internal, "libharu cannot read a template picture");
  return loaded;
}

double line_left(const TextField& field, double width) {
  switch (field.align) {
    case Align::left: return field.x;
    case Align::right: return field.x - width;
    case Align::center: return field.x - width / 2;
  }
  return field.x;
}

}  // namespace

PagePainter::PagePainter(PdfDocument& document, const Template& certificate_template)
    : m_document(document), m_template(certificate_template) {}

Status PagePainter::paint(std::vector<FieldPlan>& plans, const QrMatrix& qr, Stamp stamp) {
  const TemplateSpec& spec = m_template.spec();
  choose_font_files(plans);
  m_page = HPDF_AddPage(m_document.doc());
  HPDF_Page_SetSize(m_page, spec.page_size == PageSize::a4 ? HPDF_PAGE_SIZE_A4 : HPDF_PAGE_SIZE_LETTER,
                    spec.orientation == Orientation::landscape ? HPDF_PAGE_LANDSCAPE : HPDF_PAGE_PORTRAIT);
  CERTD_TRY(m_document.check("adding the page"));
  CERTD_TRY(draw_background());
  CERTD_TRY(draw_images());
  for (FieldPlan& plan : plans) CERTD_TRY(draw_field(plan));
  draw_qr(m_page, qr, spec.qr, spec.page_height - spec.qr.y - spec.qr.size);
  CERTD_TRY(m_document.check("drawing the QR code"));
  if (stamp == Stamp::preview) CERTD_TRY(draw_stamp());
  return ok();
}

// Per face, the smallest cut with every code this document draws in that
// face (font_set.hpp); one cut per face, never two.
void PagePainter::choose_font_files(const std::vector<FieldPlan>& plans) {
  const PreparedFonts& fonts = *m_template.assets().fonts;
  std::vector<Coverage> needed(fonts.size());
  for (const FieldPlan& plan : plans)
    for (const Segment& segment : plan.segments)
      for (const ShapedGlyph& glyph : segment.glyphs)
        if (glyph.code < 0x10000) needed[static_cast<std::size_t>(segment.face)].set(glyph.code);
  for (char c : std::string(k_stamp_text)) needed[static_cast<std::size_t>(m_template.spec().fields.front().font)].set(
      static_cast<unsigned char>(c));
  m_cut.assign(fonts.size(), 0);
  m_texts.assign(fonts.size(), {});
  for (std::size_t face = 0; face < fonts.size(); ++face) {
    const auto& cuts = fonts.face(static_cast<int>(face)).cuts;
    while (m_cut[face] + 1 < cuts.size() && (needed[face] & ~cuts[m_cut[face]].coverage).any()) ++m_cut[face];
  }
}

Result<HPDF_Font> PagePainter::font(int face) {
  const PreparedFace& prepared = m_template.assets().fonts->face(face);
  return m_document.font(prepared.cuts[m_cut[static_cast<std::size_t>(face)]].file);
}

Status PagePainter::draw_background() {
  const auto& background = m_template.assets().background;
  if (!background) return ok();
  CERTD_ASSIGN_OR_RETURN(HPDF_Image image, load_image(m_document.doc(), *background));
  const TemplateSpec& spec = m_template.spec();
  HPDF_Page_DrawImage(m_page, image, 0, 0, static_cast<HPDF_REAL>(spec.page_width),
                      static_cast<HPDF_REAL>(spec.page_height));
  return m_document.check("drawing the background");
}

// Each picture is fitted into its box, keeping its proportions, centred.
Status PagePainter::draw_images() {
  const TemplateSpec& spec = m_template.spec();
  for (std::size_t i = 0; i < spec.images.size(); ++i) {
    const ImagePlacement& box = spec.images[i];
    const LoadedImage& picture = m_template.assets().images[i];
    CERTD_ASSIGN_OR_RETURN(HPDF_Image image, load_image(m_document.doc(), picture));
    double scale = std::min(box.width / picture.info.width, box.height / picture.info.height);
    double width = picture.info.width * scale;
    double height = picture.info.height * scale;
    double left = box.x + (box.width - width) / 2;
    double bottom = spec.page_height - box.y - box.height + (box.height - height) / 2;
    HPDF_Page_DrawImage(m_page, image, static_cast<HPDF_REAL>(left), static_cast<HPDF_REAL>(bottom),
                        static_cast<HPDF_REAL>(width), static_cast<HPDF_REAL>(height));
    CERTD_TRY(m_document.check("drawing " + box.file));
  }
  return ok();
}

// A code stands for one text in a document: its font's ToUnicode entry.
Status PagePainter::note_text(int face, const ShapedGlyph& glyph) {
  if (glyph.text.size() == 1 && glyph.text[0] == glyph.code) return ok();
  auto& texts = m_texts[static_cast<std::size_t>(face)];
  auto [at, added] = texts.emplace(glyph.code, glyph.text);
  if (!added && at->second != glyph.text)
    return Error(ErrorCode::invalid_argument, "one glyph of " + m_template.spec().fonts[static_cast<std::size_t>(face)].name +
                                                  " stands for two different texts on this certificate");
  return ok();
}

// Each glyph where HarfBuzz placed it (offsets move marks onto their
// base); libharu's own advance is not used. A face marked synthetic_bold
// is filled and stroked with a line of 3% of the size.
Status PagePainter::draw_run(const Segment& run, double x, double baseline, double size) {
  CERTD_ASSIGN_OR_RETURN(HPDF_Font handle, font(run.face));
  HPDF_Page_SetFontAndSize(m_page, handle, static_cast<HPDF_REAL>(size));
  bool bold = m_template.spec().fonts[static_cast<std::size_t>(run.face)].synthetic_bold;
  HPDF_Page_SetTextRenderingMode(m_page, bold ? HPDF_FILL_THEN_STROKE : HPDF_FILL);
  std::string code;
  for (const ShapedGlyph& glyph : run.glyphs) {
    CERTD_TRY(note_text(run.face, glyph));
    code.clear();
    append_utf8(code, glyph.code);
    // libharu shows nothing of a text whose width is zero (a mark's); a
    // little character spacing makes it show.
    bool zero_width = HPDF_Page_TextWidth(m_page, code.c_str()) == 0;
    if (zero_width) HPDF_Page_SetCharSpace(m_page, k_mark_spacing);
    HPDF_Page_TextOut(m_page, static_cast<HPDF_REAL>(x + glyph.x_offset * size / 1000),
                      static_cast<HPDF_REAL>(baseline + glyph.y_offset * size / 1000), code.c_str());
    if (zero_width) HPDF_Page_SetCharSpace(m_page, 0);
    x += glyph.advance * size / 1000;
  }
  if (!m_texts[static_cast<std::size_t>(run.face)].empty())
    m_document.set_code_texts(handle, m_texts[static_cast<std::size_t>(run.face)]);
  return ok();
}

Status PagePainter::draw_field(FieldPlan& plan) {
  const TextField& field = *plan.field;
  CERTD_ASSIGN_OR_RETURN(Layout layout, fit_lines(plan.segments, field));
  const double page_height = m_template.spec().page_height;
  HPDF_Page_BeginText(m_page);
  HPDF_Page_SetRGBFill(m_page, static_cast<HPDF_REAL>(field.color.red), static_cast<HPDF_REAL>(field.color.green),
                       static_cast<HPDF_REAL>(field.color.blue));
  HPDF_Page_SetRGBStroke(m_page, static_cast<HPDF_REAL>(field.color.red), static_cast<HPDF_REAL>(field.color.green),
                         static_cast<HPDF_REAL>(field.color.blue));
  HPDF_Page_SetLineWidth(m_page, static_cast<HPDF_REAL>(layout.size * 0.03));
  for (std::size_t i = 0; i < layout.lines.size(); ++i) {
    const LaidOutLine& line = layout.lines[i];
    double x = line_left(field, line.width);
    double baseline =
        page_height - field.y + layout.raise - static_cast<double>(i) * layout.size * field.line_height;
    for (const Segment& run : line.runs) {
      CERTD_TRY(draw_run(run, x, baseline, layout.size));
      x += run.units * layout.size / 1000;
    }
  }
  HPDF_Page_SetTextRenderingMode(m_page, HPDF_FILL);
  HPDF_Page_EndText(m_page);
  return m_document.check("drawing field '" + field.name + "'");
}

// Where the stamp's baseline starts and which way it runs: along the
// page's diagonal, its middle on the page's centre.
struct StampGeometry {
  double size, x, y, cos, sin;
};

StampGeometry stamp_geometry(const TemplateSpec& spec, double units) {
  const double angle = std::atan2(spec.page_height, spec.page_width);
  const double diagonal = std::hypot(spec.page_width, spec.page_height);
  const double size = std::min(0.6 * diagonal * 1000 / std::max(units, 1.0), spec.page_height / 3);
  const double width = units * size / 1000;
  const double c = std::cos(angle), s = std::sin(angle);
  // Half the width back along the diagonal, a third of the size down.
  return StampGeometry{size, spec.page_width / 2 - c * width / 2 + s * size * 0.35,
                       spec.page_height / 2 - s * width / 2 - c * size * 0.35, c, s};
}

// A large, light, diagonal word across the page, over everything.
Status PagePainter::draw_stamp() {
  const TemplateSpec& spec = m_template.spec();
  TextField stamp_field;
  stamp_field.font = spec.fields.front().font;
  stamp_field.name = "preview stamp";
  CERTD_ASSIGN_OR_RETURN(std::vector<Segment> segments, segment_text(k_stamp_text, stamp_field, spec.fallback_fonts,
                                                                     *m_template.assets().fonts));
  double units = 0;
  for (const Segment& segment : segments) units += segment.units;
  StampGeometry at = stamp_geometry(spec, units);
  HPDF_ExtGState translucent = HPDF_CreateExtGState(m_document.doc());
  HPDF_ExtGState_SetAlphaFill(translucent, 0.28f);
  HPDF_Page_GSave(m_page);
  HPDF_Page_SetExtGState(m_page, translucent);
  HPDF_Page_SetRGBFill(m_page, 0.85f, 0.1f, 0.1f);
  HPDF_Page_BeginText(m_page);
  for (const Segment& segment : segments) {
    CERTD_ASSIGN_OR_RETURN(HPDF_Font handle, font(segment.face));
    HPDF_Page_SetFontAndSize(m_page, handle, static_cast<HPDF_REAL>(at.size));
    HPDF_Page_SetTextMatrix(m_page, static_cast<HPDF_REAL>(at.cos), static_cast<HPDF_REAL>(at.sin),
                            static_cast<HPDF_REAL>(-at.sin), static_cast<HPDF_REAL>(at.cos),
                            static_cast<HPDF_REAL>(at.x), static_cast<HPDF_REAL>(at.y));
    HPDF_Page_ShowText(m_page, segment.text.c_str());
    at.x += at.cos * segment.units * at.size / 1000;
    at.y += at.sin * segment.units * at.size / 1000;
  }
  HPDF_Page_EndText(m_page);
  HPDF_Page_GRestore(m_page);
  return m_document.check("drawing the PREVIEW stamp");
}

}  // namespace certd::render
