#include "render/font_tables.hpp"

#include <vector>

#include "render/utf8.hpp"

namespace certd::render {
namespace {

std::uint32_t read32(std::string_view bytes, std::size_t at) {
  return (std::uint32_t(std::uint8_t(bytes[at])) << 24) | (std::uint32_t(std::uint8_t(bytes[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(bytes[at + 2])) << 8) | std::uint32_t(std::uint8_t(bytes[at + 3]));
}

std::uint16_t read16(std::string_view bytes, std::size_t at) {
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

// Summed in place, the last word padded with zeros: a copy of a
// multi-megabyte glyf table for its padding cost more than the sum.
std::uint32_t checksum(std::string_view table) {
  std::uint32_t sum = 0;
  std::size_t whole = table.size() / 4 * 4;
  for (std::size_t at = 0; at < whole; at += 4) sum += read32(table, at);
  std::uint32_t last = 0;
  for (std::size_t at = whole; at < whole + 4; ++at)
    last = (last << 8) | (at < table.size() ? std::uint8_t(table[at]) : 0u);
  return whole < table.size() ? sum + last : sum;
}

std::string utf16be(const std::string& utf8) {
  std::string out;
  auto code_points = decode_utf8(utf8);
  if (!code_points) return out;
  for (char32_t code : *code_points) {
    if (code < 0x10000) {
      put16(out, code);
    } else {
      put16(out, 0xD800 + ((code - 0x10000) >> 10));
      put16(out, 0xDC00 + ((code - 0x10000) & 0x3FF));
    }
  }
  return out;
}

}  // namespace

std::optional<FontTables> read_font_tables(const std::string& font) {
  if (font.size() < 12 || read32(font, 0) != 0x00010000) return std::nullopt;
  std::size_t count = read16(font, 4);
  if (font.size() < 12 + 16 * count) return std::nullopt;
  FontTables tables;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t entry = 12 + 16 * i;
    std::uint32_t offset = read32(font, entry + 8), size = read32(font, entry + 12);
    if (std::size_t(offset) + size > font.size()) return std::nullopt;
    tables[read32(font, entry)] = std::string_view(font).substr(offset, size);
  }
  return tables;
}

std::string write_font_file(const FontTables& tables) {
  std::uint32_t power = 1, log2 = 0;
  while (power * 2 <= tables.size()) power *= 2, ++log2;
  std::size_t total = 12 + 16 * tables.size();
  for (const auto& [tag, table] : tables) total += (table.size() + 3) / 4 * 4;
  // One allocation: the file of a CJK face is megabytes, and every
  // reallocation is a copy and fresh pages to fault in (docs/libraries.md §9).
  std::string out;
  out.reserve(total);
  put32(out, 0x00010000);
  put16(out, static_cast<std::uint32_t>(tables.size()));
  put16(out, 16 * power);
  put16(out, log2);
  put16(out, static_cast<std::uint32_t>(16 * tables.size() - 16 * power));
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

std::string name_table(const std::string& family, const std::string& subfamily, const std::string& postscript) {
  // Name ids 1, 2, 4 and 6, in the order the format requires (by id).
  const std::vector<std::pair<std::uint16_t, std::string>> names = {
      {1, utf16be(family)},
      {2, utf16be(subfamily)},
      {4, utf16be(family + " " + subfamily)},
      {6, utf16be(postscript)},
  };
  std::string records, strings;
  for (const auto& [id, text] : names) {
    put16(records, 3);       // Windows
    put16(records, 1);       // Unicode BMP
    put16(records, 0x0409);  // en-US: the language libharu looks for
    put16(records, id);
    put16(records, static_cast<std::uint32_t>(text.size()));
    put16(records, static_cast<std::uint32_t>(strings.size()));
    strings += text;
  }
  std::string table;
  put16(table, 0);  // format
  put16(table, static_cast<std::uint32_t>(names.size()));
  put16(table, static_cast<std::uint32_t>(6 + records.size()));
  return table + records + strings;
}

}  // namespace certd::render
