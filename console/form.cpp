#include "console/form.hpp"

#include <cctype>

namespace certd::console {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (i + 2 >= text.size() || high < 0 || low < 0)
        return Error(ErrorCode::invalid_argument, "the form holds a broken %-escape");
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

Result<FormFields> parse_form(std::string_view body, std::size_t max_fields) {
  FormFields fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view pair = body.substr(start, end - start);
    if (!pair.empty()) {
      if (fields.size() == max_fields)
        return Error(ErrorCode::invalid_argument, "the form has more than " + std::to_string(max_fields) + " fields");
      std::size_t eq = pair.find('=');
      CERTD_ASSIGN_OR_RETURN(std::string name, decode(pair.substr(0, eq)));
      std::string value;
      if (eq != std::string_view::npos) {
        CERTD_ASSIGN_OR_RETURN(value, decode(pair.substr(eq + 1)));
      }
      fields.emplace_back(std::move(name), std::move(value));
    }
    start = end + 1;
  }
  return fields;
}

std::string field(const FormFields& fields, std::string_view name) {
  for (const auto& [key, value] : fields)
    if (key == name) return value;
  return {};
}

std::vector<std::string> fields_named(const FormFields& fields, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [key, value] : fields)
    if (key == name) values.push_back(value);
  return values;
}

std::string url_encode(std::string_view text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(k_hex[c >> 4]);
      out.push_back(k_hex[c & 15]);
    }
  }
  return out;
}

std::string url_origin(const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  std::size_t path = url.find('/', scheme + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

}  // namespace certd::console
