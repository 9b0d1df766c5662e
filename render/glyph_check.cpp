#include "render/glyph_check.hpp"

#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageObjectHelper.hh>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <set>

#include "render/utf8.hpp"

namespace certd::render {
namespace {

// Characters drawn without ink on purpose: spaces, and format characters
// a shaper keeps as empty glyphs (joiners, marks of direction).
bool is_blank(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == 0x00A0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200F) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x2060 || c == 0x3000 || c == 0xFEFF || c == 0x034F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

// A stream's decoded data; kept in `decoded`, when given, for the page
// digest (decoded_streams.hpp).
std::string bytes_of(QPDFObjectHandle stream, DecodedStreams* decoded) {
  std::shared_ptr<Buffer> data = stream.getStreamData(qpdf_dl_generalized);
  std::string bytes(reinterpret_cast<const char*>(data->getBuffer()), data->getSize());
  if (decoded) (*decoded)[{stream.getObjectID(), stream.getGeneration()}] = bytes;
  return bytes;
}

std::uint32_t big_endian(std::string_view bytes, std::size_t at, int width) {
  std::uint32_t value = 0;
  for (int i = 0; i < width; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// What the embedded TrueType program says of its glyphs: how many, and
// which have an outline (loca: glyph g spans offsets [g, g + 1) of glyf).
class TrueTypeGlyphs {
 public:
  explicit TrueTypeGlyphs(std::string font) : m_font(std::move(font)) {
    if (m_font.size() < 12) return;
    std::uint32_t tables = big_endian(m_font, 4, 2);
    std::map<std::string, std::pair<std::uint32_t, std::uint32_t>> directory;
    for (std::uint32_t i = 0; i < tables && 12 + 16 * (i + 1) <= m_font.size(); ++i) {
      std::size_t record = 12 + 16 * i;
      std::uint32_t offset = big_endian(m_font, record + 8, 4);
      std::uint32_t length = big_endian(m_font, record + 12, 4);
      if (offset <= m_font.size() && length <= m_font.size() - offset)
        directory[m_font.substr(record, 4)] = {offset, length};
    }
    auto maxp = directory.find("maxp");
    auto head = directory.find("head");
    auto loca = directory.find("loca");
    if (maxp == directory.end() || maxp->second.second < 6 || head == directory.end() || head->second.second < 54 ||
        loca == directory.end())
      return;
    m_glyphs = big_endian(m_font, maxp->second.first + 4, 2);
    m_long_offsets = big_endian(m_font, head->second.first + 50, 2) == 1;
    m_loca = loca->second.first;
    m_loca_length = loca->second.second;
    m_readable = true;
  }

  bool readable() const { return m_readable; }
  std::uint32_t count() const { return m_glyphs; }

  bool has_outline(std::uint32_t gid) const {
    int width = m_long_offsets ? 4 : 2;
    if (gid >= m_glyphs || (static_cast<std::size_t>(gid) + 2) * width > m_loca_length) return false;
    std::uint32_t start = big_endian(m_font, m_loca + gid * width, width);
    std::uint32_t end = big_endian(m_font, m_loca + (gid + 1) * width, width);
    return end > start;
  }

 private:
  std::string m_font;
  bool m_readable = false;
  std::uint32_t m_glyphs = 0;
  bool m_long_offsets = false;
  std::size_t m_loca = 0;
  std::size_t m_loca_length = 0;
};

std::u32string utf16_be(std::string_view bytes) {
  std::u32string text;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    char32_t unit = big_endian(bytes, i, 2);
    if (unit >= 0xD800 && unit < 0xDC00 && i + 3 < bytes.size()) {
      char32_t low = big_endian(bytes, i + 2, 2);
      text += 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    } else {
      text += unit;
    }
  }
  return text;
}

std::string hex_bytes(std::string_view hex) {
  std::string bytes;
  std::string digits;
  for (char c : hex)
    if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  if (digits.size() % 2) digits += '0';
  for (std::size_t i = 0; i < digits.size(); i += 2) bytes += static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16));
  return bytes;
}

// A ToUnicode CMap's bfchar and bfrange entries (PDF 32000-1 §9.10.3):
// code -> the characters its glyph stands for.
std::map<std::uint32_t, std::u32string> parse_to_unicode(std::string_view cmap) {
  std::vector<std::string> tokens;  // "<hex bytes", "[", "]", keywords
  for (std::size_t i = 0; i < cmap.size();) {
    char c = cmap[i];
    if (c == '<' && i + 1 < cmap.size() && cmap[i + 1] != '<') {
      std::size_t end = cmap.find('>', i);
      if (end == std::string_view::npos) break;
      tokens.push_back("<" + hex_bytes(cmap.substr(i + 1, end - i - 1)));
      i = end + 1;
    } else if (c == '[' || c == ']') {
      tokens.emplace_back(1, c);
      ++i;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      std::size_t end = i;
      while (end < cmap.size() && std::isalnum(static_cast<unsigned char>(cmap[end]))) ++end;
      tokens.emplace_back(cmap.substr(i, end - i));
      i = end;
    } else {
      ++i;
    }
  }
  std::map<std::uint32_t, std::u32string> map;
  auto code = [](const std::string& token) { return big_endian(token, 1, static_cast<int>(std::min<std::size_t>(token.size() - 1, 4))); };
  auto is_hex = [](const std::string& token) { return token.size() > 1 && token[0] == '<'; };
  std::string section;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] == "beginbfchar" || tokens[i] == "beginbfrange") section = tokens[i];
    else if (tokens[i] == "endbfchar" || tokens[i] == "endbfrange") section.clear();
    else if (section == "beginbfchar" && i + 1 < tokens.size() && is_hex(tokens[i]) && is_hex(tokens[i + 1])) {
      map[code(tokens[i])] = utf16_be(std::string_view(tokens[i + 1]).substr(1));
      ++i;
    } else if (section == "beginbfrange" && i + 2 < tokens.size() && is_hex(tokens[i]) && is_hex(tokens[i + 1])) {
      std::uint32_t low = code(tokens[i]);
      std::uint32_t high = std::min<std::uint32_t>(code(tokens[i + 1]), low + 0xFFFF);
      if (is_hex(tokens[i + 2])) {
        std::u32string first = utf16_be(std::string_view(tokens[i + 2]).substr(1));
        for (std::uint32_t c = low; c <= high && !first.empty(); ++c) {
          map[c] = first;
          ++first.back();  // the last character counts up along the range
        }
        i += 2;
      } else if (tokens[i + 2] == "[") {
        std::size_t j = i + 3;
        for (std::uint32_t c = low; c <= high && j < tokens.size() && is_hex(tokens[j]); ++c, ++j)
          map[c] = utf16_be(std::string_view(tokens[j]).substr(1));
        while (j < tokens.size() && tokens[j] != "]") ++j;
        i = j;
      }
    }
  }
  return map;
}

