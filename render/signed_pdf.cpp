#include "render/signed_pdf.hpp"

#include <qpdf/Buffer.hh>
#include <qpdf/Pl_Flate.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>

#include <exception>

#include "core/base64.hpp"
#include "render/page_digest.hpp"
#include "render/payload.hpp"

namespace certd::render {

Result<SignedPdf> sign_pdf(std::string_view drawn, const std::vector<FieldText>& fields, const CertificateData& data,
                           std::string_view template_id, const Signer& signer) {
  // qpdf keeps the level process-wide; certd's only deflating qpdf writer
  // is this one, so it is set once, before the first write.
  static const bool level_set = (Pl_Flate::setCompressionLevel(k_flate_level), true);
  (void)level_set;
  try {
    QPDF pdf;
    pdf.setSuppressWarnings(true);
    pdf.processMemoryFile("certificate.pdf", drawn.data(), drawn.size());
    // Every name prints, or nothing is issued: a character drawn blank
    // (.notdef, an empty outline) or not at all stops it before signing.
    DecodedStreams decoded;
    CERTD_TRY(check_glyphs(pdf, fields, &decoded));
    // The same function and limits verify_pdf uses: what it recomputes is
    // exactly what is signed here. The font programs the glyph check
    // inflated are hashed from its bytes, not inflated again.
    DigestReading digests = digest_pages(pdf, PdfLimits(), &decoded);
    if (digests.stop) return Error(ErrorCode::internal, "the drawn certificate cannot be digested: " + digests.message);
    SignedPdf result;
    result.payload = canonical_payload(data, template_id, signer.public_key().key_id(), digests.drawn);
    CERTD_ASSIGN_OR_RETURN(std::string signature, signer.sign(result.payload));
    result.signature = base64_encode(signature);

    QPDFObjectHandle info = pdf.getTrailer().getKey("/Info");
    if (!info.isDictionary()) return Error(ErrorCode::internal, "the drawn certificate has no /Info dictionary");
    // Base64 keeps the bytes exact through PDF string escaping.
    info.replaceKey(std::string("/") + k_info_payload, QPDFObjectHandle::newString(base64_encode(result.payload)));
    info.replaceKey(std::string("/") + k_info_signature, QPDFObjectHandle::newString(result.signature));
    info.replaceKey(std::string("/") + k_info_public_key,
                    QPDFObjectHandle::newString(signer.public_key().raw_base64()));

    QPDFWriter writer(pdf);
    writer.setOutputMemory();
    writer.setDeterministicID(true);
    writer.setObjectStreamMode(qpdf_o_disable);
    writer.setCompressStreams(true);  // only streams without a filter; the rest are copied as they are
    writer.setDecodeLevel(qpdf_dl_none);
    writer.write();
    std::shared_ptr<Buffer> bytes = writer.getBufferSharedPointer();
    result.pdf.assign(reinterpret_cast<const char*>(bytes->getBuffer()), bytes->getSize());
    return result;
  } catch (const std::exception& e) {
    return Error(ErrorCode::internal, std::string("qpdf failed signing the certificate: ") + e.what());
  }
}

}  // namespace certd::render
