#include "render/template.hpp"

namespace certd::render {

const std::vector<Placeholder>& all_placeholders() {
  // issuer_name is the enum's last value; the test that every name parses
  // as a placeholder and comes back as itself keeps this list whole.
  static const std::vector<Placeholder> all = [] {
    std::vector<Placeholder> list;
    for (int p = 0; p <= static_cast<int>(Placeholder::issuer_name); ++p) list.push_back(static_cast<Placeholder>(p));
    return list;
  }();
  return all;
}

std::set<Placeholder> required_placeholders(const TemplateSpec& spec) {
  std::set<Placeholder> required;
  for (const TextField& field : spec.fields) {
    if (field.optional) continue;
    for (const TextPiece& piece : field.text)
      if (piece.placeholder) required.insert(*piece.placeholder);
  }
  return required;
}

}  // namespace certd::render
