// Template file -> loaded Template: parse, then read pictures and cut
// fonts, then check that every literal character can be drawn.

#include "core/file_util.hpp"
#include "render/prepared_assets.hpp"
#include "render/template.hpp"
#include "render/text_layout.hpp"

namespace certd::render {
namespace {

constexpr std::uint64_t k_max_template_bytes = 1 << 20;
constexpr std::uint64_t k_max_image_bytes = 20 << 20;

std::optional<LoadedImage> load_image(const std::string& file, const SourceLocation& where, const std::string& key,
                                      std::vector<Error>& errors) {
  auto bytes = read_file(file, k_max_image_bytes);
  if (!bytes) {
    errors.emplace_back(bytes.error().code(), key + ": " + bytes.error().message(), where);
    return std::nullopt;
  }
  auto info = image_info(*bytes, file);
  if (!info) {
    errors.emplace_back(info.error().code(), key + ": " + info.error().message(), where);
    return std::nullopt;
  }
  return LoadedImage{*info, std::move(bytes).value()};
}

void load_pictures(const TemplateSpec& spec, PreparedAssets& assets, std::vector<Error>& errors) {
  if (!spec.background.empty())
    assets.background = load_image(spec.background, spec.background_where, "background", errors);
  for (std::size_t i = 0; i < spec.images.size(); ++i) {
    auto image = load_image(spec.images[i].file, spec.images[i].where, "images[" + std::to_string(i) + "].file", errors);
    assets.images.push_back(image ? std::move(*image) : LoadedImage{});
  }
}

// Literal text is known now: a character no font has fails the template,
// not the first certificate.
void check_literals(const TemplateSpec& spec, const PreparedFonts& fonts, std::vector<Error>& errors) {
  for (const TextField& field : spec.fields) {
    for (const TextPiece& piece : field.text) {
      if (piece.placeholder) continue;
      auto segments = segment_text(piece.literal, field, spec.fallback_fonts, fonts);
      if (!segments) errors.emplace_back(ErrorCode::invalid_argument, segments.error().message(), field.where);
    }
  }
}

}  // namespace

Template::Template(TemplateSpec spec, std::unique_ptr<PreparedAssets> assets)
    : m_spec(std::move(spec)), m_assets(std::move(assets)) {}
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::~Template() = default;

TemplateLoad load_template(std::string_view text, const std::string& path, const LoadOptions& options) {
  SpecLoad parsed = parse_template(text, path);
  TemplateLoad result;
  if (!parsed.ok()) {
    result.errors = std::move(parsed.errors);
    return result;
  }
  auto assets = std::make_unique<PreparedAssets>();
  load_pictures(parsed.spec, *assets, result.errors);
  auto fonts = PreparedFonts::prepare(parsed.spec, options.scratch_dir, result.errors);
  if (!fonts) {
    result.errors.emplace_back(fonts.error().code(), fonts.error().message(), SourceLocation{path, 0, 0});
    return result;
  }
  assets->fonts = std::move(fonts).value();
  if (result.errors.empty()) check_literals(parsed.spec, *assets->fonts, result.errors);
  if (result.errors.empty()) result.loaded.emplace(std::move(parsed.spec), std::move(assets));
  return result;
}

TemplateLoad load_template_file(const std::string& path, const LoadOptions& options) {
  auto text = read_file(path, k_max_template_bytes);
  if (!text) {
    TemplateLoad result;
    result.errors.emplace_back(text.error().code(), text.error().message(), SourceLocation{path, 0, 0});
    return result;
  }
  return load_template(*text, path, options);
}

}  // namespace certd::render
