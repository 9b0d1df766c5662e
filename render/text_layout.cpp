#include "render/text_layout.hpp"

#include <optional>

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
  if (fonts.face(field.font).full_coverage().test(code)) return field.font;
  for (int face : fallbacks)
    if (fonts.face(face).full_coverage().test(code)) return face;
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

void append_run(LaidOutLine& line, const Segment& segment, double size) {
  if (!line.runs.empty() && line.runs.back().face == segment.face) {
    line.runs.back().text += segment.text;
    line.runs.back().units += segment.units;
  } else {
    line.runs.push_back(segment);
  }
  line.width += segment.units * size / 1000;
}

// Greedy wrapping at one size; nullopt when it needs too many lines or a
// single word is wider than the field. Spaces are placed only between
// words on one line, never at a line's start or end.
std::optional<std::vector<LaidOutLine>> wrap(const std::vector<std::vector<Segment>>& words, const TextField& field,
                                             double size) {
  std::vector<LaidOutLine> lines(1);
  std::vector<const std::vector<Segment>*> pending_spaces;
  for (const auto& word : words) {
    if (word.front().space) {
      if (!lines.back().runs.empty()) pending_spaces.push_back(&word);
      continue;
    }
    double spaces = 0;
    for (const auto* space : pending_spaces) spaces += units_of(*space) * size / 1000;
    double width = units_of(word) * size / 1000;
    if (!lines.back().runs.empty() && lines.back().width + spaces + width > field.max_width + 1e-6) {
      lines.emplace_back();
      pending_spaces.clear();
    }
    LaidOutLine& line = lines.back();
    for (const auto* space : pending_spaces)
      for (const Segment& segment : *space) append_run(line, segment, size);
    pending_spaces.clear();
    for (const Segment& segment : word) append_run(line, segment, size);
    if (line.width > field.max_width + 1e-6) return std::nullopt;
  }
  if (static_cast<int>(lines.size()) > field.max_lines) return std::nullopt;
  return lines;
}

}  // namespace

Result<std::vector<Segment>> segment_text(std::string_view text, const TextField& field,
                                          const std::vector<int>& fallback_fonts, const PreparedFonts& fonts) {
  CERTD_ASSIGN_OR_RETURN(std::vector<char32_t> code_points, decode_utf8(text));
  std::vector<Segment> segments;
  bool previous_breaks = true;
  for (char32_t code : code_points) {
    bool space = code == U' ';
    bool keep_face = space && !segments.empty() && fonts.face(segments.back().face).full_coverage().test(code);
    std::optional<int> face = keep_face ? std::optional<int>(segments.back().face)
                                        : face_for(code, field, fallback_fonts, fonts);
    if (!face)
      return Error(ErrorCode::invalid_argument, "no font of the template can draw " + describe_code_point(code) +
                                                    " in field '" + field.name + "'");
    bool breaks = space || breaks_around(code) || previous_breaks;
    bool extend = !segments.empty() && !space && !segments.back().space && segments.back().face == *face &&
                  !breaks_around(code) && !previous_breaks;
    if (extend) {
      append_utf8(segments.back().text, code);
    } else {
      Segment segment{*face, "", space, breaks, 0};
      append_utf8(segment.text, code);
      segments.push_back(std::move(segment));
    }
    previous_breaks = space || breaks_around(code);
  }
  return segments;
}

Result<Layout> fit_lines(const std::vector<Segment>& segments, const TextField& field) {
  auto words = words_of(segments);
  for (double size = field.size; size >= field.min_size - 1e-9; size -= k_size_step) {
    if (auto lines = wrap(words, field, size)) return Layout{size, std::move(*lines)};
  }
  return Error(ErrorCode::invalid_argument,
               "the text of field '" + field.name + "' does not fit its " + std::to_string(field.max_lines) +
                   " line(s) of " + std::to_string(static_cast<int>(field.max_width)) + " pt even at " +
                   std::to_string(static_cast<int>(field.min_size)) + " pt");
}

}  // namespace certd::render
