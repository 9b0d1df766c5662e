// "What is signed is what is seen": a certificate whose page was changed
// after signing, in any way a reader would see, is TAMPERED, while a
// lossless re-save stays VALID. The tampered files are built as a forger
// would: with qpdf (its command line and its C++ API).
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/base64.hpp"
#include "render/glyph_check.hpp"
#include "render/page_digest.hpp"
#include "render/pdf_verifier.hpp"
#include "qpdf_rewrite.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

using testing::fixed_data;
using testing::ScratchDir;
using testing::test_signer;

std::string read_bytes(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

using testing::rewrite;

QPDFObjectHandle first_page(QPDF& document) {
  QPDFObjectHandle page = document.getAllPages().at(0);
  return page;
}

// The page's one content stream, decoded.
std::string page_content(QPDF& document) {
  std::shared_ptr<Buffer> data = first_page(document).getKey("/Contents").getStreamData(qpdf_dl_generalized);
  return std::string(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
}

class PageDigest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Template loaded = testing::load_demo("first-aid");
    s_zoe = new std::string(render_certificate(loaded, fixed_data(), test_signer(1))->pdf);
    s_bob = new std::string(render_certificate(loaded, fixed_data("Bob Builder"), test_signer(1))->pdf);
  }
  static void TearDownTestSuite() {
    delete s_zoe;
    delete s_bob;
  }
  PdfVerification verify(const std::string& pdf) const { return verify_pdf(pdf, m_issuer.public_key()); }
  void expect_tampered(const std::string& pdf, const std::string& reason) const {
    PdfVerification result = verify(pdf);
    EXPECT_EQ(result.verdict, PdfVerdict::tampered) << reason << ": " << result.message;
  }

  static std::string* s_zoe;
  static std::string* s_bob;
  Signer m_issuer = test_signer(1);
};

std::string* PageDigest::s_zoe = nullptr;
std::string* PageDigest::s_bob = nullptr;

TEST_F(PageDigest, AnUntouchedCertificateIsValidWithItsPagesCovered) {
  PdfVerification result = verify(*s_zoe);
  EXPECT_EQ(result.verdict, PdfVerdict::valid) << result.message;
  EXPECT_NE(result.message.find("pages as drawn"), std::string::npos) << result.message;
  ASSERT_TRUE(result.facts && result.facts->drawn);
  EXPECT_EQ(result.facts->version, 2);
  EXPECT_EQ(result.facts->drawn->pages.size(), 1u);
}

// The renderer hashes the font programs the glyph check decoded rather
// than inflating them again; the digest, and the limits, are the same.
TEST_F(PageDigest, TheGlyphChecksDecodedStreamsGiveTheSameDigestsWithinTheSameLimits) {
  QPDF document;
  document.setSuppressWarnings(true);
  document.processMemoryFile("certificate.pdf", s_zoe->data(), s_zoe->size());
  DecodedStreams decoded;
  ASSERT_TRUE(check_glyphs(document, {FieldText{"student", fixed_data().student_name}}, &decoded).has_value());
  ASSERT_FALSE(decoded.empty());
  DigestReading shared = digest_pages(document, PdfLimits(), &decoded);
  DigestReading fresh = digest_pages(document, PdfLimits());
  ASSERT_FALSE(shared.stop) << shared.message;
  EXPECT_EQ(shared.drawn.pages, fresh.drawn.pages);
  EXPECT_EQ(shared.drawn.document, fresh.drawn.document);
  EXPECT_EQ(shared.decoded_bytes, fresh.decoded_bytes);

  PdfLimits small;
  small.max_stream_decoded = 1024;  // less than any embedded font program
  DigestReading refused = digest_pages(document, small, &decoded);
  EXPECT_EQ(refused.stop, PdfVerdict::refused) << refused.message;
}

