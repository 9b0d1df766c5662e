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

struct SignedPdf {
  std::string pdf;
  std::string payload;    // the exact signed bytes
  std::string signature;  // base64
};

// `drawn` is a complete PDF with an /Info dictionary (libharu's output);
// `fields` what its fields say. Deterministic: qpdf writes it again with
// an /ID derived from its content, classic cross-reference tables
// (verify_pdf reads no cross-reference streams) and the stream data as it
// was. Errors: check_glyphs' invalid_argument (nothing is signed);
// internal when qpdf cannot read what libharu wrote.
Result<SignedPdf> sign_pdf(std::string_view drawn, const std::vector<FieldText>& fields, const CertificateData& data,
                           std::string_view template_id, const Signer& signer);

}  // namespace certd::render
