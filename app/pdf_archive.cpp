#include "app/pdf_archive.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/file_util.hpp"

namespace certd::app {
namespace {

constexpr std::uint64_t k_max_pdf_bytes = 64 << 20;

Status write_unsynced(const std::string& path, const std::string& bytes) {
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return Error(ErrorCode::unavailable, "cannot write " + temp);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0)
    return Error(ErrorCode::unavailable, "cannot rename " + temp + ": " + std::strerror(errno));
  return ok();
}

// One syncfs() flushes every file and directory entry written above.
Status sync_filesystem_of(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error(ErrorCode::unavailable, "cannot open " + dir + ": " + std::strerror(errno));
  int rc = ::syncfs(fd);
  ::close(fd);
  if (rc != 0) return Error(ErrorCode::unavailable, "syncfs failed on " + dir + ": " + std::strerror(errno));
  return ok();
}

}  // namespace

std::string PdfArchive::relative_path_for(const std::string& number, int year) {
  return "pdf/" + std::to_string(year) + "/" + number + ".pdf";
}

Status PdfArchive::write_group(const std::vector<PdfFile>& files) const {
  if (files.empty()) return ok();
  for (const PdfFile& file : files) {
    CERTD_ASSIGN_OR_RETURN(std::string path, join_inside(m_data_dir, file.relative_path));
    CERTD_TRY(make_directories(std::filesystem::path(path).parent_path().string()));
    CERTD_TRY(write_unsynced(path, file.bytes));
  }
  return sync_filesystem_of(m_data_dir);
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
