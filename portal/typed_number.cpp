#include "portal/typed_number.hpp"

#include <cctype>

#include "render/certificate_number.hpp"

namespace certd::portal {
namespace {

// PREFIX (1 to 8) + 8 body and check characters; anything longer is not
// ours and is not shown back.
constexpr std::size_t k_body_and_check = 8;
constexpr std::size_t k_max_characters = 8 + k_body_and_check;

bool is_separator(std::string_view text, std::size_t at, std::size_t& length) {
  unsigned char c = static_cast<unsigned char>(text[at]);
  length = 1;
  if (c == ' ' || c == '\t' || c == '-') return true;
  // U+2013 EN DASH and U+2014 EM DASH (a number copied from a document),
  // U+00A0 NO-BREAK SPACE.
  if (text.substr(at, 3) == "\xE2\x80\x93" || text.substr(at, 3) == "\xE2\x80\x94") {
    length = 3;
    return true;
  }
  if (text.substr(at, 2) == "\xC2\xA0") {
    length = 2;
    return true;
  }
  return false;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

TypedNumber read_typed_number(std::string_view typed) {
  std::string characters;
  bool typed_anything = false;
  for (std::size_t i = 0; i < typed.size();) {
    std::size_t length = 1;
    if (is_separator(typed, i, length)) {
      i += length;
      continue;
    }
    typed_anything = true;
    unsigned char c = static_cast<unsigned char>(typed[i]);
    if (!std::isalnum(c) || c > 0x7f || characters.size() == k_max_characters)
      return TypedNumber{NumberVerdict::not_a_number, ""};
    characters.push_back(static_cast<char>(std::toupper(c)));
    ++i;
  }
  if (!typed_anything) return TypedNumber{NumberVerdict::empty, ""};
  if (characters.size() <= k_body_and_check) return TypedNumber{NumberVerdict::not_a_number, ""};
  std::size_t prefix = characters.size() - k_body_and_check;
  std::string canonical = characters.substr(0, prefix) + "-" + characters.substr(prefix, 4) + "-" +
                          characters.substr(prefix + 4);
  return TypedNumber{render::valid_number(canonical) ? NumberVerdict::well_formed : NumberVerdict::typo, canonical};
}

std::string form_value(std::string_view query, std::string_view name) {
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    std::size_t equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      std::string_view raw = equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
      std::string value;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '+') {
          value.push_back(' ');
        } else if (raw[i] == '%') {
          int high = i + 1 < raw.size() ? hex_value(raw[i + 1]) : -1;
          int low = i + 2 < raw.size() ? hex_value(raw[i + 2]) : -1;
          if (high < 0 || low < 0) return "";
          value.push_back(static_cast<char>(high * 16 + low));
          i += 2;
        } else {
          value.push_back(raw[i]);
        }
      }
      return value;
    }
    start = end + 1;
  }
  return "";
}

}  // namespace certd::portal
