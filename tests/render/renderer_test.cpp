#include "render/renderer.hpp"

#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <qpdf/QPDF.hh>

#include "core/base64.hpp"
#include "render/pdf_verifier.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

using testing::fixed_data;
using testing::ScratchDir;
using testing::test_signer;

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  std::string hex;
  char pair[3];
  for (unsigned char b : digest) {
    std::snprintf(pair, sizeof pair, "%02x", b);
    hex += pair;
  }
  return hex;
}

class Renderer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_swim = new Template(testing::load_demo("swim-level"));
    s_signer = new Signer(test_signer());
  }
  static void TearDownTestSuite() {
    delete s_swim;
    delete s_signer;
  }

  std::string render_to_file(const CertificateData& data, const std::string& name = "c.pdf") {
    auto rendered = render_certificate(*s_swim, data, *s_signer);
    EXPECT_TRUE(rendered) << rendered.error().to_string();
    return rendered ? m_dir.write(name, rendered->pdf) : std::string();
  }

  static Template* s_swim;
  static Signer* s_signer;
  ScratchDir m_dir;
};

Template* Renderer::s_swim = nullptr;
Signer* Renderer::s_signer = nullptr;

TEST_F(Renderer, NamesInEveryScriptComeOutOfPdftotextIntact) {
  for (const char* name : {"Zoë Ångström-Łukasiewicz", "Алексей Смирнов", "王小明", "김민준", "Νίκος Παπαδόπουλος"}) {
    std::string file = render_to_file(fixed_data(name));
    std::string text = testing::pdftotext(file);
    EXPECT_NE(text.find(name), std::string::npos) << name << " not in:\n" << text;
    EXPECT_NE(text.find("Front crawl 25 m · Back crawl 25 m · Surface dive"), std::string::npos);
    EXPECT_NE(text.find("23 November 2026"), std::string::npos);
  }
}

TEST_F(Renderer, EmbedsEveryFont) {
  std::string file = render_to_file(fixed_data("王小明 Zoë"));
  std::string fonts = testing::run_tool("pdffonts '" + file + "'").output;
  int rows = 0;
  std::istringstream lines(fonts);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("CID TrueType") == std::string::npos) continue;
    ++rows;
    EXPECT_NE(line.find("Identity-H       yes yes yes"), std::string::npos) << "not embedded: " << line;
  }
  EXPECT_EQ(rows, 3) << fonts;  // serif-bold and sans cut, IPAGothic for 王小明
}

TEST_F(Renderer, TheQrCodeDecodesToTheVerificationUrl) {
  std::string file = render_to_file(fixed_data());
  auto rendered = testing::run_tool("pdftoppm -r 150 -png -singlefile '" + file + "' '" + m_dir.file("page") + "'");
  ASSERT_EQ(rendered.exit_code, 0);
  auto decoded = testing::run_tool("zbarimg --raw -q '" + m_dir.file("page.png") + "'");
  EXPECT_EQ(decoded.output, "https://certs.example.edu/v/" + testing::fixed_number() + "\n");
}

TEST_F(Renderer, SameInputGivesTheSameBytes) {
  auto first = render_certificate(*s_swim, fixed_data(), *s_signer);
  auto second = render_certificate(*s_swim, fixed_data(), *s_signer);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->pdf, second->pdf);
  EXPECT_EQ(first->payload, second->payload);
}

// Golden hash of the swim-level certificate for fixed data, time and key
// with Debian 12's libharu 2.3.0, HarfBuzz 6.0, FriBidi 1.0.8 and
// fonts-noto-core 20201225.
// A change of layout or of those packages changes it: look at the PDF
// (pdftoppm), then update the hash with the value this test prints.
TEST_F(Renderer, MatchesTheGoldenCertificate) {
  auto rendered = render_certificate(*s_swim, fixed_data(), *s_signer);
  ASSERT_TRUE(rendered);
  EXPECT_EQ(sha256_hex(rendered->pdf), "1d55ce2270ab45420fa5decbd0d8450a5d4e2fee72a789420cf30c8b1d176eef") << "size " << rendered->pdf.size();
}

