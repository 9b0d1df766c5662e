#pragma once
// Template + certificate data -> PDF bytes (docs/architecture.md "issuance: number ->
// render"). Pure: no clock (times come in the data), no files written, no
// logging. Deterministic: the same template, data and key give a
// byte-identical PDF.
//
// Thread-safety: a const Template and a Signer may be shared by any number
// of threads rendering at once; each call builds its own libharu document.

#include <string>

#include "core/result.hpp"
#include "render/certificate_data.hpp"
#include "render/signing.hpp"
#include "render/template.hpp"

namespace certd::render {

struct RenderedCertificate {
  std::string pdf;
  std::string payload;    // the exact signed bytes (canonical JSON); empty for a preview
  std::string signature;  // base64 Ed25519 signature of `payload`; empty for a preview
};

// Renders and signs a certificate; payload and signature are embedded in
// the PDF (see payload.hpp). Errors, all invalid_argument unless noted:
// malformed UTF-8; a character no font of the template can draw; text
// that does not fit its field at min_size; an empty value for a field that
// is not `optional`; a URL too long for a QR code; a character the
// finished PDF does not draw with a real glyph (glyph_check.hpp: nothing
// blank is ever signed); internal for a libharu or qpdf failure. The
// signature covers the pages as drawn (payload.hpp version 2).
Result<RenderedCertificate> render_certificate(const Template& certificate_template, const CertificateData& data,
                                               const Signer& signer);

// The same drawing, stamped PREVIEW across the page and unsigned.
Result<RenderedCertificate> render_preview(const Template& certificate_template, const CertificateData& data);

}  // namespace certd::render