// One Type0 font as the check needs it.
struct FontFacts {
  std::string problem;  // why its text cannot be checked; empty when it can
  bool identity_gids = true;
  std::string cid_to_gid;  // 2 bytes per CID when not Identity
  std::optional<TrueTypeGlyphs> glyphs;
  std::map<std::uint32_t, std::u32string> to_unicode;
};

FontFacts read_font(QPDFObjectHandle font, DecodedStreams* decoded) {
  FontFacts facts;
  QPDFObjectHandle encoding = font.getKey("/Encoding");
  QPDFObjectHandle descendants = font.getKey("/DescendantFonts");
  if (font.getKey("/Subtype").isNameAndEquals("/Type0") == false || !encoding.isNameAndEquals("/Identity-H") ||
      !descendants.isArray() || descendants.getArrayNItems() != 1) {
    facts.problem = "text is drawn with a font that is not an Identity-H Type0 font";
    return facts;
  }
  QPDFObjectHandle cid_font = descendants.getArrayItem(0);
  QPDFObjectHandle program = cid_font.getKey("/FontDescriptor").getKey("/FontFile2");
  if (!cid_font.getKey("/Subtype").isNameAndEquals("/CIDFontType2") || !program.isStream()) {
    facts.problem = "text is drawn with a font whose TrueType program is not embedded";
    return facts;
  }
  QPDFObjectHandle map = cid_font.getKey("/CIDToGIDMap");
  if (map.isStream()) {
    facts.identity_gids = false;
    facts.cid_to_gid = bytes_of(map, decoded);
  }
  facts.glyphs.emplace(bytes_of(program, decoded));
  if (!facts.glyphs->readable()) facts.problem = "an embedded TrueType program cannot be read";
  QPDFObjectHandle to_unicode = font.getKey("/ToUnicode");
  if (to_unicode.isStream()) facts.to_unicode = parse_to_unicode(bytes_of(to_unicode, decoded));
  return facts;
}

