#include "render/shaping.hpp"

#include <hb.h>

#include <algorithm>

#include "render/hb_handles.hpp"
#include "render/utf8.hpp"

namespace certd::render {
namespace {

constexpr char32_t k_first_private = 0xE000;
constexpr char32_t k_last_private = 0xF8FF;

using hb::Blob;
using hb::Face;
using hb::Font;
using hb::Buffer;
using hb::Set;

std::string describe(const std::u32string& text) {
  std::string out;
  for (char32_t code : text) out += (out.empty() ? "" : ", ") + describe_code_point(code);
  return out;
}

// The characters of one cluster shared out over its glyphs (logical
// order), keeping their order, so that a reader following the glyphs (as
// pdftotext does, and copy and paste) gets the text back exactly once and
// in order, whatever the glyphs are: a ligature or conjunct takes several
// characters, a pre-base matra the first. With fewer characters than
// glyphs, the glyphs that take up room get them first: a reader sees an
// empty glyph with a width as a gap between words.
std::vector<std::u32string> share_out(const std::u32string& characters, const std::vector<unsigned>& glyphs,
                                      const hb_glyph_position_t* positions) {
  const std::size_t m = characters.size(), n = glyphs.size();
  std::vector<std::u32string> texts(n);
  if (m >= n) {
    for (std::size_t k = 0; k < n; ++k) texts[k] = characters.substr(k * m / n, (k + 1) * m / n - k * m / n);
    return texts;
  }
  std::vector<bool> takes(n, false);
  std::size_t given = 0;
  for (std::size_t k = 0; k < n && given < m; ++k)
    if (positions[glyphs[k]].x_advance != 0) takes[k] = true, ++given;
  for (std::size_t k = 0; k < n && given < m; ++k)
    if (!takes[k]) takes[k] = true, ++given;
  std::size_t next = 0;
  for (std::size_t k = 0; k < n; ++k)
    if (takes[k]) texts[k] = characters.substr(next++, 1);
  return texts;
}

}  // namespace

struct ShapingFace::Impl {
  Blob blob;
  Face face;
  Font font;
  double units_per_em = 1000;
  std::vector<char32_t> code_of_glyph;  // private-use code by glyph id; 0: none
  std::vector<std::pair<char32_t, std::uint16_t>> private_codes;

  hb_codepoint_t nominal(char32_t code) const {
    hb_codepoint_t glyph = 0;
    return hb_font_get_nominal_glyph(font.get(), code, &glyph) ? glyph : 0;
  }

