#include "render/renderer.hpp"

#include <time.h>

#include "core/time_format.hpp"
#include "render/glyph_check.hpp"
#include "render/page_painter.hpp"
#include "render/payload.hpp"
#include "render/pdf_document.hpp"
#include "render/prepared_assets.hpp"
#include "render/signed_pdf.hpp"
#include "render/utf8.hpp"

namespace certd::render {
namespace {

enum class Mode { signed_certificate, preview };

std::string long_date(TimePoint t) {
  static const char* const k_months[] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};
  std::string iso = format_date(t);  // YYYY-MM-DD
  int month = std::stoi(iso.substr(5, 2));
  int day = std::stoi(iso.substr(8, 2));
  return std::to_string(day) + " " + k_months[month - 1] + " " + iso.substr(0, 4);
}

std::string value_of(Placeholder placeholder, const CertificateData& data, DateStyle style) {
  auto date = [style](TimePoint t) { return style == DateStyle::iso ? format_date(t) : long_date(t); };
  switch (placeholder) {
    case Placeholder::student_name: return data.student_name;
    case Placeholder::course_name: return data.course_name;
    case Placeholder::title: return data.title;
    case Placeholder::teacher_name: return data.teacher_name;
    case Placeholder::notes: return data.notes;
    case Placeholder::issued_on: return date(data.issued_at);
    case Placeholder::expires_on: return data.expires_at ? date(*data.expires_at) : std::string();
    case Placeholder::certificate_number: return data.number;
    case Placeholder::level: return data.level;
    case Placeholder::grade: return data.grade;
    case Placeholder::issuer_name: return data.issuer_name;
    case Placeholder::skills: {
      std::string joined;
      for (const std::string& skill : data.skills) joined += (joined.empty() ? "" : " \u00B7 ") + skill;
      return joined;
    }
  }
  return std::string();
}

// A field's final text; nullopt for an optional field with an empty value.
Result<std::optional<std::string>> field_text(const TextField& field, const CertificateData& data, DateStyle style) {
  std::string text;
  for (const TextPiece& piece : field.text) {
    if (!piece.placeholder) {
      text += piece.literal;
      continue;
    }
    std::string value = value_of(*piece.placeholder, data, style);
    if (value.empty() && field.optional) return std::optional<std::string>();
    if (value.empty())
      return Error(ErrorCode::invalid_argument, "field '" + field.name + "' needs {{" +
                                                    to_string(*piece.placeholder) + "}}, which is empty");
    text += value;
  }
  CERTD_TRY(decode_utf8(text));
  return std::optional<std::string>(std::move(text));
}

Result<std::vector<FieldPlan>> plan_fields(const Template& certificate_template, const CertificateData& data) {
  const TemplateSpec& spec = certificate_template.spec();
  const PreparedFonts& fonts = *certificate_template.assets().fonts;
  std::vector<FieldPlan> plans;
  for (const TextField& field : spec.fields) {
    CERTD_ASSIGN_OR_RETURN(std::optional<std::string> text, field_text(field, data, spec.date_style));
    if (!text) continue;
    CERTD_ASSIGN_OR_RETURN(std::vector<Segment> segments, segment_text(*text, field, spec.fallback_fonts, fonts));
    plans.push_back(FieldPlan{&field, std::move(segments)});
  }
  return plans;
}

// What the fields say, for the check that each character was drawn with
// a real glyph (glyph_check.hpp); taken from the data, not the painter.
std::vector<FieldText> field_texts(const TemplateSpec& spec, const CertificateData& data) {
  std::vector<FieldText> texts;
  for (const TextField& field : spec.fields) {
    auto text = field_text(field, data, spec.date_style);
    if (text && *text) texts.push_back(FieldText{field.name, **text});
  }
  return texts;
}

// The PDF title never refuses a certificate, so an award without a title
// of its own (data that only names a course, or none) is called by the
// template's name there rather than leaving "Ana Lima - ".
std::string title_of(const TemplateSpec& spec, const CertificateData& data) {
  std::string title;
  for (const TextPiece& piece : spec.title) {
    if (!piece.placeholder) {
      title += piece.literal;
      continue;
    }
    std::string value = value_of(*piece.placeholder, data, spec.date_style);
    title += value.empty() && *piece.placeholder == Placeholder::title ? spec.name : value;
  }
  return title;
}

HPDF_Date pdf_date(TimePoint t) {
  time_t seconds = static_cast<time_t>(to_unix(t));
  struct tm utc {};
  gmtime_r(&seconds, &utc);
  return HPDF_Date{utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, 'Z', 0, 0};
}

Status set_metadata(PdfDocument& document, const TemplateSpec& spec, const CertificateData& data) {
  HPDF_Doc doc = document.doc();
  HPDF_SetInfoAttr(doc, HPDF_INFO_TITLE, title_of(spec, data).c_str());
  HPDF_SetInfoAttr(doc, HPDF_INFO_AUTHOR, data.issuer_name.c_str());
  HPDF_SetInfoAttr(doc, HPDF_INFO_SUBJECT, (spec.name + " " + data.number).c_str());
  HPDF_SetInfoAttr(doc, HPDF_INFO_CREATOR, "certd");
  HPDF_SetInfoDateAttr(doc, HPDF_INFO_CREATION_DATE, pdf_date(data.issued_at));
  return document.check("setting the PDF metadata");
}

Result<RenderedCertificate> render(const Template& certificate_template, const CertificateData& data,
                                   const Signer* signer, Mode mode) {
  // Everything that can fail on the data fails before libharu starts.
  CERTD_ASSIGN_OR_RETURN(std::vector<FieldPlan> plans, plan_fields(certificate_template, data));
  CERTD_ASSIGN_OR_RETURN(QrMatrix qr, encode_qr(data.verify_url));
  CERTD_ASSIGN_OR_RETURN(PdfDocument document,
                         PdfDocument::create(mode == Mode::preview ? PdfDocument::Compression::by_libharu
                                                                   : PdfDocument::Compression::by_signer));
  PagePainter painter(document, certificate_template);
  CERTD_TRY(painter.paint(plans, qr, mode == Mode::preview ? Stamp::preview : Stamp::none));
  CERTD_TRY(set_metadata(document, certificate_template.spec(), data));
  RenderedCertificate rendered;
  CERTD_ASSIGN_OR_RETURN(std::string drawn, document.save());
  if (mode == Mode::preview) {
    rendered.pdf = std::move(drawn);
    return rendered;
  }
  // The pages are signed as drawn, so the signature is added after the
  // drawing is finished, once each field is proved drawn (signed_pdf.hpp).
  CERTD_ASSIGN_OR_RETURN(SignedPdf signed_pdf, sign_pdf(drawn, field_texts(certificate_template.spec(), data), data,
                                                        certificate_template.id(), *signer));
  return RenderedCertificate{std::move(signed_pdf.pdf), std::move(signed_pdf.payload), std::move(signed_pdf.signature)};
}

}  // namespace

Result<RenderedCertificate> render_certificate(const Template& certificate_template, const CertificateData& data,
                                               const Signer& signer) {
  return render(certificate_template, data, &signer, Mode::signed_certificate);
}

Result<RenderedCertificate> render_preview(const Template& certificate_template, const CertificateData& data) {
  return render(certificate_template, data, nullptr, Mode::preview);
}

}  // namespace certd::render
