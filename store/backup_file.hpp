#pragma once
// The backup file (`certd backup`, `certd restore`; README "Backups"): one
// SQLite database that is the online-backup copy of certd.sqlite, every
// table as the store had it at one instant, plus three tables added to
// the copy after that instant:
//
//   backup_info(key TEXT PRIMARY KEY, value TEXT)   format, its version, when, which certd...
//   backup_keys(name TEXT PRIMARY KEY, pem TEXT)    private keys, each encrypted by the caller
//   backup_files(path TEXT PRIMARY KEY, data BLOB)  the PDFs of the snapshot's certificates,
//                                                   by their path below data_dir
//
// One file, readable with any sqlite3 shell, whose store part is the
// store itself (no export format to keep in step with the schema). What
// the keys and files mean is the caller's business (app/backup.hpp); this
// module only keeps them.
//
// Thread-safety: a writer or reader is used by one thread at a time.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace SQLite {
class Database;
}

namespace certd::store {

// backup_info's "format" and the newest "format_version" this build reads
// and writes. A new version is for a change an older certd would restore
// wrongly; older versions stay readable.
inline constexpr std::string_view k_backup_format = "certd-backup";
inline constexpr int k_backup_format_version = 1;

class BackupWriter {
 public:
  // Copies the store at `store_path` into the new file `path` (refused,
  // conflict, if it exists; created with mode 0600) with SQLite's online
  // backup API in a single step: one read transaction, so the copy is the
  // store at one instant, while a running daemon keeps writing (in WAL
  // mode a reader blocks no writer). not_found when there is no store;
  // unavailable when it stays busy longer than `busy_timeout_ms`.
  static Result<std::unique_ptr<BackupWriter>> snapshot(const std::string& store_path, const std::string& path,
                                                        int busy_timeout_ms = 10000);
  ~BackupWriter();

  // The snapshot's schema version (PRAGMA user_version) and certificates.
  int schema_version() const { return m_schema_version; }
  Result<std::int64_t> certificate_count();
  // The distinct, non-empty PDF paths the snapshot's certificates name.
  Result<std::vector<std::string>> pdf_paths();

  // Each adds a row; a name or path given twice is a conflict.
  Status add_info(const std::string& key, const std::string& value);
  Status add_key(const std::string& name, const std::string& encrypted_pem);
  Status add_file(const std::string& path, std::string_view data);

  // Commits what was added and closes the file: a single self-contained
  // file (rollback journal, so no -wal beside it), flushed to disk by
  // SQLite's commit. Nothing may be called after.
  Status finish();

 private:
  BackupWriter(std::unique_ptr<SQLite::Database> db, int schema_version);
  std::unique_ptr<SQLite::Database> m_db;
  int m_schema_version = 0;
};

class BackupReader {
 public:
  // Opens `path` read-only and checks it is a backup this build reads: a
  // SQLite database that passes PRAGMA integrity_check, with backup_info,
  // backup_keys and backup_files, format k_backup_format and a version
  // from 1 to k_backup_format_version. invalid_argument, saying which
  // check failed, otherwise; not_found for a missing file.
  static Result<std::unique_ptr<BackupReader>> open(const std::string& path);
  ~BackupReader();

  int format_version() const { return m_format_version; }
  int schema_version() const { return m_schema_version; }
  // backup_info as a map (every value as text).
  Result<std::map<std::string, std::string>> info();
  // backup_keys: name -> encrypted PEM.
  Result<std::map<std::string, std::string>> keys();
  Result<std::int64_t> certificate_count();
  Result<std::int64_t> file_count();
  // Calls `each` for every file in path order; stops at its first error.
  Status for_each_file(const std::function<Status(const std::string& path, std::string_view data)>& each);

  // Writes the store alone to the new file `path` (0600; conflict if it
  // exists): the backup copied with the backup API, its backup_* tables
  // dropped, then VACUUM so none of their bytes (keys, PDFs) stay behind
  // in free pages. The result is in rollback-journal mode; opening it as a
  // store (open_sqlite_store) turns WAL on and applies newer migrations.
  Status extract_store(const std::string& path);

 private:
  BackupReader(std::unique_ptr<SQLite::Database> db, int format_version, int schema_version);
  std::unique_ptr<SQLite::Database> m_db;
  int m_format_version = 0;
  int m_schema_version = 0;
};

}  // namespace certd::store
