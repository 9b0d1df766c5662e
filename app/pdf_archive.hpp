#pragma once
// Where issued PDFs live: data_dir/pdf/<YYYY>/<number>.pdf. Files are
// written in groups: each is written and renamed into place, then the
// group is made durable (one syncfs() for a big group, an fsync per file
// for a small one) before the store commits the rows that name them. That
// keeps "the PDF exists if the row does" without an fsync storm at batch
// speed.

#include <string>
#include <vector>

#include "core/result.hpp"

namespace certd::app {

struct PdfFile {
  std::string relative_path;  // what the certificate row stores
  std::string bytes;
};

// Thread-safe: holds only the folder name.
class PdfArchive {
 public:
  explicit PdfArchive(std::string data_dir) : m_data_dir(std::move(data_dir)) {}

  // "pdf/2026/SWL3-7K4M-9QXA.pdf" for a number issued in `year`.
  static std::string relative_path_for(const std::string& number, int year);

  // Writes every file (replacing any half-written leftover of a crashed
  // attempt), then makes them durable together.
  Status write_group(const std::vector<PdfFile>& files) const;

  Result<std::string> read(const std::string& relative_path) const;

  // Deletes the *.tmp files a killed process left mid-write; returns how
  // many. Call at start-up, before any group is written.
  Result<int> remove_leftovers() const;

 private:
  std::string m_data_dir;
};

}  // namespace certd::app
