#include "render/image_info.hpp"

namespace certd::render {
namespace {

int be16(const std::string& bytes, std::size_t at) {
  return (static_cast<unsigned char>(bytes[at]) << 8) | static_cast<unsigned char>(bytes[at + 1]);
}

Result<ImageInfo> png_info(const std::string& bytes, const std::string& path) {
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
  if (bytes.size() < 24 || bytes.compare(12, 4, "IHDR") != 0)
    return Error(ErrorCode::invalid_argument, path + ": a damaged PNG file");
  return ImageInfo{ImageKind::png, be16(bytes, 18), be16(bytes, 22)};
}

// Walks the JPEG markers up to the first start-of-frame.
Result<ImageInfo> jpeg_info(const std::string& bytes, const std::string& path) {
  std::size_t at = 2;
  while (at + 9 < bytes.size()) {
    if (static_cast<unsigned char>(bytes[at]) != 0xFF) break;
    auto marker = static_cast<unsigned char>(bytes[at + 1]);
    if (marker == 0xC0 || marker == 0xC1 || marker == 0xC2)
      return ImageInfo{ImageKind::jpeg, be16(bytes, at + 7), be16(bytes, at + 5)};
    if (marker >= 0xC3 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
      return Error(ErrorCode::invalid_argument, path + ": this JPEG coding (lossless or arithmetic) is not supported");
    at += 2 + static_cast<std::size_t>(be16(bytes, at + 2));
  }
  return Error(ErrorCode::invalid_argument, path + ": a damaged JPEG file (no frame header)");
}

}  // namespace

Result<ImageInfo> image_info(const std::string& bytes, const std::string& path) {
  if (bytes.size() > 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) return png_info(bytes, path);
  if (bytes.size() > 4 && static_cast<unsigned char>(bytes[0]) == 0xFF && static_cast<unsigned char>(bytes[1]) == 0xD8)
    return jpeg_info(bytes, path);
  return Error(ErrorCode::invalid_argument, path + ": not a JPEG or PNG image");
}

}  // namespace certd::render
