#include "app/issuer_key.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "core/file_util.hpp"

namespace certd::app {
namespace {

constexpr std::uint64_t k_max_key_bytes = 64 * 1024;

Status check_private(const std::string& key_file) {
  struct stat info {};
  if (::stat(key_file.c_str(), &info) != 0)
    return Error(errno == ENOENT ? ErrorCode::not_found : ErrorCode::unavailable, "cannot read " + key_file);
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(info.st_mode & 0777));
    return Error(ErrorCode::permission_denied, "the issuer key " + key_file + " has mode " + mode +
                                                   ": group or others may read it. Run: chmod 600 " + key_file);
  }
  return ok();
}

Status create_key(const std::string& key_file) {
  std::string folder = std::filesystem::path(key_file).parent_path().string();
  if (!folder.empty()) CERTD_TRY(make_directories(folder));
  CERTD_ASSIGN_OR_RETURN(std::string pem, render::generate_private_key_pem());
  CERTD_ASSIGN_OR_RETURN(render::Signer signer, render::Signer::from_private_key_pem(pem));
  // Two processes may start at once: each writes its own candidate, and
  // link() (which never replaces) lets exactly one of them win.
  std::string candidate = key_file + ".new." + std::to_string(::getpid());
  CERTD_TRY(write_file_atomically(candidate, pem, 0600));
  int linked = ::link(candidate.c_str(), key_file.c_str());
  int saved = errno;
  ::unlink(candidate.c_str());
  if (linked != 0 && saved == EEXIST) return ok();
  if (linked != 0) return Error(ErrorCode::unavailable, "cannot create " + key_file);
  return write_file_atomically(key_file + ".pub", signer.public_key().pem(), 0644);
}

}  // namespace

Result<render::Signer> load_issuer_key(const std::string& key_file) {
  CERTD_TRY(check_private(key_file));
  CERTD_ASSIGN_OR_RETURN(std::string pem, read_file(key_file, k_max_key_bytes));
  auto signer = render::Signer::from_private_key_pem(pem);
  if (!signer) return Error(ErrorCode::invalid_argument, key_file + ": " + signer.error().message());
  return signer;
}

Result<bool> check_issuer_key(const std::string& key_file) {
  std::error_code ec;
  if (!std::filesystem::exists(key_file, ec)) return false;
  CERTD_TRY(load_issuer_key(key_file));
  return true;
}

Result<render::Signer> load_or_create_issuer_key(const std::string& key_file) {
  std::error_code ec;
  if (!std::filesystem::exists(key_file, ec)) CERTD_TRY(create_key(key_file));
  return load_issuer_key(key_file);
}

Result<render::PublicKey> load_public_key_file(const std::string& path) {
  CERTD_ASSIGN_OR_RETURN(std::string pem, read_file(path, k_max_key_bytes));
  auto key = render::PublicKey::from_pem(pem);
  if (!key) return Error(ErrorCode::invalid_argument, path + ": " + key.error().message());
  return key;
}

}  // namespace certd::app
