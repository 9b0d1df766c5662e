#include "render/pdf_verifier.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

using testing::fixed_data;
using testing::test_signer;

class PdfVerifier : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Template loaded = testing::load_demo("first-aid");
    s_pdf = new std::string(render_certificate(loaded, fixed_data(), test_signer(1))->pdf);
    s_other_key_pdf = new std::string(render_certificate(loaded, fixed_data(), test_signer(2))->pdf);
    s_preview = new std::string(render_preview(loaded, fixed_data())->pdf);
  }
  static void TearDownTestSuite() {
    delete s_pdf;
    delete s_other_key_pdf;
    delete s_preview;
  }
  static std::string* s_pdf;
  static std::string* s_other_key_pdf;
  static std::string* s_preview;
  Signer m_issuer = test_signer(1);
};

std::string* PdfVerifier::s_pdf = nullptr;
std::string* PdfVerifier::s_other_key_pdf = nullptr;
std::string* PdfVerifier::s_preview = nullptr;

// The base64 payload as it sits in the file: /CertdPayload (...).
std::size_t payload_offset(const std::string& pdf, std::size_t* length) {
  std::size_t start = pdf.find("/CertdPayload (");
  EXPECT_NE(start, std::string::npos);
  start += 15;
  *length = pdf.find(')', start) - start;
  return start;
}

TEST_F(PdfVerifier, AcceptsAFreshCertificate) {
  PdfVerification result = verify_pdf(*s_pdf, m_issuer.public_key());
  EXPECT_EQ(result.verdict, PdfVerdict::valid) << result.message;
  ASSERT_TRUE(result.facts.has_value());
  EXPECT_EQ(result.facts->number, testing::fixed_number());
  EXPECT_EQ(result.facts->student, "Zoë Ångström-Łukasiewicz");
  EXPECT_EQ(result.facts->template_id, "first-aid");
  EXPECT_EQ(result.facts->expires_at, "2028-11-23T12:00:00Z");
}

TEST_F(PdfVerifier, DetectsOneChangedPayloadByte) {
  std::size_t length = 0;
  std::size_t start = payload_offset(*s_pdf, &length);
  std::string json = *base64_decode(s_pdf->substr(start, length));
  auto at = json.find("Zo");
  ASSERT_NE(at, std::string::npos);
  json[at] = 'B';  // Zoë -> Boë: same length, so the file's offsets stay right
  std::string forged = *s_pdf;
  forged.replace(start, length, base64_encode(json));
  PdfVerification result = verify_pdf(forged, m_issuer.public_key());
  EXPECT_EQ(result.verdict, PdfVerdict::tampered) << result.message;
  EXPECT_EQ(result.facts->student, "Boë Ångström-Łukasiewicz") << "what the forger wrote";
}

TEST_F(PdfVerifier, TellsAnotherKeyApartFromTampering) {
  PdfVerification result = verify_pdf(*s_other_key_pdf, m_issuer.public_key());
  EXPECT_EQ(result.verdict, PdfVerdict::wrong_key) << result.message;
  EXPECT_NE(result.message.find(test_signer(2).public_key().key_id()), std::string::npos);
}

TEST_F(PdfVerifier, RefusesTruncatedOrForeignFiles) {
  for (std::size_t keep : {s_pdf->size() / 2, s_pdf->size() - 40, std::size_t{0}}) {
    PdfVerification result = verify_pdf(std::string_view(*s_pdf).substr(0, keep), m_issuer.public_key());
    EXPECT_EQ(result.verdict, PdfVerdict::unreadable) << "kept " << keep << " bytes: " << result.message;
  }
  EXPECT_EQ(verify_pdf("%PDF-1.4\nnot really\n", m_issuer.public_key()).verdict, PdfVerdict::unreadable);
}

TEST_F(PdfVerifier, SaysAPreviewIsUnsigned) {
  EXPECT_EQ(verify_pdf(*s_preview, m_issuer.public_key()).verdict, PdfVerdict::unsigned_pdf);
}

TEST_F(PdfVerifier, QpdfSeesAWellFormedFile) {
  testing::ScratchDir dir;
  auto check = testing::run_tool("qpdf --check '" + dir.write("c.pdf", *s_pdf) + "'");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("No syntax or stream encoding errors found"), std::string::npos) << check.output;
}

}  // namespace
}  // namespace certd::render
