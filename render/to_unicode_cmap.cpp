#include "render/to_unicode_cmap.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace certd::render {
namespace {

// PDF 32000-1 §9.10.3 (after the CMap specification, Adobe TN 5014):
// at most 100 entries between begin... and end....
constexpr std::size_t k_block_entries = 100;

struct Run {
  char32_t first = 0;
  char32_t last = 0;
};

bool is_code(char32_t code_point) { return code_point <= 0xFFFF && (code_point < 0xD800 || code_point > 0xDFFF); }

// Consecutive code points with the same high byte: a bfrange may only vary
// its last byte.
std::vector<Run> runs_of(const std::set<char32_t>& code_points) {
  std::vector<Run> runs;
  for (char32_t code : code_points) {
    if (!is_code(code)) continue;
    if (!runs.empty() && code == runs.back().last + 1 && (code >> 8) == (runs.back().first >> 8))
      runs.back().last = code;
    else
      runs.push_back(Run{code, code});
  }
  return runs;
}

std::string hex4(char32_t code) {
  char text[8];
  std::snprintf(text, sizeof text, "<%04X>", static_cast<unsigned>(code));
  return text;
}

// `entries` in blocks of at most 100, each "N begin<kind> ... end<kind>".
void write_blocks(std::string& out, const std::vector<std::string>& entries, const char* kind) {
  for (std::size_t start = 0; start < entries.size(); start += k_block_entries) {
    std::size_t count = std::min(k_block_entries, entries.size() - start);
    out += std::to_string(count) + " begin" + kind + "\n";
    for (std::size_t i = start; i < start + count; ++i) out += entries[i] + "\n";
    out += std::string("end") + kind + "\n";
  }
}

std::string utf16_hex(const std::u32string& text) {
  std::string out = "<";
  char unit[8];
  auto put = [&](unsigned value) {
    std::snprintf(unit, sizeof unit, "%04X", value);
    out += unit;
  };
  for (char32_t code : text) {
    if (code < 0x10000) {
      put(static_cast<unsigned>(code));
    } else {
      put(0xD800 + static_cast<unsigned>((code - 0x10000) >> 10));
      put(0xDC00 + static_cast<unsigned>((code - 0x10000) & 0x3FF));
    }
  }
  return out + ">";
}

}  // namespace

std::string to_unicode_cmap(const std::set<char32_t>& code_points, const std::map<char32_t, std::u32string>& texts) {
  std::vector<std::string> chars, ranges;
  std::set<char32_t> identity;
  for (char32_t code : code_points) {
    auto text = texts.find(code);
    if (text == texts.end())
      identity.insert(code);
    else if (is_code(code))
      chars.push_back(hex4(code) + " " + utf16_hex(text->second));
  }
  for (const Run& run : runs_of(identity)) {
    // Identity: the code is the code point, and a BMP code point outside
    // the surrogates is its own single UTF-16BE unit.
    if (run.first == run.last)
      chars.push_back(hex4(run.first) + " " + hex4(run.first));
    else
      ranges.push_back(hex4(run.first) + " " + hex4(run.last) + " " + hex4(run.first));
  }
  std::string out =
      "/CIDInit /ProcSet findresource begin\n"
      "12 dict begin\n"
      "begincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n"
      "/CMapType 2 def\n"
      "1 begincodespacerange\n"
      "<0000> <FFFF>\n"
      "endcodespacerange\n";
  write_blocks(out, chars, "bfchar");
  write_blocks(out, ranges, "bfrange");
  out +=
      "endcmap\n"
      "CMapName currentdict /CMap defineresource pop\n"
      "end\n"
      "end\n";
  return out;
}

}  // namespace certd::render