TEST_F(Renderer, SignsTheCanonicalPayload) {
  auto rendered = render_certificate(*s_swim, fixed_data(), *s_signer);
  ASSERT_TRUE(rendered);
  // The digests of the pages as drawn, as the verifier computes them.
  PdfVerification verified = verify_pdf(rendered->pdf, s_signer->public_key());
  ASSERT_EQ(verified.verdict, PdfVerdict::valid) << verified.message;
  const DrawnDigests& drawn = *verified.facts->drawn;
  ASSERT_EQ(drawn.pages.size(), 1u);
  EXPECT_EQ(rendered->payload,
            "{\"course\":\"Swimming Level 3\",\"document_digest\":\"" + drawn.document +
                "\",\"expires_at\":\"2028-11-23T12:00:00Z\",\"issued_at\":"
                "\"2026-11-23T12:00:00Z\",\"issuer\":\"Riverside Swim School\",\"key\":\"" +
                s_signer->public_key().key_id() + "\",\"level\":\"Level 3\",\"number\":\"" + testing::fixed_number() +
                "\",\"page_digests\":[\"" + drawn.pages[0] + "\"],\"rule\":\"\",\"student\":"
                "\"Zoë Ångström-Łukasiewicz\",\"template\":\"swim-level\",\"title\":\"Swimming Level 3\","
                "\"v\":2}");
  EXPECT_TRUE(s_signer->public_key().verify(rendered->payload, *base64_decode(rendered->signature)));
}

TEST_F(Renderer, WritesTheDocumentMetadata) {
  std::string info = testing::run_tool("pdfinfo '" + render_to_file(fixed_data()) + "'").output;
  EXPECT_NE(info.find("Title:           Level 3 certificate - Zoë Ångström-Łukasiewicz"), std::string::npos) << info;
  EXPECT_NE(info.find("Author:          Riverside Swim School"), std::string::npos);
  EXPECT_NE(info.find("Subject:         Swim level certificate " + testing::fixed_number()), std::string::npos);
  EXPECT_NE(info.find("CreationDate:    Mon Nov 23 12:00:00 2026 UTC"), std::string::npos);
}

// An ad-hoc award without a course: {{title}} prints its own title where
// {{course.fullname}} would print nothing, and names it in the PDF title.
TEST_F(Renderer, PrintsTheAwardsTitle) {
  Template encouragement = testing::load_demo("encouragement");
  CertificateData award = fixed_data("Ana Lima");
  award.course_name.clear();
  award.title = "Star of the Spring Science Fair";
  auto rendered = render_certificate(encouragement, award, *s_signer);
  ASSERT_TRUE(rendered) << rendered.error().to_string();
  std::string file = m_dir.write("award.pdf", rendered->pdf);
  EXPECT_NE(testing::pdftotext(file).find("Star of the Spring Science Fair"), std::string::npos)
      << testing::pdftotext(file);
  EXPECT_NE(testing::run_tool("pdfinfo '" + file + "'").output.find(
                "Title:           Star of the Spring Science Fair - Ana Lima"),
            std::string::npos);
  PdfVerification verified = verify_pdf(rendered->pdf, s_signer->public_key());
  ASSERT_EQ(verified.verdict, PdfVerdict::valid) << verified.message;
  EXPECT_EQ(verified.facts->title, "Star of the Spring Science Fair") << "signed";

  CertificateData untitled = award;
  untitled.title.clear();
  auto refused = render_certificate(encouragement, untitled, *s_signer);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(), "field 'title' needs {{title}}, which is empty");
}

