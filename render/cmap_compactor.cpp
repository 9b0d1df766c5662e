#include "render/cmap_compactor.hpp"

#include <algorithm>

#include "render/font_tables.hpp"

namespace certd::render {
namespace {

// A hole this long costs 128 bytes of zeros in glyphIdArray; longer holes
// start a new segment.
constexpr char32_t k_max_hole = 64;

// A run this long of consecutive codes on consecutive glyphs becomes a
// segment of its own that needs no glyphIdArray (idDelta): large CJK and
// Hangul faces fit the format only that way.
constexpr std::size_t k_min_delta_run = 16;

struct Segment {
  char32_t start = 0;
  char32_t end = 0;
  std::size_t first = 0;  // index of `start` in the mapping
  bool delta = false;     // glyph = code + idDelta, no holes
};

void put16(std::string& out, std::uint32_t value) {
  out += static_cast<char>((value >> 8) & 0xFF);
  out += static_cast<char>(value & 0xFF);
}

void put32(std::string& out, std::uint32_t value) {
  put16(out, value >> 16);
  put16(out, value & 0xFFFF);
}

// Length of the run of consecutive codes on consecutive glyphs at `i`.
std::size_t delta_run(const std::vector<std::pair<char32_t, std::uint16_t>>& mapping, std::size_t i) {
  std::size_t end = i + 1;
  while (end < mapping.size() && mapping[end].first < 0xFFFF && mapping[end].first == mapping[end - 1].first + 1 &&
         mapping[end].second == mapping[end - 1].second + 1)
    ++end;
  return end - i;
}

std::vector<Segment> segments_of(const std::vector<std::pair<char32_t, std::uint16_t>>& mapping) {
  std::vector<Segment> segments;
  for (std::size_t i = 0; i < mapping.size();) {
    char32_t code = mapping[i].first;
    if (code >= 0xFFFF) break;
    std::size_t run = delta_run(mapping, i);
    if (run >= k_min_delta_run) {
      segments.push_back(Segment{code, mapping[i + run - 1].first, i, true});
      i += run;
      continue;
    }
    if (!segments.empty() && !segments.back().delta && code - segments.back().end <= k_max_hole)
      segments.back().end = code;
    else
      segments.push_back(Segment{code, code, i, false});
    ++i;
  }
  return segments;
}

// One format-4 subtable: a long run of consecutive glyphs is an idDelta
// segment, every other segment uses glyphIdArray (holes are 0), then the
// required 0xFFFF sentinel.
std::optional<std::string> format4(const std::vector<std::pair<char32_t, std::uint16_t>>& mapping) {
  std::vector<Segment> segments = segments_of(mapping);
  const std::size_t count = segments.size() + 1;
  std::vector<std::uint16_t> glyphs;
  std::vector<std::size_t> offsets;
  for (const Segment& segment : segments) {
    offsets.push_back(glyphs.size());
    if (segment.delta) continue;
    std::size_t next = segment.first;
    for (char32_t code = segment.start; code <= segment.end; ++code) {
      bool mapped = next < mapping.size() && mapping[next].first == code;
      glyphs.push_back(mapped ? mapping[next++].second : 0);
    }
  }
  const std::size_t length = 16 + 8 * count + 2 * glyphs.size();
  if (length > 0xFFFF) return std::nullopt;
  std::uint32_t power = 1, log2 = 0;
  while (power * 2 <= count) power *= 2, ++log2;
  std::string table;
  put16(table, 4);
  put16(table, static_cast<std::uint32_t>(length));
  put16(table, 0);  // language
  put16(table, static_cast<std::uint32_t>(2 * count));
  put16(table, 2 * power);
  put16(table, log2);
  put16(table, static_cast<std::uint32_t>(2 * count - 2 * power));
  for (const Segment& segment : segments) put16(table, segment.end);
  put16(table, 0xFFFF);
  put16(table, 0);  // reservedPad
  for (const Segment& segment : segments) put16(table, segment.start);
  put16(table, 0xFFFF);
  for (const Segment& segment : segments)  // idDelta, modulo 65536
    put16(table, segment.delta ? (mapping[segment.first].second - segment.start) & 0xFFFF : 0);
  put16(table, 1);  // the sentinel maps 0xFFFF to glyph 0
  // idRangeOffset: bytes from this entry to the segment's first glyph id.
  for (std::size_t i = 0; i < segments.size(); ++i)
    put16(table, segments[i].delta ? 0 : static_cast<std::uint32_t>(2 * (count - i) + 2 * offsets[i]));
  put16(table, 0);
  for (std::uint16_t glyph : glyphs) put16(table, glyph);
  return table;
}

}  // namespace

std::optional<std::string> cmap_table(const std::vector<std::pair<char32_t, std::uint16_t>>& mapping) {
  auto subtable = format4(mapping);
  if (!subtable) return std::nullopt;
  std::string cmap;
  put16(cmap, 0);   // version
  put16(cmap, 1);   // one encoding record
  put16(cmap, 3);   // Windows
  put16(cmap, 1);   // Unicode BMP
  put32(cmap, 12);  // offset of the subtable
  return cmap + *subtable;
}

std::optional<std::string> compact_cmap(const std::string& font,
                                        const std::vector<std::pair<char32_t, std::uint16_t>>& mapping) {
  auto cmap = cmap_table(mapping);
  auto tables = read_font_tables(font);
  const std::uint32_t cmap_tag = 0x636D6170;
  if (!cmap || !tables || !tables->count(cmap_tag)) return std::nullopt;
  (*tables)[cmap_tag] = *cmap;
  return write_font_file(*tables);
}

}  // namespace certd::render
