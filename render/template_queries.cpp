#include "render/template.hpp"

namespace certd::render {

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
