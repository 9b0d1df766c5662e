#pragma once
// Reads the kind and pixel size of a JPEG or PNG from its first bytes, so
// a template with a broken or unsupported picture fails at load time.

#include <string>

#include "core/result.hpp"

namespace certd::render {

enum class ImageKind { jpeg, png };

struct ImageInfo {
  ImageKind kind = ImageKind::jpeg;
  int width = 0;
  int height = 0;
};

// invalid_argument if `bytes` are neither a baseline/progressive JPEG
// nor a PNG; `name` appears in messages.
Result<ImageInfo> image_info(const std::string& bytes, const std::string& name);

}  // namespace certd::render
