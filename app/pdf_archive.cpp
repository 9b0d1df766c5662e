#include "app/pdf_archive.hpp"

#include <filesystem>
#include <set>

#include "core/file_util.hpp"

namespace certd::app {
namespace {

constexpr std::uint64_t k_max_pdf_bytes = 64 << 20;

// Below this many files a group is flushed file by file: syncfs() flushes
// the whole file system, which costs more than a few fsyncs while other
// writers (mail, the database) are busy.
constexpr std::size_t k_syncfs_threshold = 16;

}  // namespace

std::string PdfArchive::relative_path_for(const std::string& number, int year) {
  return "pdf/" + std::to_string(year) + "/" + number + ".pdf";
}

Status PdfArchive::write_group(const std::vector<PdfFile>& files) const {
  if (files.empty()) return ok();
  bool one_by_one = files.size() < k_syncfs_threshold;
  std::set<std::string> folders;
  for (const PdfFile& file : files) {
    CERTD_ASSIGN_OR_RETURN(std::string path, join_inside(m_data_dir, file.relative_path));
    std::string folder = std::filesystem::path(path).parent_path().string();
    CERTD_TRY(make_directories(folder));
    // A small group fsyncs each file now and each folder once below; a big
    // one leaves both to the single syncfs().
    // 0600: the PDFs name students; only certd (the portal) reads them.
    CERTD_TRY(write_file_atomically(path, file.bytes, 0600, one_by_one ? Durability::file : Durability::deferred));
    folders.insert(folder);
  }
  if (!one_by_one) return sync_file_system(m_data_dir);
  for (const std::string& folder : folders) CERTD_TRY(fsync_directory(folder));  // the renames
  return ok();
}

Result<int> PdfArchive::remove_leftovers() const {
  std::error_code ec;
  int removed = 0;
  std::filesystem::path root = std::filesystem::path(m_data_dir) / "pdf";
  if (!std::filesystem::exists(root, ec)) return 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".tmp" && std::filesystem::remove(entry.path(), ec))
      ++removed;
  if (ec) return Error(ErrorCode::unavailable, "cannot clean " + root.string() + ": " + ec.message());
  return removed;
}

Result<std::string> PdfArchive::read(const std::string& relative_path) const {
  CERTD_ASSIGN_OR_RETURN(std::string path, join_inside(m_data_dir, relative_path));
  return read_file(path, k_max_pdf_bytes);
}

}  // namespace certd::app
