#pragma once
// What a loaded Template keeps besides its spec: picture bytes read once
// (JPEG passes through into every PDF as is) and the prepared fonts.
// Internal to render/. Immutable after loading.

#include <optional>
#include <string>
#include <vector>

#include "render/font_set.hpp"
#include "render/image_info.hpp"

namespace certd::render {

struct LoadedImage {
  ImageInfo info;
  std::string bytes;
};

struct PreparedAssets {
  std::optional<LoadedImage> background;
  std::vector<LoadedImage> images;  // parallel to TemplateSpec::images
  std::unique_ptr<PreparedFonts> fonts;
};

}  // namespace certd::render
