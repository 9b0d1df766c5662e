#include "core/file_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace certd {
namespace {

Error errno_error(const std::string& what, const std::string& path) {
  int saved = errno;
  ErrorCode code = saved == ENOENT ? ErrorCode::not_found
                   : saved == EACCES || saved == EPERM ? ErrorCode::permission_denied
                                                       : ErrorCode::unavailable;
  return Error(code, what + " " + path + ": " + std::strerror(saved));
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("cannot write", path);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

std::string directory_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

}  // namespace

Result<std::string> read_file(const std::string& path, std::uint64_t max_bytes) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    errno = ec.value();
    return errno_error("cannot read", path);
  }
  if (size > max_bytes)
    return Error(ErrorCode::invalid_argument,
                 path + " is " + std::to_string(size) + " bytes; the limit is " + std::to_string(max_bytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) return errno_error("cannot open", path);
  // The size above may be wrong (a file that grew since, or one the file
  // system sizes 0, such as /proc's): read one byte past the limit at most.
  std::string bytes;
  char buffer[1 << 16];
  while (in && bytes.size() <= max_bytes) {
    const std::uint64_t room = max_bytes - bytes.size();
    const std::uint64_t wanted = room < sizeof buffer ? room + 1 : sizeof buffer;
    in.read(buffer, static_cast<std::streamsize>(wanted));
    bytes.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (bytes.size() > max_bytes)
    return Error(ErrorCode::invalid_argument,
                 path + " is over the limit of " + std::to_string(max_bytes) + " bytes");
  if (in.bad()) return errno_error("cannot read", path);
  return bytes;
}

Status write_file_atomically(const std::string& path, std::string_view bytes, unsigned mode,
                             Durability durability) {
  std::string temp = path + "." + std::to_string(::getpid()) + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return errno_error("cannot create", temp);
  // open() honours the umask; set the exact mode before writing any byte.
  Status status = ::fchmod(fd, mode) == 0 ? write_all(fd, bytes, temp) : errno_error("cannot chmod", temp);
  if (status && durability != Durability::deferred && ::fsync(fd) != 0) status = errno_error("cannot fsync", temp);
  // close() can report a failed write-back (NFS, quotas).
  if (::close(fd) != 0 && status) status = errno_error("cannot close", temp);
  if (status && ::rename(temp.c_str(), path.c_str()) != 0) status = errno_error("cannot rename to", path);
  if (!status) {
    ::unlink(temp.c_str());
    return status;
  }
  if (durability == Durability::file_and_directory) return fsync_directory(directory_of(path));
  return ok();
}

Status fsync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot open directory", dir);
  int rc = ::fsync(fd);
  if (rc != 0) rc = errno;
  ::close(fd);
  errno = rc;
  if (rc != 0) return errno_error("cannot fsync directory", dir);
  return ok();
}

Status sync_file_system(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot open", path);
  int rc = ::syncfs(fd);
  if (rc != 0) rc = errno;
  ::close(fd);
  errno = rc;
  if (rc != 0) return errno_error("syncfs failed on", path);
  return ok();
}

Status make_directories(const std::string& path) {
  // Parent first, one mkdir() each: std::filesystem::create_directories
  // would give every new folder 0777 less the umask (0755 under umask 022).
  std::filesystem::path partial;
  for (const std::filesystem::path& part : std::filesystem::path(path).lexically_normal()) {
    partial /= part;
    if (part.empty() || part == "/" || part == "." || part == "..") continue;
    if (::mkdir(partial.c_str(), 0700) != 0) {
      int saved = errno;
      std::error_code ec;
      if (saved == EEXIST && std::filesystem::is_directory(partial, ec)) continue;
      errno = saved;
      return errno_error("cannot create directory", partial.string());
    }
    // mkdir() honours the umask, which may have taken the owner's bits.
    if (::chmod(partial.c_str(), 0700) != 0) return errno_error("cannot chmod", partial.string());
  }
  return ok();
}

Result<std::string> join_inside(const std::string& root, std::string_view name) {
  auto refuse = [&] {
    return Error(ErrorCode::invalid_argument, "refusing path outside its folder: " + std::string(name));
  };
  if (name.empty() || name.front() == '/' || name.find('\0') != std::string_view::npos ||
      name.find('\\') != std::string_view::npos)
    return refuse();
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return refuse();
    start = end + 1;
  }
  return root + "/" + std::string(name);
}

}  // namespace certd