  // Glyphs no character maps to come first (only shaping reaches them),
  // then the others (a character's own glyph may also stand for another
  // text, as SARA AA does inside SARA AM), while private codes last.
  void assign_private_codes() {
    const unsigned glyphs = hb_face_get_glyph_count(face.get());
    Set unicodes(hb_set_create());
    hb_face_collect_unicodes(face.get(), unicodes.get());
    std::vector<bool> encoded(glyphs, false);
    std::vector<bool> taken_code(k_last_private - k_first_private + 1, false);
    hb_codepoint_t code = HB_SET_VALUE_INVALID;
    while (hb_set_next(unicodes.get(), &code)) {
      hb_codepoint_t glyph = nominal(code);
      if (glyph < glyphs) encoded[glyph] = true;
      if (code >= k_first_private && code <= k_last_private) taken_code[code - k_first_private] = true;
    }
    code_of_glyph.assign(glyphs, 0);
    char32_t next = k_first_private;
    auto give = [&](unsigned glyph) {
      while (next <= k_last_private && taken_code[next - k_first_private]) ++next;
      if (next > k_last_private) return;
      code_of_glyph[glyph] = next;
      private_codes.emplace_back(next++, static_cast<std::uint16_t>(glyph));
    };
    for (unsigned glyph = 1; glyph < glyphs; ++glyph)
      if (!encoded[glyph]) give(glyph);
    for (unsigned glyph = 1; glyph < glyphs; ++glyph)
      if (encoded[glyph]) give(glyph);
    std::sort(private_codes.begin(), private_codes.end());
  }
};

ShapingFace::ShapingFace(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ShapingFace::~ShapingFace() = default;

Result<std::unique_ptr<ShapingFace>> ShapingFace::open(const std::string& file, int index) {
  auto impl = std::make_unique<Impl>();
  impl->blob.reset(hb_blob_create_from_file_or_fail(file.c_str()));
  if (!impl->blob) return Error(ErrorCode::not_found, "font file " + file + " is missing or unreadable");
  if (static_cast<unsigned>(index) >= hb_face_count(impl->blob.get()))
    return Error(ErrorCode::invalid_argument, file + " is not a font, or has no face " + std::to_string(index));
  impl->face.reset(hb_face_create(impl->blob.get(), static_cast<unsigned>(index)));
  impl->font.reset(hb_font_create(impl->face.get()));
  impl->units_per_em = std::max(1u, hb_face_get_upem(impl->face.get()));
  impl->assign_private_codes();
  // Shared by every render thread: HarfBuzz shapes with an immutable font from many threads at once.
  hb_font_make_immutable(impl->font.get());
  return std::unique_ptr<ShapingFace>(new ShapingFace(std::move(impl)));
}

const std::vector<std::pair<char32_t, std::uint16_t>>& ShapingFace::private_codes() const {
  return m_impl->private_codes;
}

void ShapingFace::keep_private_codes(std::size_t count) {
  auto& codes = m_impl->private_codes;
  for (std::size_t i = count; i < codes.size(); ++i) m_impl->code_of_glyph[codes[i].second] = 0;
  if (count < codes.size()) codes.resize(count);
}

// HarfBuzz numbers each character's cluster by its index; a cluster is
// the characters from its number to the next one, and its glyphs. The
// cluster's characters are shared out over its glyphs in order
// (share_out); a glyph that stands for exactly its own character is drawn
// as that character, any other with its private code.
Result<std::vector<ShapedGlyph>> ShapingFace::shape(const std::u32string& text, bool right_to_left) const {
  Buffer buffer(hb_buffer_create());
  for (std::size_t i = 0; i < text.size(); ++i) hb_buffer_add(buffer.get(), text[i], static_cast<unsigned>(i));
  hb_buffer_set_content_type(buffer.get(), HB_BUFFER_CONTENT_TYPE_UNICODE);
  hb_buffer_set_direction(buffer.get(), right_to_left ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
  hb_buffer_guess_segment_properties(buffer.get());
  hb_shape(m_impl->font.get(), buffer.get(), nullptr, 0);
  unsigned count = 0;
  const hb_glyph_info_t* infos = hb_buffer_get_glyph_infos(buffer.get(), &count);
  const hb_glyph_position_t* positions = hb_buffer_get_glyph_positions(buffer.get(), &count);

  std::vector<unsigned> starts;
  for (unsigned i = 0; i < count; ++i) starts.push_back(infos[i].cluster);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  auto cluster_end = [&](unsigned start) {
    auto next = std::upper_bound(starts.begin(), starts.end(), start);
    return next == starts.end() ? static_cast<unsigned>(text.size()) : *next;
  };

  const double scale = 1000.0 / m_impl->units_per_em;
  std::vector<ShapedGlyph> glyphs(count);
  for (unsigned first = 0; first < count;) {
    unsigned last = first;
    while (last < count && infos[last].cluster == infos[first].cluster) ++last;
    const unsigned start = infos[first].cluster, end = cluster_end(start);
    std::u32string characters = text.substr(start, end - start);
    std::vector<unsigned> logical;
    for (unsigned i = first; i < last; ++i) logical.push_back(i);
    if (right_to_left) std::reverse(logical.begin(), logical.end());
    for (unsigned i : logical)
      if (infos[i].codepoint == 0)
        return Error(ErrorCode::invalid_argument, "the font has no glyph for " + describe(characters));
    std::vector<std::u32string> texts = share_out(characters, logical, positions);
    for (std::size_t k = 0; k < logical.size(); ++k) {
      const unsigned i = logical[k];
      glyphs[i].text = std::move(texts[k]);
      if (glyphs[i].text.size() == 1 && m_impl->nominal(glyphs[i].text[0]) == infos[i].codepoint) {
        glyphs[i].code = glyphs[i].text[0];
        continue;
      }
      char32_t code = m_impl->code_of_glyph[infos[i].codepoint];
      if (code == 0)
        return Error(ErrorCode::invalid_argument,
                     "the font shapes " + describe(characters) + " with a glyph that has no code to be drawn with");
      glyphs[i].code = code;
    }
    first = last;
  }
  for (unsigned i = 0; i < count; ++i) {
    glyphs[i].advance = positions[i].x_advance * scale;
    glyphs[i].x_offset = positions[i].x_offset * scale;
    glyphs[i].y_offset = positions[i].y_offset * scale;
  }
  return glyphs;
}

std::uint32_t script_of(char32_t code) {
  hb_script_t script = hb_unicode_script(hb_unicode_funcs_get_default(), code);
  if (script == HB_SCRIPT_COMMON || script == HB_SCRIPT_INHERITED || script == HB_SCRIPT_UNKNOWN) return 0;
  return static_cast<std::uint32_t>(script);
}

bool clings_to_previous(char32_t code) {
  if (code == 0x200C || code == 0x200D) return true;  // zero-width non-joiner and joiner
  switch (hb_unicode_general_category(hb_unicode_funcs_get_default(), code)) {
    case HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK:
    case HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK:
    case HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK: return true;
    default: return false;
  }
}

}  // namespace certd::render