TEST_F(PageDigest, APageSwappedForAnotherStudentsIsTampered) {
  ScratchDir dir;
  std::string zoe = dir.write("zoe.pdf", *s_zoe);
  std::string bob = dir.write("bob.pdf", *s_bob);
  auto swap = testing::run_tool("qpdf '" + zoe + "' --pages '" + bob + "' 1 -- '" + dir.file("swapped.pdf") + "'");
  ASSERT_EQ(swap.exit_code, 0) << swap.output;
  std::string swapped = read_bytes(dir.file("swapped.pdf"));
  EXPECT_NE(testing::pdftotext(dir.file("swapped.pdf")).find("Bob Builder"), std::string::npos);
  PdfVerification result = verify(swapped);
  EXPECT_EQ(result.verdict, PdfVerdict::tampered) << result.message;
  EXPECT_NE(result.message.find("page 1"), std::string::npos) << result.message;
}

TEST_F(PageDigest, AnotherPdfCarryingThisOnesInfoValuesIsTampered) {
  std::string copied = rewrite(*s_bob, [](QPDF& document) {
    QPDF original;
    original.processMemoryFile("zoe.pdf", s_zoe->data(), s_zoe->size());
    QPDFObjectHandle from = original.getTrailer().getKey("/Info");
    QPDFObjectHandle to = document.getTrailer().getKey("/Info");
    for (const char* key : {k_info_payload, k_info_signature, k_info_public_key})
      to.replaceKey(std::string("/") + key, QPDFObjectHandle::newString(from.getKey(std::string("/") + key).getStringValue()));
  });
  expect_tampered(copied, "Bob's page under Zoë's signed values");
}

TEST_F(PageDigest, AFilledBoxDrawnOverTheNameIsTampered) {
  std::string covered = rewrite(*s_zoe, [](QPDF& document) {
    QPDFObjectHandle box = QPDFObjectHandle::newStream(&document, "q 1 1 1 rg 100 250 640 80 re f Q\n");
    QPDFPageObjectHelper(first_page(document)).addPageContents(box, /*first=*/false);
  });
  expect_tampered(covered, "a second content stream");
}

TEST_F(PageDigest, ASquareAnnotationOverTheNameIsTampered) {
  std::string annotated = rewrite(*s_zoe, [](QPDF& document) {
    QPDFObjectHandle square = document.makeIndirectObject(QPDFObjectHandle::parse(
        "<< /Type /Annot /Subtype /Square /Rect [100 250 740 330] /C [1 1 1] /IC [1 1 1] /F 4 >>"));
    first_page(document).replaceKey("/Annots", QPDFObjectHandle::newArray({square}));
  });
  expect_tampered(annotated, "a Square annotation");
}

TEST_F(PageDigest, AnEditedTextStringIsTampered) {
  std::string edited = rewrite(*s_zoe, [](QPDF& document) {
    std::string content = page_content(document);
    // The name is shown as 2-byte codes (Identity-H), a glyph or a run
    // per string: "Zoë" -> "Boë".
    std::size_t at = content.find("<005A");  // libharu writes upper-case hex
    ASSERT_NE(at, std::string::npos);
    content.replace(at + 1, 4, "0042");
    first_page(document).getKey("/Contents").replaceStreamData(content, QPDFObjectHandle::newNull(),
                                                               QPDFObjectHandle::newNull());
  });
  expect_tampered(edited, "one character of the name");
}

TEST_F(PageDigest, AReplacedImageIsTampered) {
  std::string replaced = rewrite(*s_zoe, [](QPDF& document) {
    QPDFObjectHandle images = first_page(document).getKey("/Resources").getKey("/XObject");
    ASSERT_TRUE(images.isDictionary());
    bool found = false;
    for (const std::string& key : images.getKeys()) {
      QPDFObjectHandle image = images.getKey(key);
      if (!image.isStream() || image.getDict().getKey("/Subtype").getName() != "/Image") continue;
      // The background is a JPEG (DCT, which qpdf does not decode): its
      // raw bytes are what the digest covers.
      std::shared_ptr<Buffer> data = image.getRawStreamData();
      std::string bytes(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
      bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);  // one byte, same size
      image.replaceStreamData(bytes, image.getDict().getKey("/Filter"), image.getDict().getKey("/DecodeParms"));
      found = true;
      break;
    }
    ASSERT_TRUE(found) << "the demo certificate has an image XObject";
  });
  expect_tampered(replaced, "one byte of an image");
}

