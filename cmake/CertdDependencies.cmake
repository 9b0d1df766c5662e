# Every third-party library comes from Debian's packages (scripts/setup.sh
# installs them). Each is linked PRIVATE to the one module that wraps it.

find_package(Threads REQUIRED)
find_package(cpprestsdk REQUIRED)
# Boost.Beast and Asio (header-only) serve the portal (docs/libraries.md §2).
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(CURL REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(SQLiteCpp REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
pkg_check_modules(QPDF REQUIRED IMPORTED_TARGET libqpdf)
# argon2id for local console passwords (libargon2-dev; app/password_hash.cpp).
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET libargon2)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)

# libharu ships neither a pkg-config file nor a CMake package.
find_path(HPDF_INCLUDE_DIR hpdf.h REQUIRED)
find_library(HPDF_LIBRARY hpdf REQUIRED)
add_library(certd::hpdf UNKNOWN IMPORTED)
set_target_properties(certd::hpdf PROPERTIES
  IMPORTED_LOCATION "${HPDF_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${HPDF_INCLUDE_DIR}")

# kainjow mustache is header-only (libkainjow-mustache-dev).
find_path(MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp REQUIRED)
add_library(certd::mustache INTERFACE IMPORTED)
set_target_properties(certd::mustache PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${MUSTACHE_INCLUDE_DIR}")

if(CERTD_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(CERTD_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
