// The /ToUnicode maps of our PDFs: the CMap writer, the content scanner
// that says which codes a page shows, and every demo certificate as poppler
// and qpdf read it (no warning; names copy out as the right characters).

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <regex>

#include "core/file_util.hpp"
#include "render/shown_codes.hpp"
#include "render/to_unicode_cmap.hpp"
#include "render/utf8.hpp"
#include "render_test_util.hpp"

namespace certd::render {
namespace {

using testing::ScratchDir;

// What a reader does with our CMap: every bfchar and bfrange entry,
// expanded (a bfchar to several characters or none, a shaped glyph's, is
// checked and counted but not in the map of single characters); fails the test on a block over 100 entries, a count that does
// not match, or a range across a change of the high byte.
std::map<char32_t, char32_t> read_cmap(const std::string& cmap) {
  std::map<char32_t, char32_t> mapping;
  std::istringstream in(cmap);
  std::string line;
  std::size_t expected = 0, seen = 0;
  std::string block;
  const std::regex begin(R"(^(\d+) begin(bfchar|bfrange)$)");
  const std::regex bfchar(R"(^<([0-9A-F]{4})> <((?:[0-9A-F]{4})*)>$)");
  const std::regex bfrange(R"(^<([0-9A-F]{4})> <([0-9A-F]{4})> <([0-9A-F]{4})>$)");
  std::smatch match;
  while (std::getline(in, line)) {
    if (std::regex_match(line, match, begin)) {
      expected = std::stoul(match[1]);
      block = match[2];
      seen = 0;
      EXPECT_GE(expected, 1u);
      EXPECT_LE(expected, 100u);
    } else if (line == "end" + block && !block.empty()) {
      EXPECT_EQ(seen, expected) << block;
      block.clear();
    } else if (block == "bfchar" && std::regex_match(line, match, bfchar)) {
      ++seen;
      if (match[2].length() == 4)
        mapping[static_cast<char32_t>(std::stoul(match[1], nullptr, 16))] =
            static_cast<char32_t>(std::stoul(match[2], nullptr, 16));
    } else if (block == "bfrange" && std::regex_match(line, match, bfrange)) {
      ++seen;
      auto low = static_cast<char32_t>(std::stoul(match[1], nullptr, 16));
      auto high = static_cast<char32_t>(std::stoul(match[2], nullptr, 16));
      auto target = static_cast<char32_t>(std::stoul(match[3], nullptr, 16));
      EXPECT_LT(low, high) << line;
      EXPECT_EQ(low >> 8, high >> 8) << "a bfrange may vary only its last byte: " << line;
      for (char32_t code = low; code <= high; ++code) mapping[code] = target + (code - low);
    } else {
      EXPECT_TRUE(block.empty()) << "unexpected line in a " << block << " block: " << line;
    }
  }
  EXPECT_TRUE(block.empty()) << "unterminated " << block;
  return mapping;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

TEST(ToUnicodeCmap, IsAStandardCMapEvenWhenEmpty) {
  std::string cmap = to_unicode_cmap({});
  EXPECT_EQ(cmap.rfind("/CIDInit /ProcSet findresource begin\n", 0), 0u) << cmap;
  EXPECT_NE(cmap.find("/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"), std::string::npos);
  EXPECT_NE(cmap.find("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"), std::string::npos);
  EXPECT_NE(cmap.find("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"), std::string::npos);
  EXPECT_EQ(cmap.find("cidrange"), std::string::npos);
  EXPECT_EQ(cmap.find("beginbf"), std::string::npos) << "no empty blocks";
}

TEST(ToUnicodeCmap, SinglesAreBfcharRunsAreBfrange) {
  std::string cmap = to_unicode_cmap({U'A', U'C', U'D', U'E', U'Ж'});
  EXPECT_NE(cmap.find("2 beginbfchar\n<0041> <0041>\n<0416> <0416>\nendbfchar\n"), std::string::npos) << cmap;
  EXPECT_NE(cmap.find("1 beginbfrange\n<0043> <0045> <0043>\nendbfrange\n"), std::string::npos) << cmap;
}

TEST(ToUnicodeCmap, RangesStopAtEveryChangeOfTheHighByte) {
  std::set<char32_t> codes;
  for (char32_t code = 0x00F0; code <= 0x0210; ++code) codes.insert(code);
  std::string cmap = to_unicode_cmap(codes);
  EXPECT_NE(cmap.find("3 beginbfrange\n<00F0> <00FF> <00F0>\n<0100> <01FF> <0100>\n<0200> <0210> <0200>\nendbfrange\n"),
            std::string::npos)
      << cmap;
  // A run whose only member past the boundary is alone there: a bfchar.
  cmap = to_unicode_cmap({0x4EFE, 0x4EFF, 0x4F00});
  EXPECT_NE(cmap.find("1 beginbfchar\n<4F00> <4F00>\nendbfchar\n1 beginbfrange\n<4EFE> <4EFF> <4EFE>\nendbfrange\n"),
            std::string::npos)
      << cmap;
}

TEST(ToUnicodeCmap, BlocksHoldAtMostAHundredEntries) {
  std::set<char32_t> singles, ranges;
  for (char32_t i = 0; i < 250; ++i) singles.insert(0x4E00 + 2 * i);  // CJK: every other ideograph
  for (char32_t i = 0; i < 201; ++i) ranges.insert({0x1000 + 4 * i, 0x1001 + 4 * i});
  std::string cmap = to_unicode_cmap(singles);
  EXPECT_EQ(count_of(cmap, "\n100 beginbfchar\n"), 2u) << cmap;
  EXPECT_EQ(count_of(cmap, "\n50 beginbfchar\n"), 1u);
  EXPECT_EQ(count_of(cmap, "endbfchar\n"), 3u);
  cmap = to_unicode_cmap(ranges);
  EXPECT_EQ(count_of(cmap, "\n100 beginbfrange\n"), 2u) << cmap;
  EXPECT_EQ(count_of(cmap, "\n1 beginbfrange\n"), 1u);
  EXPECT_EQ(read_cmap(cmap).size(), 402u);
}

TEST(ToUnicodeCmap, LeavesOutSurrogatesAndCodePointsBeyondTheBmp) {
  std::set<char32_t> codes = {0xD7FE, 0xD7FF, 0xD800, 0xDB7F, 0xDC00, 0xDFFF, 0xE000, 0xE001, 0xFFFF, 0x10000, 0x1F600};
  std::map<char32_t, char32_t> mapping = read_cmap(to_unicode_cmap(codes));
  std::map<char32_t, char32_t> expected = {{0xD7FE, 0xD7FE}, {0xD7FF, 0xD7FF}, {0xE000, 0xE000},
                                           {0xE001, 0xE001}, {0xFFFF, 0xFFFF}};
  EXPECT_EQ(mapping, expected);
}

TEST(ToUnicodeCmap, MapsExactlyTheGivenCodePointsToThemselves) {
  std::mt19937 random(20261123);
  for (int round = 0; round < 50; ++round) {
    std::set<char32_t> codes;
    std::uniform_int_distribution<char32_t> start(0, 0xFFFF);
    std::uniform_int_distribution<int> length(1, 300);
    for (int run = 0; run < 20; ++run) {
      char32_t first = start(random);
      for (int i = length(random); i > 0; --i) codes.insert(first++);
    }
    std::map<char32_t, char32_t> expected;
    for (char32_t code : codes)
      if (code <= 0xFFFF && (code < 0xD800 || code > 0xDFFF)) expected[code] = code;
    ASSERT_EQ(read_cmap(to_unicode_cmap(codes)), expected) << "round " << round;
  }
}

TEST(ToUnicodeCmap, MapsTheCodesOfShapedGlyphsToTheirCharacters) {
  // A lam-alef ligature stands for two characters, in logical order; the
  // second glyph of one character stands for none; others are themselves.
  std::string cmap = to_unicode_cmap({U'A', 0xE001, 0xE002, 0xE003},
                                     {{0xE001, U"\u0644\u0627"}, {0xE002, U""}, {0xE003, U"fi"}, {0xE009, U"x"}});
  EXPECT_NE(cmap.find("<E001> <06440627>\n"), std::string::npos) << cmap;
  EXPECT_NE(cmap.find("<E002> <>\n"), std::string::npos) << cmap;
  EXPECT_NE(cmap.find("<E003> <00660069>\n"), std::string::npos) << cmap;
  EXPECT_NE(cmap.find("<0041> <0041>\n"), std::string::npos) << cmap;
  EXPECT_EQ(cmap.find("E009"), std::string::npos) << "a code not shown is not mapped";
  EXPECT_EQ(count_of(cmap, "<E00"), 3u);
}

TEST(ShownCodes, ReadsTwoByteCodesPerFontThroughSaveAndRestore) {
  auto codes = shown_codes(
      "% a comment with <0099> Tj in it\n"
      "BT /F1 12 Tf 10 20 Td <0041 0042> Tj ET\n"
      "q /F2 9 Tf BT [<0416> -120 <04 17>] TJ 1 2 <4E2D> \" ET Q\n"
      "BT 0 -14 TD (\\000C\\(\\051) ' <00440> Tj ET\n"
      "0 0 1 rg 10 10 5 5 re f /Im1 Do\n");
  std::map<std::string, std::set<char32_t>> expected = {
      {"F1", {0x41, 0x42, 0x43, 0x2829, 0x44}},  // back to F1 after Q; "<00440>" is <004400>, its odd byte dropped
      {"F2", {0x416, 0x417, 0x4E2D}},
  };
  EXPECT_EQ(codes, expected);
}

TEST(ShownCodes, IgnoresTextWithoutAFontAndInlineImageData) {
  auto codes = shown_codes("BT <0041> Tj ET BI /W 2 /H 1 /BPC 8 /CS /G ID \x01<0042> Tj\xff EI BT /F3 8 Tf <0043> Tj ET");
  std::map<std::string, std::set<char32_t>> expected = {{"F3", {0x43}}};
  EXPECT_EQ(codes, expected);
}

// Runs `command`; its stdout, and its stderr into `error_output`.
std::string run_with_stderr(const std::string& command, const ScratchDir& dir, std::string& error_output) {
  std::string error_file = dir.file("stderr.txt");
  // In a subshell: run_tool sends the stderr of the whole line to /dev/null.
  std::string output = testing::run_tool("(" + command + " 2>'" + error_file + "')").output;
  error_output = read_file(error_file, 1 << 20).value_or(std::string("(no stderr file)"));
  return output;
}

// Every ToUnicode stream of `pdf` (uncompressed by qpdf), in file order.
std::vector<std::string> to_unicode_streams(const std::string& pdf, const ScratchDir& dir) {
  std::string qdf = dir.file("qdf.pdf");
  testing::run_tool("qpdf --qdf --object-streams=disable '" + pdf + "' '" + qdf + "'");
  std::string bytes = read_file(qdf, 1 << 26).value_or(std::string());
  std::vector<std::string> streams;
  for (std::size_t at = bytes.find("/CIDInit"); at != std::string::npos; at = bytes.find("/CIDInit", at + 1))
    streams.push_back(bytes.substr(at, bytes.find("endstream", at) - at));
  return streams;
}

struct Person {
  const char* script;
  const char* name;
};

constexpr Person k_people[] = {
    {"Latin with diacritics", "Zoë Ångström-Łukasiewicz"},
    {"Cyrillic", "Алексей Смирнов"},
    {"Chinese", "王小明"},
    {"Korean", "김민준"},
};

class DemoCertificates : public ::testing::TestWithParam<const char*> {};

TEST_P(DemoCertificates, PopplerAndQpdfReadThemWithoutWarningAndNamesCopyOutExactly) {
  Template loaded = testing::load_demo(GetParam());
  Signer signer = testing::test_signer();
  ScratchDir dir;
  for (const Person& person : k_people) {
    SCOPED_TRACE(std::string(GetParam()) + ", " + person.script);
    CertificateData data = testing::fixed_data(person.name);
    data.course_name = "Первая помощь · 応急手当 · 응급처치";
    data.teacher_name = "Łucja Nováková";
    auto rendered = render_certificate(loaded, data, signer);
    ASSERT_TRUE(rendered) << rendered.error().to_string();
    std::string pdf = dir.write("c.pdf", rendered->pdf);

    std::string errors;
    std::string text = run_with_stderr("pdftotext -enc UTF-8 '" + pdf + "' -", dir, errors);
    EXPECT_EQ(errors, "") << "pdftotext printed warnings";
    EXPECT_NE(text.find(person.name), std::string::npos) << person.name << " not in:\n" << text;
    EXPECT_NE(text.find("Łucja Nováková"), std::string::npos) << text;

    std::string check = run_with_stderr("qpdf --check '" + pdf + "'", dir, errors);
    EXPECT_EQ(errors, "");
    EXPECT_NE(check.find("No syntax or stream encoding errors found"), std::string::npos) << check;
    EXPECT_EQ(check.find("WARNING"), std::string::npos) << check;

    // One standard map per font, mapping exactly what the name needs among
    // others, and never the whole code space.
    std::vector<std::string> streams = to_unicode_streams(pdf, dir);
    ASSERT_FALSE(streams.empty());
    std::map<char32_t, char32_t> all;
    for (const std::string& stream : streams) {
      EXPECT_EQ(stream.find("cidrange"), std::string::npos) << stream;
      EXPECT_NE(stream.find("/CMapName /Adobe-Identity-UCS def"), std::string::npos) << stream;
      std::map<char32_t, char32_t> mapping = read_cmap(stream);
      EXPECT_LT(mapping.size(), 200u) << "only the characters drawn";
      all.insert(mapping.begin(), mapping.end());
    }
    auto name_codes = decode_utf8(person.name);
    ASSERT_TRUE(name_codes);
    for (char32_t code : *name_codes) EXPECT_EQ(all[code], code) << describe_code_point(code);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryTemplate, DemoCertificates,
                         ::testing::Values("first-aid", "swim-level", "encouragement"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                           return name;
                         });

}  // namespace
}  // namespace certd::render
