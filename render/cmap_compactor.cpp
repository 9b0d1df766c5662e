#include "render/cmap_compactor.hpp"

#include <algorithm>
#include <map>

namespace certd::render {
namespace {

// A hole this long costs 128 bytes of zeros in glyphIdArray; longer holes
// start a new segment.
constexpr char32_t k_max_hole = 64;

struct Segment {
  char32_t start = 0;
  char32_t end = 0;
  std::size_t first = 0;  // index of `start` in the mapping
};

std::uint32_t read32(const std::string& bytes, std::size_t at) {
  return (std::uint32_t(std::uint8_t(bytes[at])) << 24) | (std::uint32_t(std::uint8_t(bytes[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(bytes[at + 2])) << 8) | std::uint32_t(std::uint8_t(bytes[at + 3]));
}

std::uint16_t read16(const std::string& bytes, std::size_t at) {
  return static_cast<std::uint16_t>((std::uint8_t(bytes[at]) << 8) | std::uint8_t(bytes[at + 1]));
}

void put16(std::string& out, std::uint32_t value) {
  out += static_cast<char>((value >> 8) & 0xFF);
  out += static_cast<char>(value & 0xFF);
}

void put32(std::string& out, std::uint32_t value) {
  put16(out, value >> 16);
  put16(out, value & 0xFFFF);
}

std::uint32_t checksum(const std::string& table) {
  std::string padded = table;
  padded.resize((padded.size() + 3) / 4 * 4, '\0');
  std::uint32_t sum = 0;
  for (std::size_t at = 0; at < padded.size(); at += 4) sum += read32(padded, at);
  return sum;
}

std::vector<Segment> segments_of(const std::vector<std::pair<char32_t, std::uint16_t>>& mapping) {
  std::vector<Segment> segments;
  for (std::size_t i = 0; i < mapping.size(); ++i) {
    char32_t code = mapping[i].first;
    if (code >= 0xFFFF) break;
    if (!segments.empty() && code - segments.back().end <= k_max_hole)
      segments.back().end = code;
    else
      segments.push_back(Segment{code, code, i});
  }
  return segments;
}

// One format-4 subtable: every real segment uses glyphIdArray (holes are
// 0), then the required 0xFFFF sentinel.
std::optional<std::string> format4(const std::vector<std::pair<char32_t, std::uint16_t>>& mapping) {
  std::vector<Segment> segments = segments_of(mapping);
  const std::size_t count = segments.size() + 1;
  std::vector<std::uint16_t> glyphs;
  std::vector<std::size_t> offsets;
  for (const Segment& segment : segments) {
    offsets.push_back(glyphs.size());
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
  for (std::size_t i = 0; i < segments.size(); ++i) put16(table, 0);  // idDelta
  put16(table, 1);  // the sentinel maps 0xFFFF to glyph 0
  // idRangeOffset: bytes from this entry to the segment's first glyph id.
  for (std::size_t i = 0; i < segments.size(); ++i)
    put16(table, static_cast<std::uint32_t>(2 * (count - i) + 2 * offsets[i]));
  put16(table, 0);
  for (std::uint16_t glyph : glyphs) put16(table, glyph);
  return table;
}

// Reassembles the font with `cmap` in place of the old table.
std::optional<std::string> replace_cmap(const std::string& font, const std::string& cmap) {
  if (font.size() < 12 || read32(font, 0) != 0x00010000) return std::nullopt;
  std::size_t count = read16(font, 4);
  if (font.size() < 12 + 16 * count) return std::nullopt;
  std::map<std::uint32_t, std::string> tables;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t entry = 12 + 16 * i;
    std::uint32_t offset = read32(font, entry + 8), size = read32(font, entry + 12);
    if (std::size_t(offset) + size > font.size()) return std::nullopt;
    tables[read32(font, entry)] = font.substr(offset, size);
  }
  const std::uint32_t cmap_tag = 0x636D6170;
  if (!tables.count(cmap_tag)) return std::nullopt;
  tables[cmap_tag] = cmap;
  std::string out = font.substr(0, 12);
  std::size_t offset = 12 + 16 * tables.size();
  for (const auto& [tag, table] : tables) {
    put32(out, tag);
    put32(out, checksum(table));
    put32(out, static_cast<std::uint32_t>(offset));
    put32(out, static_cast<std::uint32_t>(table.size()));
    offset += (table.size() + 3) / 4 * 4;
  }
  for (const auto& [tag, table] : tables) {
    out += table;
    out.resize((out.size() + 3) / 4 * 4, '\0');
  }
  return out;
}

}  // namespace

std::optional<std::string> compact_cmap(const std::string& font,
                                        const std::vector<std::pair<char32_t, std::uint16_t>>& mapping) {
  auto subtable = format4(mapping);
  if (!subtable) return std::nullopt;
  std::string cmap;
  put16(cmap, 0);   // version
  put16(cmap, 1);   // one encoding record
  put16(cmap, 3);   // Windows
  put16(cmap, 1);   // Unicode BMP
  put32(cmap, 12);  // offset of the subtable
  cmap += *subtable;
  return replace_cmap(font, cmap);
}

}  // namespace certd::render
