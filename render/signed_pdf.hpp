#pragma once
// Signs a drawn certificate: the payload (payload.hpp) covers the
// certificate's data and the pages as drawn (page_digest.hpp), so the
// finished PDF is read back with qpdf (once), every field's characters are
// proved drawn (glyph_check.hpp), the pages are digested, and the
// payload, signature and public key are then written into its /Info.
// Internal to render/; pure (bytes in, bytes out). Thread-safe.

#include <string>
#include <string_view>

#include <vector>

#include "core/result.hpp"
#include "render/certificate_data.hpp"
#include "render/glyph_check.hpp"
#include "render/signing.hpp"

namespace certd::render {

// zlib's level for the streams the signer deflates. Level 1 spends about
// 40 % less time in zlib than the default level on a certificate, for a
// file 3 % larger (docs/performance.md §3).
inline constexpr int k_flate_level = 1;

struct SignedPdf {
  std::string pdf;
  std::string payload;    // the exact signed bytes
  std::string signature;  // base64
};

// `drawn` is a complete PDF with an /Info dictionary (libharu's output);
// `fields` what its fields say. Deterministic: qpdf writes it again with
// an /ID derived from its content, classic cross-reference tables
// (verify_pdf reads no cross-reference streams), filtered streams as they
// were and the streams libharu left raw (page contents, fonts, ToUnicode:
// PdfDocument::Compression::by_signer) deflated at k_flate_level. Errors: check_glyphs' invalid_argument (nothing is signed);
// internal when qpdf cannot read what libharu wrote.
Result<SignedPdf> sign_pdf(std::string_view drawn, const std::vector<FieldText>& fields, const CertificateData& data,
                           std::string_view template_id, const Signer& signer);

}  // namespace certd::render