std::string describe(const std::u32string& characters) {
  std::string text;
  for (char32_t c : characters) text += (text.empty() ? "" : ", ") + describe_code_point(c);
  return text;
}

// Reads the text operators of one page: what each shown code stands
// for, and the characters drawn with no real glyph.
class TextReader final : public QPDFObjectHandle::ParserCallbacks {
 public:
  TextReader(QPDFObjectHandle fonts, std::map<QPDFObjGen, FontFacts>& cache, DecodedStreams* decoded)
      : m_fonts(fonts), m_cache(cache), m_decoded(decoded) {}

  void handleObject(QPDFObjectHandle object) override {
    if (!object.isOperator()) {
      m_operands.push_back(object);
      return;
    }
    std::string op = object.getOperatorValue();
    if (op == "q") m_saved.push_back(m_font);
    if (op == "Q" && !m_saved.empty()) {
      m_font = m_saved.back();
      m_saved.pop_back();
    }
    if (op == "Tf" && m_operands.size() == 2 && m_operands[0].isName()) m_font = m_fonts.getKey(m_operands[0].getName());
    if ((op == "Tj" || op == "'") && !m_operands.empty()) show(m_operands.back());
    if (op == "\"" && m_operands.size() == 3) show(m_operands[2]);
    if (op == "TJ" && m_operands.size() == 1 && m_operands[0].isArray())
      for (QPDFObjectHandle& item : m_operands[0].getArrayAsVector()) show(item);
    m_operands.clear();
  }
  void handleEOF() override {}

  std::u32string drawn;        // every non-blank character drawn with a real glyph
  std::u32string notdef;       // characters drawn as .notdef
  std::u32string missing;      // characters drawn with a glyph the font lacks or leaves empty
  std::set<std::string> problems;

 private:
  void show(QPDFObjectHandle string) {
    if (!string.isString()) return;
    std::string codes = string.getStringValue();
    if (codes.empty()) return;
    if (!m_font.isDictionary()) {
      problems.insert("text is drawn before a font is chosen");
      return;
    }
    auto [at, added] = m_cache.try_emplace(m_font.getObjGen());
    if (added) at->second = read_font(m_font, m_decoded);
    const FontFacts& font = at->second;
    if (!font.problem.empty()) {
      problems.insert(font.problem);
      return;
    }
    for (std::size_t i = 0; i + 1 < codes.size(); i += 2) glyph(font, big_endian(codes, i, 2));
  }

  void glyph(const FontFacts& font, std::uint32_t code) {
    std::uint32_t gid = code;
    if (!font.identity_gids)
      gid = 2 * static_cast<std::size_t>(code) + 1 < font.cid_to_gid.size() ? big_endian(font.cid_to_gid, 2 * code, 2) : 0;
    auto named = font.to_unicode.find(code);
    if (named == font.to_unicode.end() || named->second.empty()) {
      // A glyph of a shaped cluster whose characters another glyph of the
      // cluster names (a Thai vowel mark, a Devanagari half form): it must
      // still be a real glyph; whether the characters are drawn is
      // settled by the comparison with the field texts.
      if (gid == 0 || gid >= font.glyphs->count())
        problems.insert("a glyph that stands for no named character is missing from its font (code " +
                        std::to_string(code) + ")");
      return;
    }
    const std::u32string& text = named->second;
    bool blank = true;
    for (char32_t c : text) blank = blank && is_blank(c);
    if (gid == 0)
      notdef += text;
    else if (gid >= font.glyphs->count() || (!blank && !font.glyphs->has_outline(gid)))
      missing += text;
    else
      for (char32_t c : text)
        if (!is_blank(c)) drawn += c;
  }

