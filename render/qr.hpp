#pragma once
// QR codes for the verification URL (libqrencode), drawn as vector
// rectangles: sharp at any zoom and a few hundred bytes. Internal to
// render/. Thread-safe (libqrencode locks internally).

#include <hpdf.h>

#include <string>
#include <vector>

#include "core/result.hpp"
#include "render/template.hpp"

namespace certd::render {

inline constexpr int k_qr_quiet_zone = 4;  // modules of white around the code (ISO/IEC 18004)

struct QrMatrix {
  int width = 0;              // modules per side, without the quiet zone
  std::vector<bool> dark;     // row-major
  bool at(int row, int column) const { return dark[static_cast<std::size_t>(row * width + column)]; }
};

// Error correction level M, byte mode, case kept.
Result<QrMatrix> encode_qr(const std::string& text);

// Fills the placement's square (in PDF coordinates: `bottom` from the page
// foot) with a white quiet zone and the dark modules, one rectangle per
// horizontal run and a single fill.
void draw_qr(HPDF_Page page, const QrMatrix& matrix, const QrPlacement& placement, double bottom);

}  // namespace certd::render
