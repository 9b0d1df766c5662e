#pragma once
// The headless browser's tools for end-to-end tests: Debian's chromium and
// node, and tests/browser's pinned npm packages (playwright-core,
// axe-core), installed once from package-lock.json. Several test processes
// may ask at once (ctest -j): the install runs under a file lock, and a
// second asker finds the packages there.

#include <cstdlib>
#include <filesystem>

namespace certd::testing {

inline bool have_browser() {
  return std::system("command -v node > /dev/null 2>&1") == 0 && std::filesystem::exists("/usr/bin/chromium");
}

inline bool browser_packages() {
  return std::system(
             "cd tests/browser && flock .npm-install.lock sh -c '"
             "test -f node_modules/playwright-core/package.json && test -f node_modules/axe-core/axe.min.js || "
             "npm ci --no-audit --no-fund > /dev/null 2>&1'") == 0;
}

}  // namespace certd::testing
