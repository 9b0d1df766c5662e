#include "render/font_set.hpp"

#include <hb-subset.h>
#include <hb.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <fstream>

#include "render/cmap_compactor.hpp"
#include "render/font_tables.hpp"
#include "render/hb_handles.hpp"
#include "render/utf8.hpp"

namespace certd::render {
namespace {

// libharu 2.3.0 reads composite-glyph component ids as signed 16-bit
// numbers; glyphs beyond 32767 lose their parts (fixed upstream in 2.4.4).
constexpr unsigned k_max_glyphs = 32768;

using hb::Blob;
using hb::Face;
using hb::Set;
using hb::SubsetInput;

bool has_table(hb_face_t* face, hb_tag_t tag) {
  Blob table(hb_face_reference_table(face, tag));
  return hb_blob_get_length(table.get()) > 0;
}

Coverage coverage_of(hb_face_t* face) {
  Set unicodes(hb_set_create());
  hb_face_collect_unicodes(face, unicodes.get());
  Coverage coverage;
  hb_codepoint_t code = HB_SET_VALUE_INVALID;
  while (hb_set_next(unicodes.get(), &code) && code < 0x10000) coverage.set(code);
  return coverage;
}

using Mapping = std::vector<std::pair<char32_t, std::uint16_t>>;

Mapping mapping_of(hb_face_t* face, const Coverage& coverage) {
  hb::Font font(hb_font_create(face));
  Mapping mapping;
  for (std::size_t code = 0; code < coverage.size(); ++code) {
    hb_codepoint_t glyph = 0;
    if (coverage.test(code) && hb_font_get_nominal_glyph(font.get(), static_cast<hb_codepoint_t>(code), &glyph))
      mapping.emplace_back(static_cast<char32_t>(code), static_cast<std::uint16_t>(glyph));
  }
  return mapping;
}

// The subset with a compact cmap (see cmap_compactor.hpp), if the rewrite
// maps every code point to the very same glyph as before; else as is.
std::string with_compact_cmap(hb_face_t* subset, std::string bytes) {
  Mapping before = mapping_of(subset, coverage_of(subset));
  auto compact = compact_cmap(bytes, before);
  if (!compact) return bytes;
  Blob blob(hb_blob_create(compact->data(), static_cast<unsigned>(compact->size()), HB_MEMORY_MODE_READONLY,
                           nullptr, nullptr));
  Face rewritten(hb_face_create(blob.get(), 0));
  if (mapping_of(rewritten.get(), coverage_of(rewritten.get())) != before) return bytes;
  return std::move(*compact);
}

std::string name_of(hb_face_t* face, hb_ot_name_id_t id, const std::string& otherwise) {
  char text[128];
  unsigned length = sizeof text;
  if (hb_ot_name_get_utf8(face, id, HB_LANGUAGE_INVALID, &length, text) == 0) return otherwise;
  return std::string(text);
}

// The face as one plain TrueType file (also out of a .ttc) whose cmap maps
// its characters and our private-use codes, and whose name is its own
// (font_set.hpp): the source every cut is taken from.
// A large CJK face may not have room for a private code for every glyph
// in one format-4 cmap (libharu reads no other): it keeps fewer, those of
// the glyphs no character reaches first.
Result<std::string> coded_face(hb_face_t* face, const Coverage& characters, ShapingFace& shaping,
                               std::size_t number) {
  const Mapping nominal = mapping_of(face, characters);
  std::optional<std::string> cmap;
  for (std::size_t keep = shaping.private_codes().size();; keep /= 2) {
    shaping.keep_private_codes(keep);
    Mapping mapping = nominal;
    mapping.insert(mapping.end(), shaping.private_codes().begin(), shaping.private_codes().end());
    std::sort(mapping.begin(), mapping.end());
    cmap = cmap_table(mapping);
    if (cmap || keep == 0) break;
  }
  if (!cmap) return Error(ErrorCode::invalid_argument, "has too many characters for one format-4 cmap, which libharu needs");
  FontTables tables;
  unsigned count = hb_face_get_table_tags(face, 0, nullptr, nullptr);
  std::vector<hb_tag_t> tags(count);
  hb_face_get_table_tags(face, 0, &count, tags.data());
  std::vector<Blob> blobs;  // keep the viewed tables alive until the file is written
  for (hb_tag_t tag : tags) {
    blobs.emplace_back(hb_face_reference_table(face, tag));
    unsigned length = 0;
    const char* data = hb_blob_get_data(blobs.back().get(), &length);
    tables[tag] = std::string_view(data ? data : "", length);
  }
  tables[HB_TAG('c', 'm', 'a', 'p')] = *cmap;
  std::string postscript = name_of(face, HB_OT_NAME_ID_POSTSCRIPT_NAME, "Font") + "_f" + std::to_string(number);
  const std::string name = name_table(name_of(face, HB_OT_NAME_ID_FONT_FAMILY, "Font"),
                                      name_of(face, HB_OT_NAME_ID_FONT_SUBFAMILY, "Regular"), postscript);
  tables[HB_TAG('n', 'a', 'm', 'e')] = name;
  return write_font_file(tables);
}

// The private-use codes of every glyph that shaping may reach from the
// nominal glyphs of `wanted` (GSUB closure), so a cut of Latin keeps its
// ligatures.
void add_shaping_codes(hb_face_t* face, const ShapingFace& shaping, Coverage& wanted) {
  hb::Font font(hb_font_create(face));
  Set glyphs(hb_set_create()), lookups(hb_set_create());
  for (std::size_t code = 0; code < wanted.size(); ++code) {
    hb_codepoint_t glyph = 0;
    if (wanted.test(code) && hb_font_get_nominal_glyph(font.get(), static_cast<hb_codepoint_t>(code), &glyph))
      hb_set_add(glyphs.get(), glyph);
  }
  hb_ot_layout_collect_lookups(face, HB_OT_TAG_GSUB, nullptr, nullptr, nullptr, lookups.get());
  hb_ot_layout_lookups_substitute_closure(face, lookups.get(), glyphs.get());
  for (const auto& [code, glyph] : shaping.private_codes())
    if (hb_set_has(glyphs.get(), glyph)) wanted.set(code);
}

// Writes the subset of `face` holding `wanted` (and nothing outside the
// BMP) to `file`; returns the coverage of the file as written.
Result<Coverage> write_subset(hb_face_t* face, const Coverage& wanted, const std::string& file) {
  SubsetInput input(hb_subset_input_create_or_fail());
  if (!input) return Error(ErrorCode::internal, "out of memory cutting a font");
  hb_set_t* unicodes = hb_subset_input_unicode_set(input.get());
  for (std::size_t code = 0; code < wanted.size(); ++code)
    if (wanted.test(code)) hb_set_add(unicodes, static_cast<hb_codepoint_t>(code));
  Face subset(hb_subset_or_fail(face, input.get()));
  if (!subset) return Error(ErrorCode::invalid_argument, "HarfBuzz cannot cut this font");
  Blob blob(hb_face_reference_blob(subset.get()));
  unsigned length = 0;
  const char* data = hb_blob_get_data(blob.get(), &length);
  std::string bytes = with_compact_cmap(subset.get(), std::string(data, length));
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) return Error(ErrorCode::unavailable, "cannot write " + file);
  // Coverage comes from the file itself: the check at render time is
  // against what is embedded, nothing else.
  Blob written(hb_blob_create_from_file_or_fail(file.c_str()));
  Face written_face(hb_face_create(written.get(), 0));
  return coverage_of(written_face.get());
}

void add_ranges(Coverage& wanted, const Ranges& ranges) {
  for (const auto& [first, last] : ranges)
    for (char32_t code = first; code <= last; ++code) wanted.set(code);
}

Coverage template_literals(const TemplateSpec& spec) {
  Coverage wanted;
  auto add_literals = [&wanted](const std::vector<TextPiece>& pieces) {
    for (const TextPiece& piece : pieces) {
      auto code_points = decode_utf8(piece.literal);
      if (!code_points) continue;
      for (char32_t code : *code_points)
        if (code < 0x10000) wanted.set(code);
    }
  };
  for (const TextField& field : spec.fields) add_literals(field.text);
  add_literals(spec.title);
  for (char c : std::string("PREVIEW")) wanted.set(static_cast<unsigned char>(c));
  return wanted;
}

// The wanted code points of each cut, smallest first (see font_set.hpp).
std::vector<Coverage> cut_plan(const TemplateSpec& spec) {
  Coverage latin = template_literals(spec);
  add_ranges(latin, latin_ranges());
  Coverage school = latin;
  add_ranges(school, school_ranges());
  return {latin, school};
}

Result<PreparedFace> prepare_face(const FontFace& spec_face, const std::vector<Coverage>& plan,
                                  const std::string& directory, std::size_t number) {
  Blob blob(hb_blob_create_from_file_or_fail(spec_face.file.c_str()));
  if (!blob) return Error(ErrorCode::not_found, "font file " + spec_face.file + " is missing or unreadable");
  if (static_cast<unsigned>(spec_face.index) >= hb_face_count(blob.get()))
    return Error(ErrorCode::invalid_argument, spec_face.file + " is not a font, or has no face " +
                                                  std::to_string(spec_face.index));
  Face face(hb_face_create(blob.get(), static_cast<unsigned>(spec_face.index)));
  if (!has_table(face.get(), HB_TAG('g', 'l', 'y', 'f')) || has_table(face.get(), HB_TAG('C', 'F', 'F', ' ')))
    return Error(ErrorCode::invalid_argument, spec_face.file +
                                                  " has no TrueType (glyf) outlines; libharu cannot embed OpenType/CFF "
                                                  "fonts: choose a .ttf such as Noto Sans, DejaVu or IPAGothic");
  PreparedFace prepared;
  CERTD_ASSIGN_OR_RETURN(prepared.shaping, ShapingFace::open(spec_face.file, spec_face.index));
  prepared.characters = coverage_of(face.get());
  auto coded = coded_face(face.get(), prepared.characters, *prepared.shaping, number);
  if (!coded) return Error(coded.error().code(), spec_face.file + " " + coded.error().message());
  Blob coded_blob(hb_blob_create(coded->data(), static_cast<unsigned>(coded->size()), HB_MEMORY_MODE_READONLY,
                                 nullptr, nullptr));
  Face source(hb_face_create(coded_blob.get(), 0));
  std::vector<Coverage> wanted;
  for (const Coverage& cut : plan) {
    wanted.push_back(cut & prepared.characters);
    add_shaping_codes(face.get(), *prepared.shaping, wanted.back());
  }
  wanted.push_back(coverage_of(source.get()));
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    std::string file = directory + "/" + std::to_string(number) + "-" + std::to_string(i) + ".ttf";
    CERTD_ASSIGN_OR_RETURN(Coverage coverage, write_subset(source.get(), wanted[i], file));
    // A cut that adds nothing over the previous one replaces it.
    if (!prepared.cuts.empty() && prepared.cuts.back().coverage == coverage) prepared.cuts.pop_back();
    prepared.cuts.push_back(FontCut{file, coverage});
  }
  Face full(hb_face_create(Blob(hb_blob_create_from_file_or_fail(prepared.cuts.back().file.c_str())).get(), 0));
  prepared.full_glyphs = hb_face_get_glyph_count(full.get());
  if (prepared.full_glyphs >= k_max_glyphs)
    return Error(ErrorCode::invalid_argument,
                 spec_face.file + " has " + std::to_string(prepared.full_glyphs) +
                     " glyphs in the Basic Multilingual Plane; libharu 2.3.0 draws glyphs beyond 32767 blank. "
                     "Choose a smaller font (IPAGothic, AR PL UMing, NanumGothic)");
  return prepared;
}

}  // namespace