// Without `title:` the PDF is called "student - title"; an award without
// a title falls back to the template's name, never "Ana Lima - ".
TEST_F(Renderer, TheDefaultPdfTitleNamesTheStudentAndTheAward) {
  std::string text = "version: 1\nname: Reading award\nnumber_prefix: RD\npage: { size: A4, orientation: portrait }\n"
                     "fonts: { sans: /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf }\n"
                     "fields:\n  - { text: \"{{student.fullname}}\", font: sans, size: 20, x: 40, y: 100 }\n"
                     "qr: { x: 400, y: 700, size: 100 }\n";
  TemplateLoad load = load_template(text, m_dir.file("reading.yaml"));
  ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
  auto pdf_title = [&](const std::string& title) {
    CertificateData data = fixed_data("Ana Lima");
    data.title = title;
    std::string file = m_dir.write("reading.pdf", render_certificate(*load.loaded, data, *s_signer)->pdf);
    std::string info = testing::run_tool("pdfinfo '" + file + "'").output;
    auto at = info.find("Title:");
    return at == std::string::npos ? info : info.substr(at, info.find('\n', at) - at);
  };
  EXPECT_EQ(pdf_title("Bookworm of the Year"), "Title:           Ana Lima - Bookworm of the Year");
  EXPECT_EQ(pdf_title(""), "Title:           Ana Lima - Reading award");
}

TEST_F(Renderer, ALongNameShrinksAndAnImpossibleOneIsRefused) {
  std::string long_name = "Alexandrina Konstantinopolska-Nowak";
  EXPECT_NE(testing::pdftotext(render_to_file(fixed_data(long_name))).find(long_name), std::string::npos);
  auto refused = render_certificate(*s_swim, fixed_data(long_name + " " + long_name + " " + long_name), *s_signer);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("field 'student' does not fit"), std::string::npos);
}

TEST_F(Renderer, RefusesWhatItCannotDrawInsteadOfPrintingGaps) {
  auto tamil = render_certificate(*s_swim, fixed_data("தமிழ்"), *s_signer);
  ASSERT_FALSE(tamil);
  EXPECT_EQ(tamil.error().message(), "no font of the template can draw U+0BA4 'த' in field 'student'");
  auto malformed = render_certificate(*s_swim, fixed_data("Zo\xC3"), *s_signer);
  ASSERT_FALSE(malformed);
  EXPECT_NE(malformed.error().message().find("malformed UTF-8"), std::string::npos);
  CertificateData no_teacher = fixed_data();
  no_teacher.teacher_name.clear();
  auto empty = render_certificate(*s_swim, no_teacher, *s_signer);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message(), "field 'teacher' needs {{teacher.fullname}}, which is empty");
  CertificateData no_skills = fixed_data();
  no_skills.skills.clear();
  EXPECT_TRUE(render_certificate(*s_swim, no_skills, *s_signer)) << "skills are optional";
}

// pdftotext reads the text layer, which survives even when a glyph is
// missing from the embedded font; counting ink catches a blank name.
TEST_F(Renderer, GlyphsBeyondTheCutFontAreDrawnNotBlank) {
  ScratchDir& dir = m_dir;
  std::string text = "version: 1\nname: Ink\nnumber_prefix: INK\npage: { size: A4, orientation: portrait }\n"
                     "fonts: { sans: /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf,"
                     " cjk: /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf }\n"
                     "fallback_fonts: [cjk]\n"
                     "fields:\n  - { text: \"{{student.fullname}}\", font: sans, size: 40, x: 40, y: 100 }\n"
                     "qr: { x: 400, y: 700, size: 100 }\n";
  TemplateLoad load = load_template(text, dir.file("ink.yaml"));
  ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
  auto ink = [&](const std::string& name) {
    auto rendered = render_certificate(*load.loaded, fixed_data(name), *s_signer);
    EXPECT_TRUE(rendered) << rendered.error().to_string();
    return testing::ink_pixels(dir.write("ink.pdf", rendered->pdf));
  };
  long base = ink("I");
  // Cyrillic needs the second cut, Armenian the whole DejaVu face.
  EXPECT_GT(ink("I Алексей"), base + 400);
  EXPECT_GT(ink("I Արամ Բաբայան"), base + 400);
  EXPECT_GT(ink("I 王小明"), base + 400);
  EXPECT_GT(ink("I Zoë Łukasiewicz"), base + 400);
}

