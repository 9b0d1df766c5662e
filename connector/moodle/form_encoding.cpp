#include "connector/moodle/form_encoding.hpp"

namespace certd::connector::moodle {

FormBuilder& FormBuilder::add(std::string name, std::string value) {
  m_fields.emplace_back(std::move(name), std::move(value));
  return *this;
}

FormBuilder& FormBuilder::add(std::string name, std::int64_t value) {
  return add(std::move(name), std::to_string(value));
}

FormBuilder& FormBuilder::add_bool(std::string name, bool value) {
  return add(std::move(name), std::string(value ? "1" : "0"));
}

FormBuilder& FormBuilder::add_list(const std::string& name, const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) add(name + "[" + std::to_string(i) + "]", values[i]);
  return *this;
}

FormBuilder& FormBuilder::add_records(const std::string& name, const std::vector<Record>& records) {
  for (std::size_t i = 0; i < records.size(); ++i)
    for (const auto& [key, value] : records[i]) add(name + "[" + std::to_string(i) + "][" + key + "]", value);
  return *this;
}

std::string FormBuilder::encode() const {
  std::string out;
  for (const auto& [name, value] : m_fields) {
    if (!out.empty()) out += '&';
    out += percent_encode(name);
    out += '=';
    out += percent_encode(value);
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static const char k_hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "a[b][]" -> {"a", "b", ""}
std::vector<std::string> split_name(const std::string& name) {
  std::vector<std::string> parts;
  std::size_t open = name.find('[');
  parts.push_back(name.substr(0, open));
  while (open != std::string::npos) {
    std::size_t close = name.find(']', open);
    if (close == std::string::npos) break;
    parts.push_back(name.substr(open + 1, close - open - 1));
    open = name.find('[', close);
  }
  return parts;
}

FormValue& child_slot(FormValue& node, const std::string& key) {
  if (node.is_scalar) {
    node.is_scalar = false;
    node.scalar.clear();
  }
  if (key.empty()) {  // PHP's a[] appends with the next integer index
    long next = 0;
    for (const auto& [name, unused] : node.children) {
      char* end = nullptr;
      long index = std::strtol(name.c_str(), &end, 10);
      if (end != name.c_str() && *end == '\0' && index >= next) next = index + 1;
    }
    node.children.emplace_back(std::to_string(next), FormValue());
    return node.children.back().second;
  }
  for (auto& [name, value] : node.children)
    if (name == key) return value;
  node.children.emplace_back(key, FormValue());
  return node.children.back().second;
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

const FormValue* FormValue::child(std::string_view name) const {
  for (const auto& [key, value] : children)
    if (key == name) return &value;
  return nullptr;
}

Record parse_fields(std::string_view body) {
  Record fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view pair = body.substr(start, end - start);
    if (!pair.empty()) {
      std::size_t equals = pair.find('=');
      std::string name = percent_decode(pair.substr(0, equals));
      std::string value = equals == std::string_view::npos ? std::string() : percent_decode(pair.substr(equals + 1));
      fields.emplace_back(std::move(name), std::move(value));
    }
    start = end + 1;
  }
  return fields;
}

FormValue parse_form(std::string_view body) {
  FormValue root;
  for (const auto& [name, value] : parse_fields(body)) {
    std::vector<std::string> parts = split_name(name);
    if (parts.empty() || parts[0].empty()) continue;
    FormValue* node = &root;
    for (const std::string& part : parts) node = &child_slot(*node, part);
    node->is_scalar = true;
    node->children.clear();
    node->scalar = value;
  }
  return root;
}

}  // namespace certd::connector::moodle
