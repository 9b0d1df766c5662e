#include "app/backup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "app/issuer_key.hpp"
#include "config/config.hpp"
#include "core/file_util.hpp"
#include "core/log.hpp"
#include "core/private_key_encryption.hpp"
#include "core/time_format.hpp"
#include "render/signing.hpp"
#include "store/backup_file.hpp"
#include "store/store.hpp"

#ifndef CERTD_VERSION
#define CERTD_VERSION "unknown"
#endif

namespace certd::app {
namespace {

namespace fs = std::filesystem;

// Names of the keys in backup_keys.
constexpr const char* k_issuer_key = "issuer";
constexpr const char* k_lti_key = "lti";

constexpr std::uint64_t k_max_key_bytes = 64 * 1024;
constexpr std::uint64_t k_max_pdf_bytes = 64 << 20;  // as PdfArchive reads them
// Only files below here are restored, whatever a backup file names.
constexpr const char* k_pdf_folder = "pdf/";

bool exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

std::string parent_of(const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

std::uint64_t file_size(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  return ec ? 0 : static_cast<std::uint64_t>(size);
}

// SQLite flushes its commits; this flushes what is left (the file's last
// pages and its size) before the rename makes the file count.
Status fsync_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(ErrorCode::unavailable, "cannot open " + path + ": " + std::strerror(errno));
  int synced = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (synced != 0) return Error(ErrorCode::unavailable, "cannot flush " + path + ": " + std::strerror(saved));
  return ok();
}

Status rename_file(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0)
    return Error(ErrorCode::unavailable, "cannot rename " + from + " to " + to + ": " + std::strerror(errno));
  return ok();
}

void remove_quietly(const std::string& path) {
  for (const std::string& file : {path, path + "-journal", path + "-wal", path + "-shm"}) ::unlink(file.c_str());
}

// --- backup ---

struct EncryptedKey {
  std::string name;
  std::string pem;
};

// The keys, encrypted before the snapshot: a wrong key file fails the
// backup before it writes anything.
Result<std::vector<EncryptedKey>> encrypted_keys(const SchoolFiles& school, const render::Signer& issuer,
                                                 const std::string& passphrase) {
  std::vector<EncryptedKey> keys;
  CERTD_ASSIGN_OR_RETURN(std::string issuer_pem, encrypt_private_key_pem(issuer.private_key_pem(), passphrase));
  keys.push_back({k_issuer_key, std::move(issuer_pem)});
  if (!school.lti_key_file.empty() && exists(school.lti_key_file)) {
    CERTD_ASSIGN_OR_RETURN(std::string lti_plain, read_file(school.lti_key_file, k_max_key_bytes));
    auto lti_pem = encrypt_private_key_pem(lti_plain, passphrase);
    if (!lti_pem) return Error(lti_pem.error().code(), school.lti_key_file + ": " + lti_pem.error().message());
    keys.push_back({k_lti_key, std::move(*lti_pem)});
  }
  return keys;
}

// Adds the PDF of every certificate in the snapshot; the paths of those
// not found are returned (and logged: paths hold numbers, never names).
Result<std::vector<std::string>> add_pdfs(store::BackupWriter& writer, const SchoolFiles& school,
                                          std::int64_t& added) {
  std::vector<std::string> missing;
  CERTD_ASSIGN_OR_RETURN(std::vector<std::string> paths, writer.pdf_paths());
  for (const std::string& relative : paths) {
    CERTD_ASSIGN_OR_RETURN(std::string path, join_inside(school.data_dir, relative));
    auto bytes = read_file(path, k_max_pdf_bytes);
    if (!bytes && bytes.error().code() == ErrorCode::not_found) {
      CERTD_LOG_WARN("backup: the PDF {} is missing from the data dir; the backup goes on without it", relative);
      missing.push_back(relative);
      continue;
    }
    if (!bytes) return bytes.error();
    CERTD_TRY(writer.add_file(relative, *bytes));
    ++added;
  }
  return missing;
}

// Fills the snapshot in `writer`: PDFs, keys, what the file is.
Status fill_backup(store::BackupWriter& writer, const SchoolFiles& school, const render::Signer& issuer,
                   const std::vector<EncryptedKey>& keys, TimePoint now, BackupSummary& summary) {
  CERTD_ASSIGN_OR_RETURN(summary.certificates, writer.certificate_count());
  CERTD_ASSIGN_OR_RETURN(std::vector<std::string> missing, add_pdfs(writer, school, summary.pdfs));
  summary.missing_pdfs = std::move(missing);
  for (const EncryptedKey& key : keys) CERTD_TRY(writer.add_key(key.name, key.pem));
  summary.issuer_key_id = issuer.public_key().key_id();
  const std::pair<const char*, std::string> info[] = {
      {"format", std::string(store::k_backup_format)},
      {"format_version", std::to_string(store::k_backup_format_version)},
      {"created_at", format_iso8601(now)},
      {"certd_version", CERTD_VERSION},
      {"schema_version", std::to_string(writer.schema_version())},
      {"certificates", std::to_string(summary.certificates)},
      {"pdfs", std::to_string(summary.pdfs)},
      {"missing_pdfs", std::to_string(summary.missing_pdfs.size())},
      {"issuer_key_id", summary.issuer_key_id},
      {"issuer_public_key", issuer.public_key().pem()},
      {"key_encryption", "PKCS#8 PBES2: scrypt (N=16384, r=8, p=1), AES-256-CBC; passphrase from " +
                             std::string(k_backup_passphrase_env)},
  };
  for (const auto& [key, value] : info) CERTD_TRY(writer.add_info(key, value));
  return ok();
}

// --- restore ---

struct DecryptedKeys {
  std::string issuer_pem;
  std::string lti_pem;  // empty: the backup has none
  std::string issuer_key_id;
};

Result<DecryptedKeys> decrypt_keys(store::BackupReader& reader, const std::map<std::string, std::string>& info,
                                   const std::string& file, const std::string& passphrase) {
  CERTD_ASSIGN_OR_RETURN(auto keys, reader.keys());
  if (keys.count(k_issuer_key) == 0)
    return Error(ErrorCode::invalid_argument, file + " is damaged: it holds no issuer key");
  DecryptedKeys decrypted;
  for (const auto& [name, encrypted] : keys) {
    auto plain = decrypt_private_key_pem(encrypted, passphrase);
    if (!plain && plain.error().code() == ErrorCode::permission_denied)
      return Error(ErrorCode::permission_denied, "cannot decrypt the keys in " + file + ": wrong " +
                                                     k_backup_passphrase_env +
                                                     " (or a damaged backup); nothing was written");
    if (!plain) return Error(ErrorCode::invalid_argument, file + " is damaged: its " + name + " key: " +
                                                            plain.error().message());
    if (name == k_issuer_key) decrypted.issuer_pem = std::move(*plain);
    if (name == k_lti_key) decrypted.lti_pem = std::move(*plain);
  }
  auto signer = render::Signer::from_private_key_pem(decrypted.issuer_pem);
  if (!signer) return Error(ErrorCode::invalid_argument, file + " is damaged: " + signer.error().message());
  decrypted.issuer_key_id = signer->public_key().key_id();
  auto recorded = info.find("issuer_key_id");
  if (recorded != info.end() && recorded->second != decrypted.issuer_key_id)
    return Error(ErrorCode::invalid_argument, file + " is damaged: its issuer key is not the one it names (" +
                                                  recorded->second + ")");
  return decrypted;
}

int count_entries(const std::string& dir) {
  std::error_code ec;
  int n = 0;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (!it->is_directory(ec)) ++n;
  return n;
}

// What the target already holds that a restore would overwrite. A
// restore cut short (its marker still there) left keys and PDFs of its
// own, which a new attempt may overwrite; never a store, which it writes
// last.
std::vector<std::string> occupied(const SchoolFiles& school, bool resuming) {
  std::vector<std::string> found;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    if (exists(school.store_path() + suffix)) {
      found.push_back("a store (" + school.store_path() + suffix + ")");
      break;
    }
  if (resuming) return found;
  if (exists(school.issuer_key_file)) found.push_back("the issuer key (" + school.issuer_key_file + ")");
  if (exists(school.issuer_key_file + ".pub"))
    found.push_back("the issuer public key (" + school.issuer_key_file + ".pub)");
  if (!school.lti_key_file.empty() && exists(school.lti_key_file))
    found.push_back("the LTI key (" + school.lti_key_file + ")");
  if (int pdfs = count_entries(school.data_dir + "/pdf"); pdfs > 0)
    found.push_back(std::to_string(pdfs) + " files in " + school.data_dir + "/pdf");
  return found;
}

Status check_empty(const SchoolFiles& school, bool resuming) {
  std::vector<std::string> found = occupied(school, resuming);
  if (found.empty()) return ok();
  std::string list;
  for (const std::string& item : found) list += (list.empty() ? "" : ", ") + item;
  return Error(ErrorCode::conflict, "nothing was written: the data dir " + school.data_dir +
                                        " (or a key file the config names) is not empty: there is " + list +
                                        ". Restore goes into an empty data dir only: move those away, or point "
                                        "data_dir (and the key files) at new places, and run it again");
}

Status write_pdfs(store::BackupReader& reader, const SchoolFiles& school, std::int64_t& written) {
  auto write_one = [&](const std::string& relative, std::string_view bytes) -> Status {
    if (relative.compare(0, std::strlen(k_pdf_folder), k_pdf_folder) != 0)
      return Error(ErrorCode::invalid_argument, "the backup names a file outside pdf/: " + relative);
    CERTD_ASSIGN_OR_RETURN(std::string path, join_inside(school.data_dir, relative));
    CERTD_TRY(make_directories(parent_of(path)));
    // As PdfArchive writes them: private, and flushed together below.
    CERTD_TRY(write_file_atomically(path, bytes, 0600, Durability::deferred));
    ++written;
    return ok();
  };
  CERTD_TRY(reader.for_each_file(write_one));
  return written > 0 ? sync_file_system(school.data_dir) : ok();
}

Status write_key(const std::string& path, const std::string& pem) {
  CERTD_TRY(make_directories(parent_of(path)));
  return write_file_atomically(path, pem, 0600);
}

// The store, extracted from the backup beside its final place, opened once
// as certd opens it (WAL, and the migrations of a newer certd), then
// closed: what is renamed into place is a store certd has opened.
Result<std::int64_t> prepare_store(store::BackupReader& reader, const std::string& staged) {
  remove_quietly(staged);  // a restore cut short may have left it
  CERTD_TRY(reader.extract_store(staged));
  CERTD_TRY(store::open_sqlite_store(staged));  // closed again at once
  CERTD_TRY(fsync_file(staged));
  return reader.certificate_count();
}

Status check_restorable(store::BackupReader& reader, const std::string& file) {
  if (reader.schema_version() > store::current_schema_version())
    return Error(ErrorCode::invalid_argument,
                 file + " holds a store of schema version " + std::to_string(reader.schema_version()) +
                     ", newer than this certd understands (" + std::to_string(store::current_schema_version()) +
                     "): restore it with the certd that made it, or a newer one");
  return ok();
}

}  // namespace