const Ranges& latin_ranges() {
  static const Ranges ranges = {
      {0x0020, 0x007E},  // Basic Latin
      {0x00A0, 0x017F},  // Latin-1 and Latin Extended-A (Polish, Czech, Hungarian, ...)
      {0x2010, 0x2027},  // dashes, quotes, bullet, ellipsis
      {0x2030, 0x203A},  // per mille, primes, guillemets
      {0x20AC, 0x20AC},  // euro sign
      {0x2116, 0x2116},  // numero sign
      {0x2122, 0x2122},  // trade mark
  };
  return ranges;
}

const Ranges& school_ranges() {
  static const Ranges ranges = {
      {0x0180, 0x024F},  // Latin Extended-B (Romanian ș ț, Pinyin, African languages)
      {0x0370, 0x03FF},  // Greek
      {0x0400, 0x04FF},  // Cyrillic
      {0x1E00, 0x1EFF},  // Latin Extended Additional (Vietnamese, Welsh)
      {0x2713, 0x2714},  // check marks
  };
  return ranges;
}

Result<std::unique_ptr<PreparedFonts>> PreparedFonts::prepare(const TemplateSpec& spec, const std::string& scratch_dir,
                                                              std::vector<Error>& errors) {
  std::string pattern = scratch_dir + "/certd-fonts-XXXXXX";
  if (!::mkdtemp(pattern.data()))
    return Error(ErrorCode::unavailable, "cannot create a scratch folder in " + scratch_dir);
  std::unique_ptr<PreparedFonts> fonts(new PreparedFonts(pattern));
  std::vector<Coverage> plan = cut_plan(spec);
  for (std::size_t i = 0; i < spec.fonts.size(); ++i) {
    auto face = prepare_face(spec.fonts[i], plan, fonts->m_directory, i);
    if (!face) {
      errors.emplace_back(face.error().code(), "fonts." + spec.fonts[i].name + ": " + face.error().message(),
                          spec.fonts[i].where);
      fonts->m_faces.emplace_back();
      continue;
    }
    face->own_fallbacks = spec.fonts[i].own_fallbacks;
    face->fallbacks = spec.fonts[i].fallbacks;
    fonts->m_faces.push_back(std::move(face).value());
  }
  return fonts;
}

PreparedFonts::~PreparedFonts() {
  std::error_code ignored;
  std::filesystem::remove_all(m_directory, ignored);
}

}  // namespace certd::render
