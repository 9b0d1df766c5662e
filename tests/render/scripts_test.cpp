// Names in every script the shipped templates promise, checked as a person
// would: signed certificates read back with pdftotext and checked with
// `certd verify`; and a template that names one TTF file twice.

#include <gtest/gtest.h>

#include <filesystem>

#include "app/run_certd.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

using testing::ScratchDir;

// Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari, Thai, CJK, Korean.
const std::vector<std::string>& names() {
  static const std::vector<std::string> list = {
      "María de los Ángeles Fernández-Castellanos Ruiz",
      "Αλέξανδρος Παπαδόπουλος",
      "Анастасия Волкова",
      "محمد عبد الله",
      "שרה לוי",
      "क्षितिज शर्मा",
      "สมชาย น้ำใจ",
      "山田太郎",
      "김민준",
  };
  return list;
}

// pdftotext wraps right-to-left text in embedding marks (U+202B ... U+202C)
// and gives it in logical order; the marks are dropped before comparing.
std::string without_bidi_marks(std::string text) {
  for (const char* mark : {"\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u200E", "\u200F"})
    for (auto at = text.find(mark); at != std::string::npos; at = text.find(mark)) text.erase(at, std::string(mark).size());
  return text;
}

// Dark pixels of a grey rendering at 72 dpi inside a box in points from
// the top-left corner: ink where a field is drawn.
long ink_in(const std::string& pdf, int x, int y, int width, int height) {
  std::string pgm = testing::run_tool("pdftoppm -gray -r 72 -x " + std::to_string(x) + " -y " + std::to_string(y) +
                                      " -W " + std::to_string(width) + " -H " + std::to_string(height) + " '" + pdf +
                                      "'")
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

TEST(Scripts, EveryShippedTemplatePrintsANameInEachOfNineScriptsAndItVerifies) {
  ScratchDir dir;
  Signer signer = std::move(Signer::from_private_key_pem(*generate_private_key_pem())).value();
  std::filesystem::create_directories(dir.file("data"));
  dir.write("data/issuer.key", signer.private_key_pem());
  ::chmod(dir.file("data/issuer.key").c_str(), 0600);
  std::string config = dir.write("certd.yaml",
                                 "lms: {url: 'http://127.0.0.1:9', token_env: CERTD_TEST_UNSET}\n"
                                 "issuer: {name: Riverside Swim School, key_file: issuer.key}\n"
                                 "data_dir: " + dir.file("data") + "\n");
  int count = 0;
  for (const char* id : {"swim-level", "first-aid", "encouragement"}) {
    Template loaded = testing::load_demo(id);
    for (const std::string& name : names()) {
      CertificateData data = testing::fixed_data(name);
      data.teacher_name = name;
      auto rendered = render_certificate(loaded, data, signer);
      ASSERT_TRUE(rendered) << id << " " << name << ": " << rendered.error().to_string();
      std::string pdf = dir.write(std::string(id) + "-" + std::to_string(count++) + ".pdf", rendered->pdf);
      std::string text = without_bidi_marks(testing::pdftotext(pdf));
      EXPECT_NE(text.find(name + "\n"), std::string::npos) << id << " " << name << "\n" << text;
      EXPECT_NE(text.find(name), text.rfind(name)) << id << ": the teacher's line too\n" << text;
      auto verified = app::run_certd("verify --config " + config + " " + pdf);
      EXPECT_EQ(verified.exit_code, 0) << verified.output;
      EXPECT_NE(verified.output.find(": VALID"), std::string::npos) << verified.output;
    }
  }
}

TEST(Scripts, CjkInABoldFieldIsDrawnBold) {
  ScratchDir dir;
  Template loaded = testing::load_demo("first-aid");
  auto rendered = render_certificate(loaded, testing::fixed_data("山田太郎"), testing::test_signer());
  ASSERT_TRUE(rendered);
  std::string pdf = dir.write("c.pdf", rendered->pdf);
  std::string content = testing::run_tool("qpdf --qdf --object-streams=disable '" + pdf + "' -").output;
  EXPECT_NE(content.find("\n2 Tr\n"), std::string::npos) << "IPAGothic has no bold: filled and stroked";
}

// The issue: `sans` and the Arabic fallback were the same DejaVuSans.ttf;
// libharu took the second cut for the first (same PostScript name) and
// the name was drawn blank, while pdftotext still found it.
TEST(Scripts, ATemplateNamingOneFontFileTwiceDrawsWithBoth) {
  ScratchDir dir;
  const std::string dejavu = "/usr/share/fonts/truetype/dejavu/";
  std::string text = "version: 1\n"
                     "name: Alias test\n"
                     "number_prefix: AT\n"
                     "page: { size: A4, orientation: portrait }\n"
                     "fonts:\n"
                     "  serif: " + dejavu + "DejaVuSerif.ttf\n"
                     "  sans: " + dejavu + "DejaVuSans.ttf\n"
                     "  arabic: " + dejavu + "DejaVuSans.ttf\n"
                     "fallback_fonts: [arabic]\n"
                     "fields:\n"
                     "  - { text: Presented to, font: sans, size: 20, x: 50, y: 100 }\n"
                     "  - { text: \"{{student.fullname}}\", font: serif, size: 30, x: 50, y: 300, max_width: 400 }\n"
                     "qr: { x: 450, y: 700, size: 100 }\n";
  TemplateLoad load = load_template(text, dir.file("alias.yaml"));
  ASSERT_TRUE(load.ok()) << load.errors.front().to_string();
  auto rendered = render_certificate(*load.loaded, testing::fixed_data("محمد علي"), testing::test_signer());
  ASSERT_TRUE(rendered) << rendered.error().to_string();
  std::string pdf = dir.write("alias.pdf", rendered->pdf);
  EXPECT_NE(without_bidi_marks(testing::pdftotext(pdf)).find("محمد علي"), std::string::npos);
  EXPECT_GT(ink_in(pdf, 40, 260, 400, 60), 300) << "the name is drawn, not blank";
  std::string fonts = testing::run_tool("pdffonts '" + pdf + "'").output;
  EXPECT_NE(fonts.find("DejaVuSans_f1"), std::string::npos) << fonts;
  EXPECT_NE(fonts.find("DejaVuSans_f2"), std::string::npos) << fonts;
}

}  // namespace
}  // namespace certd::render
