#include "app/pdf_archive.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

Status write_file(const std::string& path, const std::string& bytes, bool flush) {
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error(ErrorCode::unavailable, "cannot create " + temp + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    written += static_cast<std::size_t>(n);
  }
  bool good = written == bytes.size() && (!flush || ::fsync(fd) == 0);
  ::close(fd);
  if (!good) return Error(ErrorCode::unavailable, "cannot write " + temp + ": " + std::strerror(errno));
  if (::rename(temp.c_str(), path.c_str()) != 0)
    return Error(ErrorCode::unavailable, "cannot rename " + temp + ": " + std::strerror(errno));
  return ok();
}

Status fsync_folder(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error(ErrorCode::unavailable, "cannot open " + dir + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Error(ErrorCode::unavailable, "cannot fsync " + dir + ": " + std::strerror(errno));
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
  bool one_by_one = files.size() < k_syncfs_threshold;
  std::set<std::string> folders;
  for (const PdfFile& file : files) {
    CERTD_ASSIGN_OR_RETURN(std::string path, join_inside(m_data_dir, file.relative_path));
    std::string folder = std::filesystem::path(path).parent_path().string();
    CERTD_TRY(make_directories(folder));
    CERTD_TRY(write_file(path, file.bytes, /*flush=*/one_by_one));
    folders.insert(folder);
  }
  if (!one_by_one) return sync_filesystem_of(m_data_dir);
  for (const std::string& folder : folders) CERTD_TRY(fsync_folder(folder));  // the renames
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
