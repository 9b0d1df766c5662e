#pragma once
// The portal's static files: its one stylesheet and its icon. Served from
// the binary (no files to deploy) and cacheable; the pages link them, so
// the Content-Security-Policy needs no 'unsafe-inline'.

#include <string_view>

namespace certd::portal {

inline constexpr std::string_view k_stylesheet_path = "/assets/portal.css";
inline constexpr std::string_view k_icon_path = "/assets/icon.svg";

std::string_view portal_stylesheet();
std::string_view portal_icon_svg();

}  // namespace certd::portal
