#include "render/qr.hpp"

#include <qrencode.h>

#include <cerrno>
#include <cstring>

namespace certd::render {

Result<QrMatrix> encode_qr(const std::string& text) {
  QRcode* code = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!code)
    return Error(ErrorCode::invalid_argument,
                 "cannot encode '" + text + "' as a QR code (" + std::strerror(errno) + ")");
  QrMatrix matrix;
  matrix.width = code->width;
  matrix.dark.resize(static_cast<std::size_t>(code->width) * static_cast<std::size_t>(code->width));
  for (std::size_t i = 0; i < matrix.dark.size(); ++i) matrix.dark[i] = (code->data[i] & 1) != 0;
  QRcode_free(code);
  return matrix;
}

void draw_qr(HPDF_Page page, const QrMatrix& matrix, const QrPlacement& placement, double bottom) {
  const double module = placement.size / (matrix.width + 2 * k_qr_quiet_zone);
  const double left = placement.x + k_qr_quiet_zone * module;
  const double top = bottom + placement.size - k_qr_quiet_zone * module;
  HPDF_Page_GSave(page);
  HPDF_Page_SetRGBFill(page, 1, 1, 1);
  HPDF_Page_Rectangle(page, placement.x, bottom, placement.size, placement.size);
  HPDF_Page_Fill(page);
  HPDF_Page_SetRGBFill(page, placement.color.red, placement.color.green, placement.color.blue);
  for (int row = 0; row < matrix.width; ++row) {
    for (int column = 0; column < matrix.width;) {
      if (!matrix.at(row, column)) {
        ++column;
        continue;
      }
      int end = column;
      while (end < matrix.width && matrix.at(row, end)) ++end;
      // A hair of overlap between rows hides anti-aliasing seams in viewers.
      HPDF_Page_Rectangle(page, left + column * module, top - (row + 1) * module, (end - column) * module,
                          module * 1.02);
      column = end;
    }
  }
  HPDF_Page_Fill(page);
  HPDF_Page_GRestore(page);
}

}  // namespace certd::render