Result<std::string> backup_passphrase_from_environment() {
  const char* value = std::getenv(k_backup_passphrase_env);
  if (!value || !*value)
    return Error(ErrorCode::invalid_argument,
                 std::string(k_backup_passphrase_env) + " is " + (value ? "empty" : "not set") +
                     ": set it to the passphrase that encrypts the keys in the backup (keep it apart from the "
                     "backups; without it a backup cannot be restored)");
  return std::string(value);
}

SchoolFiles SchoolFiles::of(const config::Config& config) {
  return SchoolFiles{config.data_dir, config.issuer.key_file, config.lti.key_file};
}

Result<BackupSummary> write_backup(const SchoolFiles& school, const std::string& file, const std::string& passphrase,
                                   Overwrite overwrite, TimePoint now) {
  if (passphrase.empty()) return Error(ErrorCode::invalid_argument, "the backup passphrase is empty");
  std::error_code ec;
  if (fs::is_directory(file, ec)) return Error(ErrorCode::invalid_argument, file + " is a folder, not a file");
  if (overwrite == Overwrite::no && exists(file))
    return Error(ErrorCode::conflict, file + " already exists: choose another name, or replace it with --force");
  if (!exists(school.store_path())) return Error(ErrorCode::not_found, "there is no store at " + school.store_path());
  if (!exists(school.issuer_key_file))
    return Error(ErrorCode::not_found, "there is no issuer key at " + school.issuer_key_file);
  CERTD_ASSIGN_OR_RETURN(render::Signer issuer, load_issuer_key(school.issuer_key_file));
  CERTD_ASSIGN_OR_RETURN(std::vector<EncryptedKey> keys, encrypted_keys(school, issuer, passphrase));

  const std::string staged = file + "." + std::to_string(::getpid()) + ".tmp";
  remove_quietly(staged);
  CERTD_ASSIGN_OR_RETURN(std::unique_ptr<store::BackupWriter> writer,
                         store::BackupWriter::snapshot(school.store_path(), staged));
  BackupSummary summary;
  Status written = fill_backup(*writer, school, issuer, keys, now, summary);
  if (written) written = writer->finish();
  writer.reset();
  if (written) written = fsync_file(staged);
  if (written) written = rename_file(staged, file);
  if (!written) {
    remove_quietly(staged);
    return written.error();
  }
  CERTD_TRY(fsync_directory(parent_of(file)));
  summary.bytes = file_size(file);
  CERTD_LOG_INFO("backup: {} certificates, {} PDFs, {} bytes", summary.certificates, summary.pdfs, summary.bytes);
  return summary;
}