TEST_F(Renderer, PreviewsAreStampedAndUnsigned) {
  auto preview = render_preview(*s_swim, fixed_data());
  ASSERT_TRUE(preview) << preview.error().to_string();
  EXPECT_TRUE(preview->payload.empty());
  EXPECT_TRUE(preview->signature.empty());
  EXPECT_EQ(preview->pdf.find("CertdPayload"), std::string::npos);
  std::string text = testing::pdftotext(m_dir.write("p.pdf", preview->pdf));
  for (char letter : std::string("PREVIEW")) EXPECT_NE(text.find(letter), std::string::npos);
}

TEST_F(Renderer, StaysSmallAboveItsBackground) {
  auto rendered = render_certificate(*s_swim, fixed_data(), *s_signer);
  ASSERT_TRUE(rendered);
  auto background = std::filesystem::file_size("examples/assets/swim-background.jpg");
  EXPECT_LE(rendered->pdf.size(), background + 60 * 1024) << "issue #4: at most 60 KB above the background";
}

// The streams libharu leaves raw for the signer (contents, fonts,
// ToUnicode maps) leave it deflated: no stream of a certificate or a
// preview is written without a filter.
std::vector<std::string> unfiltered_streams(const std::string& pdf) {
  QPDF document;
  document.setSuppressWarnings(true);
  document.processMemoryFile("certificate.pdf", pdf.data(), pdf.size());
  std::vector<std::string> raw;
  for (QPDFObjectHandle object : document.getAllObjects())
    if (object.isStream() && !object.getDict().hasKey("/Filter"))
      raw.push_back(object.getObjGen().unparse() + " " + object.getDict().unparse().substr(0, 80));
  return raw;
}

TEST_F(Renderer, EveryStreamIsCompressed) {
  auto rendered = render_certificate(*s_swim, fixed_data(), *s_signer);
  ASSERT_TRUE(rendered);
  EXPECT_EQ(unfiltered_streams(rendered->pdf), std::vector<std::string>{});
  auto preview = render_preview(*s_swim, fixed_data());
  ASSERT_TRUE(preview);
  EXPECT_EQ(unfiltered_streams(preview->pdf), std::vector<std::string>{});
}

// libharu maps all 65,536 codes of a font (128 KB); a certificate keeps
// the entries of the codes it draws, up to the highest, and no others.
TEST_F(Renderer, CidToGidMapsAreCutToTheCodesDrawn) {
  auto rendered = render_certificate(*s_swim, fixed_data(), *s_signer);
  ASSERT_TRUE(rendered);
  QPDF document;
  document.processMemoryFile("certificate.pdf", rendered->pdf.data(), rendered->pdf.size());
  int maps = 0;
  for (QPDFObjectHandle object : document.getAllObjects()) {
    if (!object.isDictionary() || !object.getKey("/CIDToGIDMap").isStream()) continue;
    ++maps;
    auto data = object.getKey("/CIDToGIDMap").getStreamData(qpdf_dl_generalized);
    const unsigned char* bytes = data->getBuffer();
    const std::size_t size = data->getSize();
    ASSERT_GE(size, 2u);
    int mapped = 0;
    for (std::size_t i = 0; i + 1 < size; i += 2) mapped += bytes[i] != 0 || bytes[i + 1] != 0;
    const std::string font = object.getKey("/BaseFont").unparse();
    EXPECT_LT(size, 2u * 0x10000) << font;
    EXPECT_TRUE(bytes[size - 2] != 0 || bytes[size - 1] != 0) << font << ": ends with the highest code drawn";
    EXPECT_LT(mapped, 100) << font << ": only the codes drawn";
  }
  EXPECT_GT(maps, 0);
}

}  // namespace
}  // namespace certd::render
