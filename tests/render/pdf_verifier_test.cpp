#include "render/pdf_verifier.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "hostile_pdf.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

using testing::fixed_data;
using testing::flate_bomb_pdf;
using testing::test_signer;

constexpr std::uint64_t k_mebibyte = 1u << 20;

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

// A stream that no longer inflates leaves the page broken even when the
// info dictionary is intact; qpdf reports it only through pipeStreamData's
// result, which the reader once ignored (the file verified as VALID).
TEST_F(PdfVerifier, RefusesAStreamThatDoesNotDecode) {
  std::string damaged = *s_pdf;
  std::size_t filter = damaged.find("/FlateDecode");
  ASSERT_NE(filter, std::string::npos);
  std::size_t data = damaged.find("stream", filter);
  ASSERT_NE(data, std::string::npos);
  damaged.replace(data + 20, 40, std::string(40, 'A'));  // same length: the offsets stay right
  PdfVerification result = verify_pdf(damaged, m_issuer.public_key());
  EXPECT_EQ(result.verdict, PdfVerdict::unreadable) << result.message;
  EXPECT_NE(result.message.find("does not decode"), std::string::npos) << result.message;
}

// A gigabyte of zeros in a 1 MB stream: decoding stops at the per-stream
// limit instead of inflating it all (seconds of CPU per gigabyte).
TEST_F(PdfVerifier, RefusesAFlateBombAtTheStreamLimit) {
  const std::string bomb = flate_bomb_pdf(1, 1024);
  const PdfLimits limits;
  ASSERT_LT(bomb.size(), 2 * k_mebibyte);
  PdfVerification result = verify_pdf(bomb, m_issuer.public_key());
  EXPECT_EQ(result.verdict, PdfVerdict::refused) << result.message;
  EXPECT_STREQ(to_string(result.verdict), "REFUSED");
  EXPECT_NE(result.message.find("more than 64 MiB"), std::string::npos) << result.message;
  EXPECT_GT(result.decoded_bytes, limits.max_stream_decoded);
  EXPECT_LE(result.decoded_bytes, limits.max_stream_decoded + k_mebibyte) << "decoding went on past the limit";
}

// Many streams, each under the per-stream limit: the total stops them.
TEST_F(PdfVerifier, RefusesStreamsOverTheTotalLimit) {
  PdfLimits limits;
  limits.max_stream_decoded = 8 * k_mebibyte;
  limits.max_total_decoded = 20 * k_mebibyte;
  PdfVerification result = verify_pdf(flate_bomb_pdf(10, 6), m_issuer.public_key(), limits);
  EXPECT_EQ(result.verdict, PdfVerdict::refused) << result.message;
  EXPECT_NE(result.message.find("more than 20 MiB in all"), std::string::npos) << result.message;
  EXPECT_GT(result.decoded_bytes, limits.max_total_decoded);
  EXPECT_LE(result.decoded_bytes, limits.max_total_decoded + k_mebibyte);
}

TEST_F(PdfVerifier, DecodesStreamsUnderTheLimitsToTheEnd) {
  PdfVerification result = verify_pdf(flate_bomb_pdf(2, 3), m_issuer.public_key());
  EXPECT_EQ(result.verdict, PdfVerdict::unsigned_pdf) << result.message;
  EXPECT_EQ(result.decoded_bytes, 6 * k_mebibyte);
}

TEST_F(PdfVerifier, RefusesAFileOverTheSizeLimitUnread) {
  PdfLimits limits;
  limits.max_file_bytes = s_pdf->size() - 1;
  PdfVerification result = verify_pdf(*s_pdf, m_issuer.public_key(), limits);
  EXPECT_EQ(result.verdict, PdfVerdict::refused) << result.message;
  EXPECT_NE(result.message.find(std::to_string(s_pdf->size()) + " bytes"), std::string::npos) << result.message;
  EXPECT_EQ(result.decoded_bytes, 0u);
  limits.max_file_bytes = s_pdf->size();
  EXPECT_EQ(verify_pdf(*s_pdf, m_issuer.public_key(), limits).verdict, PdfVerdict::valid);
}

TEST_F(PdfVerifier, RefusesTooManyObjects) {
  PdfLimits limits;
  limits.max_objects = 50;
  PdfVerification result =
      verify_pdf(testing::pdf_with_objects(std::vector<std::string>(60, "null")), m_issuer.public_key(), limits);
  EXPECT_EQ(result.verdict, PdfVerdict::refused) << result.message;
  EXPECT_NE(result.message.find("more than the 50 certd reads"), std::string::npos) << result.message;
}

std::string zeros_array(int count) {
  std::string array = "[";
  for (int i = 0; i < count; ++i) array += "0 ";
  return array + "]";
}

// qpdf spends about 1 µs and 200 bytes per token it parses: a file of
// small tokens is refused before qpdf parses them, wherever they sit.
TEST_F(PdfVerifier, RefusesTooManyTokensBeforeParsingThem) {
  const std::string many = zeros_array(300000);
  std::string in_object = testing::pdf_with_objects({many});
  std::string in_trailer = testing::pdf_with_objects({"null"});
  in_trailer.replace(in_trailer.find("/Root"), 0, "/Big " + many + " ");
  // qpdf takes a close that does not match as a mistake inside the array
  // and reads on to the end: so must the count.
  std::string behind_a_wrong_close = testing::pdf_with_objects({"[ >> " + many.substr(1)});
  for (const std::string* pdf : {&in_object, &in_trailer, &behind_a_wrong_close}) {
    PdfVerification result = verify_pdf(*pdf, m_issuer.public_key());
    EXPECT_EQ(result.verdict, PdfVerdict::refused) << result.message;
    EXPECT_NE(result.message.find("more than 250000 tokens"), std::string::npos) << result.message;
  }
  EXPECT_EQ(verify_pdf(testing::pdf_with_objects({zeros_array(200000)}), m_issuer.public_key()).verdict,
            PdfVerdict::unsigned_pdf)
      << "under the limit";
}

TEST_F(PdfVerifier, RefusesAnEncryptedFile) {
  std::string pdf = testing::pdf_with_objects({"<< /Filter /Standard /V 1 /R 2 /O (x) /U (y) /P -4 >>"});
  pdf.replace(pdf.find("/Root"), 0, "/Encrypt 3 0 R ");
  PdfVerification result = verify_pdf(pdf, m_issuer.public_key());
  EXPECT_EQ(result.verdict, PdfVerdict::refused) << result.message;
  EXPECT_NE(result.message.find("encrypted"), std::string::npos) << result.message;
}

// qpdf decodes a cross-reference stream and its object streams whole, out
// of reach of the limits: such a file is refused, with the reason.
TEST_F(PdfVerifier, RefusesCompressedCrossReferenceStreams) {
  testing::ScratchDir dir;
  std::string plain = dir.write("plain.pdf", *s_pdf);
  auto rewrite = testing::run_tool("qpdf --object-streams=generate '" + plain + "' '" + dir.file("packed.pdf") + "'");
  ASSERT_EQ(rewrite.exit_code, 0) << rewrite.output;
  std::ifstream in(dir.file("packed.pdf"), std::ios::binary);
  std::string packed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  PdfVerification result = verify_pdf(packed, m_issuer.public_key());
  EXPECT_EQ(result.verdict, PdfVerdict::refused) << result.message;
  EXPECT_NE(result.message.find("cross-reference stream"), std::string::npos) << result.message;
}

}  // namespace
}  // namespace certd::render