  QPDFObjectHandle m_fonts;
  std::map<QPDFObjGen, FontFacts>& m_cache;
  DecodedStreams* m_decoded;
  QPDFObjectHandle m_font;
  std::vector<QPDFObjectHandle> m_saved;
  std::vector<QPDFObjectHandle> m_operands;
};

// The fields whose text holds any of `characters`, for messages.
std::string fields_with(const std::vector<FieldText>& fields, const std::u32string& characters) {
  std::string names;
  for (const FieldText& field : fields) {
    auto points = decode_utf8(field.text);
    if (!points) continue;
    bool has = false;
    for (char32_t c : characters) has = has || std::find(points->begin(), points->end(), c) != points->end();
    if (has) names += (names.empty() ? "'" : ", '") + field.field + "'";
  }
  return names.empty() ? "no field" : "field " + names;
}

std::u32string unique(std::u32string characters) {
  std::set<char32_t> seen;
  std::u32string out;
  for (char32_t c : characters)
    if (seen.insert(c).second) out += c;
  return out;
}

}  // namespace

Status check_glyphs(QPDF& pdf, const std::vector<FieldText>& fields, DecodedStreams* decoded) {
  std::map<char32_t, long> expected;
  for (const FieldText& field : fields) {
    CERTD_ASSIGN_OR_RETURN(std::vector<char32_t> points, decode_utf8(field.text));
    for (char32_t c : points)
      if (!is_blank(c)) ++expected[c];
  }
  std::u32string drawn, notdef, missing;
  std::set<std::string> problems;
  try {
    std::map<QPDFObjGen, FontFacts> cache;
    for (QPDFObjectHandle page : pdf.getAllPages()) {
      QPDFPageObjectHelper helper(page);
      TextReader reader(helper.getAttribute("/Resources", false).getKey("/Font"), cache, decoded);
      helper.parseContents(&reader);
      drawn += reader.drawn;
      notdef += reader.notdef;
      missing += reader.missing;
      problems.insert(reader.problems.begin(), reader.problems.end());
    }
  } catch (const std::exception& e) {
    return Error(ErrorCode::internal, std::string("the drawn certificate cannot be read back: ") + e.what());
  }
  if (!notdef.empty())
    return Error(ErrorCode::invalid_argument, fields_with(fields, notdef) + ": " + describe(unique(notdef)) +
                                                  " drawn as the font's empty .notdef glyph; nothing was issued");
  if (!missing.empty())
    return Error(ErrorCode::invalid_argument, fields_with(fields, missing) + ": " + describe(unique(missing)) +
                                                  " drawn with a glyph the embedded font lacks or leaves blank; "
                                                  "nothing was issued");
  if (!problems.empty()) return Error(ErrorCode::invalid_argument, *problems.begin() + "; nothing was issued");
  for (char32_t c : drawn) --expected[c];
  std::u32string not_drawn;
  for (const auto& [c, count] : expected)
    if (count > 0) not_drawn += c;
  if (!not_drawn.empty())
    return Error(ErrorCode::invalid_argument, fields_with(fields, not_drawn) + ": " + describe(not_drawn) +
                                                  " not drawn on the page; nothing was issued");
  return ok();
}

Status check_glyphs(std::string_view pdf, const std::vector<FieldText>& fields) {
  try {
    QPDF document;
    document.setSuppressWarnings(true);
    document.processMemoryFile("certificate.pdf", pdf.data(), pdf.size());
    return check_glyphs(document, fields);
  } catch (const std::exception& e) {
    return Error(ErrorCode::internal, std::string("the drawn certificate cannot be read back: ") + e.what());
  }
}

}  // namespace certd::render