TEST_F(PageDigest, LosslessResavesStayValid) {
  ScratchDir dir;
  std::string in = dir.write("in.pdf", *s_zoe);
  for (const std::string& option : {std::string("--object-streams=disable"), std::string("--linearize")}) {
    std::string out = dir.file("out.pdf");
    auto run = testing::run_tool("qpdf " + option + " '" + in + "' '" + out + "'");
    ASSERT_EQ(run.exit_code, 0) << option;
    std::string resaved = read_bytes(out);
    EXPECT_NE(resaved, *s_zoe) << option << " changed the bytes";
    PdfVerification result = verify(resaved);
    EXPECT_EQ(result.verdict, PdfVerdict::valid) << option << ": " << result.message;
  }
}

// A certificate signed before page digests (payload version 1) still
// verifies, and says what its signature does not cover.
TEST_F(PageDigest, AVersionOnePayloadVerifiesAndSaysThePageIsNotCovered) {
  std::string old = rewrite(*s_zoe, [this](QPDF& document) {
    QPDFObjectHandle info = document.getTrailer().getKey("/Info");
    nlohmann::json payload = nlohmann::json::parse(*base64_decode(info.getKey("/CertdPayload").getStringValue()));
    payload.erase("page_digests");
    payload.erase("document_digest");
    payload["v"] = 1;
    std::string json = payload.dump();
    info.replaceKey("/CertdPayload", QPDFObjectHandle::newString(base64_encode(json)));
    info.replaceKey("/CertdSignature", QPDFObjectHandle::newString(base64_encode(*m_issuer.sign(json))));
  });
  PdfVerification result = verify(old);
  EXPECT_EQ(result.verdict, PdfVerdict::valid) << result.message;
  EXPECT_EQ(result.facts->version, 1);
  EXPECT_NE(result.message.find("not the page itself"), std::string::npos) << result.message;
}

// A certificate signed before payloads named the award's title is still
// VALID, and has no title rather than an empty one.
TEST_F(PageDigest, APayloadSignedBeforeTitlesVerifies) {
  std::string old = rewrite(*s_zoe, [this](QPDF& document) {
    QPDFObjectHandle info = document.getTrailer().getKey("/Info");
    nlohmann::json payload = nlohmann::json::parse(*base64_decode(info.getKey("/CertdPayload").getStringValue()));
    ASSERT_EQ(payload.erase("title"), 1u);
    std::string json = payload.dump();
    info.replaceKey("/CertdPayload", QPDFObjectHandle::newString(base64_encode(json)));
    info.replaceKey("/CertdSignature", QPDFObjectHandle::newString(base64_encode(*m_issuer.sign(json))));
  });
  PdfVerification result = verify(old);
  EXPECT_EQ(result.verdict, PdfVerdict::valid) << result.message;
  EXPECT_FALSE(result.facts->title.has_value());
  EXPECT_EQ(verify(*s_zoe).facts->title, "Swimming Level 3");
}

// A version-2 payload without its digests is not a payload certd signs.
TEST_F(PageDigest, AVersionTwoPayloadWithoutDigestsIsTampered) {
  std::string stripped = rewrite(*s_zoe, [this](QPDF& document) {
    QPDFObjectHandle info = document.getTrailer().getKey("/Info");
    nlohmann::json payload = nlohmann::json::parse(*base64_decode(info.getKey("/CertdPayload").getStringValue()));
    payload.erase("page_digests");
    std::string json = payload.dump();
    info.replaceKey("/CertdPayload", QPDFObjectHandle::newString(base64_encode(json)));
    info.replaceKey("/CertdSignature", QPDFObjectHandle::newString(base64_encode(*m_issuer.sign(json))));
  });
  expect_tampered(stripped, "signed, but without page digests");
}

}  // namespace
}  // namespace certd::render