Result<RestoreSummary> restore_backup(const std::string& file, const SchoolFiles& school,
                                      const std::string& passphrase) {
  // Every check first: nothing is written unless all pass.
  CERTD_ASSIGN_OR_RETURN(std::unique_ptr<store::BackupReader> reader, store::BackupReader::open(file));
  CERTD_TRY(check_restorable(*reader, file));
  CERTD_ASSIGN_OR_RETURN(auto info, reader->info());
  CERTD_ASSIGN_OR_RETURN(DecryptedKeys keys, decrypt_keys(*reader, info, file, passphrase));
  const std::string marker = school.data_dir + "/" + k_restore_marker;
  bool resuming = exists(marker);
  CERTD_TRY(check_empty(school, resuming));

  CERTD_TRY(make_directories(school.data_dir));
  CERTD_TRY(write_file_atomically(marker, "a certd restore began here and has not finished: run it again\n", 0600));
  RestoreSummary summary;
  const std::string staged = school.store_path() + ".restoring";
  CERTD_ASSIGN_OR_RETURN(summary.certificates, prepare_store(*reader, staged));
  CERTD_TRY(write_pdfs(*reader, school, summary.pdfs));
  if (!keys.lti_pem.empty() && !school.lti_key_file.empty()) {
    CERTD_TRY(write_key(school.lti_key_file, keys.lti_pem));
    summary.lti_key = true;
  }
  CERTD_TRY(write_key(school.issuer_key_file, keys.issuer_pem));
  CERTD_ASSIGN_OR_RETURN(render::Signer issuer, render::Signer::from_private_key_pem(keys.issuer_pem));
  CERTD_TRY(write_file_atomically(school.issuer_key_file + ".pub", issuer.public_key().pem(), 0644));
  // The store last: once it is there, the restore is done.
  CERTD_TRY(rename_file(staged, school.store_path()));
  CERTD_TRY(fsync_directory(school.data_dir));
  ::unlink(marker.c_str());
  CERTD_TRY(fsync_directory(school.data_dir));

  summary.bytes = file_size(file);
  summary.issuer_key_id = keys.issuer_key_id;
  summary.created_at = info["created_at"];
  CERTD_LOG_INFO("restore: {} certificates, {} PDFs from a backup made {}", summary.certificates, summary.pdfs,
                 summary.created_at);
  return summary;
}

}  // namespace certd::app
