// "Every name prints, or nothing is issued": the check reads only the
// finished PDF, so it is tested on PDFs changed the way a drawing bug
// would leave them (a glyph mapped to .notdef or to an empty outline, a
// name not drawn), and on the template that once signed a blank name.
#include "render/glyph_check.hpp"

#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>

#include <functional>
#include <map>

#include <gtest/gtest.h>

#include "render/pdf_verifier.hpp"
#include "qpdf_rewrite.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

using testing::fixed_data;
using testing::ScratchDir;
using testing::test_signer;

using testing::rewrite;

std::string data_of(QPDFObjectHandle stream) {
  std::shared_ptr<Buffer> data = stream.getStreamData(qpdf_dl_generalized);
  return std::string(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
}

// Rewrites every font's CIDToGIDMap entry of `code` with what `gid`
// computes from the map (the drawing bug: a code that reaches the wrong
// glyph).
std::string remap(const std::string& pdf, std::uint32_t code,
                  const std::function<std::uint32_t(const std::string& map)>& gid) {
  return rewrite(pdf, [&](QPDF& document) {
    for (QPDFObjectHandle& object : document.getAllObjects()) {
      if (!object.isDictionary() || !object.getKey("/Subtype").isNameAndEquals("/CIDFontType2")) continue;
      QPDFObjectHandle map = object.getKey("/CIDToGIDMap");
      ASSERT_TRUE(map.isStream());
      std::string entries = data_of(map);
      ASSERT_GT(entries.size(), 2 * code + 1);
      std::uint32_t to = gid(entries);
      entries[2 * code] = static_cast<char>(to >> 8);
      entries[2 * code + 1] = static_cast<char>(to & 0xff);
      map.replaceStreamData(entries, QPDFObjectHandle::newNull(), QPDFObjectHandle::newNull());
    }
  });
}

std::uint32_t gid_of(const std::string& map, std::uint32_t code) {
  return (static_cast<unsigned char>(map[2 * code]) << 8) | static_cast<unsigned char>(map[2 * code + 1]);
}

class GlyphCheck : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Template loaded = testing::load_demo("first-aid");
    s_pdf = new std::string(render_certificate(loaded, fixed_data(), test_signer(1))->pdf);
  }
  static void TearDownTestSuite() { delete s_pdf; }
  static std::string* s_pdf;
  const std::vector<FieldText> m_name{{"student", "Zoë Ångström-Łukasiewicz"}};
};

std::string* GlyphCheck::s_pdf = nullptr;

TEST_F(GlyphCheck, PassesACertificateThatDrawsEveryCharacter) {
  Status checked = check_glyphs(*s_pdf, m_name);
  EXPECT_TRUE(checked) << checked.error().message();
}

TEST_F(GlyphCheck, RefusesACharacterDrawnAsNotdef) {
  std::string broken = remap(*s_pdf, U'Z', [](const std::string&) { return 0u; });
  Status checked = check_glyphs(broken, m_name);
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message().find("'student'"), std::string::npos) << checked.error().message();
  EXPECT_NE(checked.error().message().find("U+005A"), std::string::npos) << checked.error().message();
  EXPECT_NE(checked.error().message().find(".notdef"), std::string::npos) << checked.error().message();
}

TEST_F(GlyphCheck, RefusesACharacterDrawnWithAnEmptyOutline) {
  // 'Z' drawn with the glyph of the space: a blank where the letter was.
  std::string broken = remap(*s_pdf, U'Z', [](const std::string& map) { return gid_of(map, U' '); });
  Status checked = check_glyphs(broken, m_name);
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message().find("blank"), std::string::npos) << checked.error().message();
  EXPECT_NE(checked.error().message().find("U+005A"), std::string::npos) << checked.error().message();
}

TEST_F(GlyphCheck, RefusesAGlyphTheFontDoesNotHave) {
  std::string broken = remap(*s_pdf, U'Z', [](const std::string&) { return 0xfff0u; });
  Status checked = check_glyphs(broken, m_name);
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message().find("lacks"), std::string::npos) << checked.error().message();
}

