#include "render/shown_codes.hpp"

#include <optional>
#include <vector>

namespace certd::render {
namespace {

bool is_space(char c) { return c == '\0' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; }

bool is_delimiter(char c) {
  return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}' || c == '/' ||
         c == '%';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// PDF 32000-1 §7.2-7.3: just enough of the lexer for content streams.
class Scanner {
 public:
  explicit Scanner(std::string_view content) : m_in(content) {}

  std::map<std::string, std::set<char32_t>> run() {
    while (skip_space_and_comments()) {
      char c = m_in[m_at];
      if (c == '(') {
        m_strings.push_back(literal_string());
      } else if (c == '<' && peek(1) == '<') {
        m_at += 2;  // a dictionary (marked content, inline image): its names and strings are no text
      } else if (c == '<') {
        m_strings.push_back(hex_string());
      } else if (c == '>' && peek(1) == '>') {
        m_at += 2;
      } else if (c == '/') {
        ++m_at;
        m_name = regular_token();
      } else if (c == '[' || c == ']' || c == '{' || c == '}' || c == ')' || c == '>') {
        ++m_at;  // arrays only group TJ's strings; a stray ')' or '>' is skipped
      } else {
        std::string token = regular_token();
        if (!is_number(token)) operate(token);
      }
    }
    return std::move(m_codes);
  }

 private:
  char peek(std::size_t ahead) const { return m_at + ahead < m_in.size() ? m_in[m_at + ahead] : '\0'; }

  // False at the end of the content.
  bool skip_space_and_comments() {
    while (m_at < m_in.size()) {
      if (is_space(m_in[m_at])) {
        ++m_at;
      } else if (m_in[m_at] == '%') {
        while (m_at < m_in.size() && m_in[m_at] != '\n' && m_in[m_at] != '\r') ++m_at;
      } else {
        return true;
      }
    }
    return false;
  }

  std::string regular_token() {
    std::size_t start = m_at;
    while (m_at < m_in.size() && !is_space(m_in[m_at]) && !is_delimiter(m_in[m_at])) ++m_at;
    return std::string(m_in.substr(start, m_at - start));
  }

  static bool is_number(const std::string& token) {
    return !token.empty() && (token[0] == '+' || token[0] == '-' || token[0] == '.' || (token[0] >= '0' && token[0] <= '9'));
  }

  std::string hex_string() {
    ++m_at;  // '<'
    std::string bytes;
    int high = -1;
    for (; m_at < m_in.size() && m_in[m_at] != '>'; ++m_at) {
      int value = hex_value(m_in[m_at]);
      if (value < 0) continue;  // white space (anything else is malformed)
      if (high < 0) {
        high = value;
      } else {
        bytes += static_cast<char>(high * 16 + value);
        high = -1;
      }
    }
    if (high >= 0) bytes += static_cast<char>(high * 16);  // an odd last digit is followed by 0
    ++m_at;  // '>'
    return bytes;
  }

  std::string literal_string() {
    ++m_at;  // '('
    std::string bytes;
    int depth = 1;
    while (m_at < m_in.size()) {
      char c = m_in[m_at++];
      if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        break;
      } else if (c == '\\' && m_at < m_in.size()) {
        std::optional<char> byte = escaped();
        if (!byte) continue;  // a line continuation adds nothing
        c = *byte;
      }
      bytes += c;
    }
    return bytes;
  }

  // The byte a backslash sequence stands for; none for a line continuation.
  std::optional<char> escaped() {
    char c = m_in[m_at++];
    switch (c) {
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'b': return '\b';
      case 'f': return '\f';
      case '\r':
        if (m_at < m_in.size() && m_in[m_at] == '\n') ++m_at;
        return std::nullopt;
      case '\n': return std::nullopt;
      default: break;
    }
    if (c < '0' || c > '7') return c;  // \( \) \\ and any other character stand for themselves
    int value = c - '0';
    for (int digits = 1; digits < 3 && m_at < m_in.size() && m_in[m_at] >= '0' && m_in[m_at] <= '7'; ++digits)
      value = value * 8 + (m_in[m_at++] - '0');
    return static_cast<char>(value & 0xFF);
  }

  void operate(const std::string& op) {
    if (op == "Tf") {
      m_font = m_name;
    } else if (op == "Tj" || op == "TJ" || op == "'" || op == "\"") {
      if (m_font) {
        std::set<char32_t>& codes = m_codes[*m_font];
        for (const std::string& text : m_strings)
          for (std::size_t i = 0; i + 1 < text.size(); i += 2)
            codes.insert(static_cast<char32_t>((static_cast<unsigned char>(text[i]) << 8) |
                                               static_cast<unsigned char>(text[i + 1])));
      }
    } else if (op == "q") {
      m_saved.push_back(m_font);
    } else if (op == "Q" && !m_saved.empty()) {
      m_font = m_saved.back();
      m_saved.pop_back();
    } else if (op == "ID") {
      skip_inline_image_data();
    }
    m_strings.clear();
    m_name.reset();
  }

  // Binary data up to white space, "EI", white space (or the end).
  void skip_inline_image_data() {
    ++m_at;  // the single white space after ID
    for (; m_at + 1 < m_in.size(); ++m_at) {
      if (m_in[m_at] == 'E' && m_in[m_at + 1] == 'I' && is_space(m_in[m_at - 1]) &&
          (m_at + 2 == m_in.size() || is_space(m_in[m_at + 2]))) {
        m_at += 2;
        return;
      }
    }
    m_at = m_in.size();
  }

  std::string_view m_in;
  std::size_t m_at = 0;
  std::vector<std::string> m_strings;  // operands of the coming operator
  std::optional<std::string> m_name;
  std::optional<std::string> m_font;
  std::vector<std::optional<std::string>> m_saved;  // q/Q
  std::map<std::string, std::set<char32_t>> m_codes;
};

}  // namespace

std::map<std::string, std::set<char32_t>> shown_codes(std::string_view content) { return Scanner(content).run(); }

}  // namespace certd::render
