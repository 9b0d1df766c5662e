#include "render/text_layout.hpp"

#include <algorithm>
#include <optional>

#include "render/bidi.hpp"
#include "render/utf8.hpp"

namespace certd::render {
namespace {

constexpr double k_size_step = 0.5;

// Ideographs, kana and Hangul: a line may break between any two of them.
bool breaks_around(char32_t code) {
  return (code >= 0x2E80 && code <= 0x9FFF) || (code >= 0xAC00 && code <= 0xD7AF) ||
         (code >= 0xF900 && code <= 0xFAFF) || (code >= 0xFF00 && code <= 0xFFEF);
}

std::optional<int> face_for(char32_t code, const TextField& field, const std::vector<int>& fallbacks,
                            const PreparedFonts& fonts) {
  if (code >= 0x10000) return std::nullopt;
  const PreparedFace& own = fonts.face(field.font);
  if (own.characters.test(code)) return field.font;
  for (int face : own.own_fallbacks ? own.fallbacks : fallbacks)
    if (fonts.face(face).characters.test(code)) return face;
  return std::nullopt;
}

// A word: segments from one break opportunity to the next.
std::vector<std::vector<Segment>> words_of(const std::vector<Segment>& segments) {
  std::vector<std::vector<Segment>> words;
  for (const Segment& segment : segments) {
    if (words.empty() || segment.break_before || segment.space || words.back().front().space)
      words.emplace_back();
    words.back().push_back(segment);
  }
  return words;
}

double units_of(const std::vector<Segment>& word) {
  double units = 0;
  for (const Segment& segment : word) units += segment.units;
  return units;
}

// Runs in logical order; a right-to-left run's glyphs grow to the left.
void append_run(LaidOutLine& line, const Segment& segment, double size) {
  if (!line.runs.empty() && line.runs.back().face == segment.face && line.runs.back().level == segment.level) {
    Segment& run = line.runs.back();
    run.text += segment.text;
    run.units += segment.units;
    auto at = segment.level % 2 == 1 ? run.glyphs.begin() : run.glyphs.end();
    run.glyphs.insert(at, segment.glyphs.begin(), segment.glyphs.end());
  } else {
    line.runs.push_back(segment);
  }
  line.width += segment.units * size / 1000;
}

// Rule L2 on a finished line: its runs in visual order.
void to_visual_order(LaidOutLine& line) {
  std::vector<int> levels;
  for (const Segment& run : line.runs) levels.push_back(run.level);
  std::vector<Segment> visual;
  for (std::size_t index : visual_order(levels)) visual.push_back(std::move(line.runs[index]));
  line.runs = std::move(visual);
}

// Words [from, to) on one line, spaces only between words.
LaidOutLine line_of(const std::vector<std::vector<Segment>>& words, std::size_t from, std::size_t to, double size) {
  LaidOutLine line;
  std::vector<const std::vector<Segment>*> pending_spaces;
  for (std::size_t i = from; i < to; ++i) {
    if (words[i].front().space) {
      if (!line.runs.empty()) pending_spaces.push_back(&words[i]);
      continue;
    }
    for (const auto* space : pending_spaces)
      for (const Segment& segment : *space) append_run(line, segment, size);
    pending_spaces.clear();
    for (const Segment& segment : words[i]) append_run(line, segment, size);
  }
  return line;
}

// Greedy wrapping at one size; nullopt when it needs too many lines or a
// single word is wider than the field. Spaces are placed only between
// words on one line, never at a line's start or end.
std::optional<std::vector<LaidOutLine>> wrap(const std::vector<std::vector<Segment>>& words, const TextField& field,
                                             double size) {
  std::vector<std::size_t> starts{0};
  double width = 0, spaces = 0;
  bool empty = true;
  for (std::size_t i = 0; i < words.size(); ++i) {
    double units = units_of(words[i]) * size / 1000;
    if (words[i].front().space) {
      if (!empty) spaces += units;
      continue;
    }
    if (!empty && width + spaces + units > field.max_width + 1e-6) {
      starts.push_back(i);
      width = 0;
      empty = true;
    }
    if (units > field.max_width + 1e-6) return std::nullopt;
    width += (empty ? 0 : spaces) + units;
    spaces = 0;
    empty = false;
  }
  if (static_cast<int>(starts.size()) > field.max_lines) return std::nullopt;
  std::vector<LaidOutLine> lines;
  for (std::size_t i = 0; i < starts.size(); ++i)
    lines.push_back(line_of(words, starts[i], i + 1 < starts.size() ? starts[i + 1] : words.size(), size));
  return lines;
}

// Two lines as even as possible (the longer one as short as it can be),
// broken where a line may break; nullopt when no break makes both fit.
std::optional<std::vector<LaidOutLine>> two_balanced_lines(const std::vector<std::vector<Segment>>& words,
                                                           const TextField& field, double size) {
  std::optional<std::vector<LaidOutLine>> best;
  double best_width = 0;
  for (std::size_t split = 1; split < words.size(); ++split) {
    if (words[split].front().space) continue;
    std::vector<LaidOutLine> lines{line_of(words, 0, split, size), line_of(words, split, words.size(), size)};
    if (lines[0].runs.empty()) continue;
    double widest = std::max(lines[0].width, lines[1].width);
    if (widest > field.max_width + 1e-6 || (best && widest >= best_width)) continue;
    best = std::move(lines);
    best_width = widest;
  }
  return best;
}

Layout finished(double size, std::vector<LaidOutLine> lines, double raise) {
  for (LaidOutLine& line : lines) to_visual_order(line);
  return Layout{size, std::move(lines), raise};
}

}  // namespace

Result<std::vector<Segment>> segment_text(std::string_view text, const TextField& field,
                                          const std::vector<int>& fallback_fonts, const PreparedFonts& fonts) {
  CERTD_ASSIGN_OR_RETURN(std::vector<char32_t> code_points, decode_utf8(text));
  std::u32string logical(code_points.begin(), code_points.end());
  std::vector<int> levels = embedding_levels(logical);
  std::vector<Segment> segments;
  std::vector<std::u32string> pieces;
  std::uint32_t script = 0;
  bool previous_breaks = true;
  for (std::size_t i = 0; i < logical.size(); ++i) {
    char32_t code = logical[i];
    bool space = code == U' ';
    bool clings = space || clings_to_previous(code);
    bool keep_face = clings && !segments.empty() && fonts.face(segments.back().face).characters.test(code);
    std::optional<int> face = keep_face ? std::optional<int>(segments.back().face)
                                        : face_for(code, field, fallback_fonts, fonts);
    if (!face)
      return Error(ErrorCode::invalid_argument, "no font of the template can draw " + describe_code_point(code) +
                                                    " in field '" + field.name + "'");
    std::uint32_t code_script = script_of(code);
    bool breaks = space || breaks_around(code) || previous_breaks;
    bool same_script = code_script == 0 || script == 0 || code_script == script;
    bool extend = !segments.empty() && !space && !segments.back().space && segments.back().face == *face &&
                  segments.back().level == levels[i] && (same_script || clings) &&
                  ((!breaks_around(code) && !previous_breaks) || clings_to_previous(code));
    if (extend) {
      append_utf8(segments.back().text, code);
      pieces.back() += code;
      if (script == 0) script = code_script;
    } else {
      Segment segment{*face, "", space, breaks, 0, levels[i], {}};
      append_utf8(segment.text, code);
      segments.push_back(std::move(segment));
      pieces.emplace_back(1, code);
      script = code_script;
    }
    previous_breaks = space || breaks_around(code);
  }
  for (std::size_t i = 0; i < segments.size(); ++i) {
    Segment& segment = segments[i];
    const PreparedFace& face = fonts.face(segment.face);
    if (!face.shaping) return Error(ErrorCode::internal, "field '" + field.name + "' uses a font that failed to load");
    auto glyphs = face.shaping->shape(pieces[i], segment.level % 2 == 1);
    if (!glyphs)
      return Error(ErrorCode::invalid_argument, "field '" + field.name + "': " + glyphs.error().message());
    segment.glyphs = std::move(glyphs).value();
    for (const ShapedGlyph& glyph : segment.glyphs) {
      // The whole cut has every code the face can draw; a glyph beyond it is refused, never drawn as a gap.
      if (glyph.code >= 0x10000 || !face.full_coverage().test(glyph.code))
        return Error(ErrorCode::invalid_argument, "field '" + field.name + "': the font has no code to draw the shaped form of " +
                                                      describe_code_point(pieces[i].front()));
      segment.units += glyph.advance;
    }
  }
  return segments;
}

Result<Layout> fit_lines(const std::vector<Segment>& segments, const TextField& field) {
  auto words = words_of(segments);
  for (double size = field.size; size >= field.min_size - 1e-9; size -= k_size_step) {
    if (auto lines = wrap(words, field, size)) return finished(size, std::move(*lines), 0);
  }
  // A name is printed whole on two lines rather than refused.
  if (field.max_lines == 1) {
    for (double size = field.size; size >= field.min_size - 1e-9; size -= k_size_step) {
      if (auto lines = two_balanced_lines(words, field, size))
        return finished(size, std::move(*lines), size * field.line_height / 2);
    }
  }
  int lines = std::max(field.max_lines, 2);
  return Error(ErrorCode::invalid_argument,
               "the text of field '" + field.name + "' does not fit " + std::to_string(lines) + " lines of " +
                   std::to_string(static_cast<int>(field.max_width)) + " pt even at " +
                   std::to_string(static_cast<int>(field.min_size)) + " pt");
}

}  // namespace certd::render