TEST_F(GlyphCheck, RefusesANameThatIsNotDrawn) {
  std::string blank = rewrite(*s_pdf, [](QPDF& document) {
    QPDFObjectHandle page = document.getAllPages().at(0);
    QPDFObjectHandle contents = page.getKey("/Contents");
    std::string content = data_of(contents);
    // The 'Z' of the name, whether shown alone or at the start of a run.
    std::size_t at = content.find("<005A");  // libharu writes upper-case hex
    ASSERT_NE(at, std::string::npos);
    content.erase(at + 1, 4);
    contents.replaceStreamData(content, QPDFObjectHandle::newNull(), QPDFObjectHandle::newNull());
  });
  Status checked = check_glyphs(blank, m_name);
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message().find("not drawn"), std::string::npos) << checked.error().message();
  EXPECT_NE(checked.error().message().find("'student'"), std::string::npos) << checked.error().message();
}

// Ink in the name's box, at 72 dpi (one pixel per point).
long ink_in_box(const std::string& pdf_file, int x, int y, int width, int height) {
  std::string pgm = testing::run_tool("pdftoppm -gray -r 72 -x " + std::to_string(x) + " -y " + std::to_string(y) +
                                      " -W " + std::to_string(width) + " -H " + std::to_string(height) + " '" +
                                      pdf_file + "'")
                        .output;
  std::istringstream in(pgm);
  std::string magic;
  int w = 0, h = 0, max = 0;
  in >> magic >> w >> h >> max;
  in.get();
  long dark = 0;
  for (int i = 0; i < w * h; ++i)
    if (in.get() < 128) ++dark;
  return dark;
}

// The template that once signed a blank name: DejaVu Sans named twice,
// as the field's font and as the Arabic fallback. Whatever the drawing
// code does with it, a signed certificate shows the name (ink where the
// name goes, each character in the text layer); otherwise it is refused.
TEST(GlyphCheckTemplate, NeverSignsABlankNameWhenTheFallbackIsTheSameFile) {
  ScratchDir dir;
  std::string text = "version: 1\nname: Same file\nnumber_prefix: SF\npage: { size: A4, orientation: portrait }\n"
                     "fonts: { sans: /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf,"
                     " arabic: /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf }\n"
                     "fallback_fonts: [arabic]\n"
                     "fields:\n  - { name: student, text: \"{{student.fullname}}\", font: sans, size: 30, x: 40, y: 200 }\n"
                     "qr: { x: 400, y: 700, size: 100 }\n";
  TemplateLoad load = load_template(text, dir.file("same-file.yaml"));
  ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
  for (const std::string name : {"مريم أحمد", "Zoë مريم"}) {
    auto rendered = render_certificate(*load.loaded, fixed_data(name), test_signer(1));
    if (!rendered) {
      EXPECT_NE(rendered.error().message().find("'student'"), std::string::npos) << rendered.error().message();
      continue;
    }
    std::string file = dir.write("signed.pdf", rendered->pdf);
    EXPECT_GT(ink_in_box(file, 30, 160, 500, 55), 300) << name << ": signed with the name blank";
    std::string layer = testing::pdftotext(file);
    for (const std::string word : {"مريم", "أحمد", "Zoë"})
      if (name.find(word) != std::string::npos)
        for (std::size_t i = 0; i < word.size();) {
          std::size_t length = (word[i] & 0x80) == 0 ? 1 : (word[i] & 0xE0) == 0xC0 ? 2 : 3;
          EXPECT_NE(layer.find(word.substr(i, length)), std::string::npos) << name << ": " << word.substr(i, length);
          i += length;
        }
    EXPECT_EQ(verify_pdf(rendered->pdf, test_signer(1).public_key()).verdict, PdfVerdict::valid);
  }
}

}  // namespace
}  // namespace certd::render
