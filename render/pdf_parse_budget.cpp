#include "render/pdf_parse_budget.hpp"

#include <qpdf/Buffer.hh>
#include <qpdf/BufferInputSource.hh>
#include <qpdf/QPDFTokenizer.hh>

#include <exception>
#include <memory>
#include <string>

namespace certd::render {
namespace {

using Token = QPDFTokenizer::Token;

// qpdf's tokenizer over the caller's bytes (not copied), charging each
// token and the bytes it spans (with the space before it) to the budget.
class Scanner {
 public:
  Scanner(std::string_view pdf, std::int64_t offset, ParseBudget& budget)
      : m_buffer(reinterpret_cast<unsigned char*>(const_cast<char*>(pdf.data())), pdf.size()),
        m_input(std::make_shared<BufferInputSource>("certificate.pdf", &m_buffer)),
        m_budget(budget) {
    m_tokenizer.allowEOF();
    m_input->seek(offset, SEEK_SET);
  }

  // The next token; tt_eof at the end of the file and once over budget.
  Token next() {
    if (m_budget.over()) return Token(QPDFTokenizer::tt_eof, "");
    const qpdf_offset_t before = m_input->tell();
    Token token(QPDFTokenizer::tt_eof, "");
    try {
      token = m_tokenizer.readToken(m_input, "certificate.pdf", /*allow_bad=*/true);
    } catch (const std::exception&) {
      // Whatever qpdf's tokenizer cannot read, its parser cannot either.
    }
    m_budget.tokens += 1;
    m_budget.bytes += static_cast<std::uint64_t>(m_input->tell() - before);
    return token;
  }

 private:
  Buffer m_buffer;  // does not own the bytes
  std::shared_ptr<InputSource> m_input;
  QPDFTokenizer m_tokenizer;
  ParseBudget& m_budget;
};

// Reads one value the way qpdf's parser does: a scalar, or an array or a
// dictionary up to its matching close. qpdf takes a close that does not
// match, or a bad token, as a mistake inside the value and reads on; so
// does this (at worst it charges more than qpdf would parse, never less).
// Sets `encrypt_key` when the outermost dictionary names /Encrypt.
void skip_value(Scanner& scanner, bool& encrypt_key) {
  std::string open;  // brackets still open, innermost last: '[' or '<'
  for (;;) {
    Token token = scanner.next();
    switch (token.getType()) {
      case QPDFTokenizer::tt_eof: return;
      case QPDFTokenizer::tt_bad: continue;
      case QPDFTokenizer::tt_array_open: open += '['; continue;
      case QPDFTokenizer::tt_dict_open: open += '<'; continue;
      case QPDFTokenizer::tt_array_close:
      case QPDFTokenizer::tt_dict_close: {
        const char match = token.getType() == QPDFTokenizer::tt_array_close ? '[' : '<';
        if (open.empty() || open.back() != match) continue;
        open.pop_back();
        break;
      }
      case QPDFTokenizer::tt_name:
        if (open == "<" && token.getValue() == "/Encrypt") encrypt_key = true;
        break;
      default: break;
    }
    if (open.empty()) return;
  }
}

}  // namespace

bool charge_trailers(std::string_view pdf, ParseBudget& budget, bool& encrypted) {
  constexpr std::string_view k_keyword = "trailer";
  for (std::size_t at = pdf.find(k_keyword); at != std::string_view::npos && !budget.over();
       at = pdf.find(k_keyword, at + 1)) {
    Scanner scanner(pdf, static_cast<std::int64_t>(at + k_keyword.size()), budget);
    skip_value(scanner, encrypted);
  }
  return !budget.over();
}

bool charge_object(std::string_view pdf, std::int64_t offset, ParseBudget& budget) {
  if (offset < 0 || static_cast<std::uint64_t>(offset) >= pdf.size()) return !budget.over();
  Scanner scanner(pdf, offset, budget);
  scanner.next();  // N
  scanner.next();  // G
  // Without "obj" here qpdf refuses the object before reading its value.
  if (!scanner.next().isWord("obj")) return !budget.over();
  bool ignored = false;
  skip_value(scanner, ignored);
  return !budget.over();
}

}  // namespace certd::render
