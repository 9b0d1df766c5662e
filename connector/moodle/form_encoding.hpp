#pragma once
// Moodle's REST parameter encoding (docs/moodle-api.md §1): form-encoded fields,
// nested values in PHP bracket syntax (`notes[0][userid]=6`), booleans as
// 1/0. The encoder is what the adapter sends; the decoder is what the
// simulator reads (PHP's rules: `a[]` appends, indexes need not be in order).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certd::connector::moodle {

using Record = std::vector<std::pair<std::string, std::string>>;

// Builds one request body. Not thread-safe.
class FormBuilder {
 public:
  FormBuilder& add(std::string name, std::string value);
  FormBuilder& add(std::string name, std::int64_t value);
  FormBuilder& add(std::string name, int value) { return add(std::move(name), static_cast<std::int64_t>(value)); }
  FormBuilder& add_bool(std::string name, bool value);  // 1 / 0, never true/false
  // name[0]=a&name[1]=b
  FormBuilder& add_list(const std::string& name, const std::vector<std::string>& values);
  // name[0][key]=value for each record
  FormBuilder& add_records(const std::string& name, const std::vector<Record>& records);

  const Record& fields() const { return m_fields; }
  std::string encode() const;  // application/x-www-form-urlencoded

 private:
  Record m_fields;
};

std::string percent_encode(std::string_view text);
// Decodes %XX and '+' (as a space). Malformed escapes are kept as text.
std::string percent_decode(std::string_view text);

// A decoded parameter: a scalar or an ordered list of named children.
struct FormValue {
  bool is_scalar = false;
  std::string scalar;
  std::vector<std::pair<std::string, FormValue>> children;  // in order of first appearance

  const FormValue* child(std::string_view name) const;
};

// Splits a body or query string into decoded (name, value) pairs.
Record parse_fields(std::string_view body);
// Builds the PHP-style tree of a whole request. A name that is both a
// scalar and a container keeps the last form, as PHP does.
FormValue parse_form(std::string_view body);

}  // namespace certd::connector::moodle
