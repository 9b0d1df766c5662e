#pragma once
// Files with one extension below a folder, at any depth: the end-to-end
// tests count PDFs and mail files to prove nothing was written twice.

#include <filesystem>
#include <string>

namespace certd::testing {

inline int count_files(const std::string& dir, const std::string& extension) {
  namespace fs = std::filesystem;
  std::error_code ec;  // a missing folder counts 0, and nothing throws
  int n = 0;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == extension) ++n;
  return n;
}

}  // namespace certd::testing
