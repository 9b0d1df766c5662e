// The backup file over SQLiteCpp (backup_file.hpp). SQLiteCpp's
// exceptions stop here, as in sqlite_store.cpp.

#include "store/backup_file.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "store/sqlite_errors.hpp"

namespace certd::store {
namespace {

constexpr int k_busy_timeout_ms = 10000;

constexpr const char* k_backup_tables_sql = R"sql(
CREATE TABLE backup_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE backup_keys (name TEXT PRIMARY KEY, pem TEXT NOT NULL);
CREATE TABLE backup_files (path TEXT PRIMARY KEY, data BLOB NOT NULL);
)sql";


// A new, empty file only we may read: the backup holds the whole store
// (students' names and e-mail addresses, claim tokens). SQLite gives its
// journal the database file's mode.
Status create_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) return Error(ErrorCode::conflict, path + " already exists");
  if (fd < 0) return Error(ErrorCode::unavailable, "cannot create " + path + ": " + std::strerror(errno));
  int changed = ::fchmod(fd, 0600);  // the umask may have taken bits away, never added
  ::close(fd);
  if (changed != 0) return Error(ErrorCode::permission_denied, "cannot make " + path + " private");
  return ok();
}

void remove_database_file(const std::string& path) {
  for (const std::string& file : {path, path + "-journal", path + "-wal", path + "-shm"}) ::unlink(file.c_str());
}

// Copies every page of `source` in one sqlite3_backup_step(-1): one read
// transaction from start to end. Copying in steps would restart whenever
// another process writes in between, and under a busy daemon might never
// finish. The step can still meet a lock (SQLITE_BUSY, e.g. while a WAL
// is being recovered): it is tried again until `busy_timeout_ms`.
Status copy_all(SQLite::Database& destination, SQLite::Database& source, int busy_timeout_ms) {
  SQLite::Backup backup(destination, source);
  for (int waited = 0;; waited += 20) {
    int step = backup.executeStep(-1);
    if (step == SQLITE_DONE) return ok();
    if (step != SQLITE_OK && waited >= busy_timeout_ms)
      return Error(ErrorCode::unavailable, "the store stayed busy for " + std::to_string(busy_timeout_ms / 1000) +
                                               " s: try again");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The copy of a WAL store says "WAL" in its header; a backup file is one
// self-contained file, so it goes back to a rollback journal, and every
// commit is flushed (FULL) before it counts.
Status use_rollback_journal(SQLite::Database& db) {
  std::string mode = db.execAndGet("PRAGMA journal_mode = DELETE").getString();
  if (mode != "delete") return Error(ErrorCode::internal, "the copy refused a rollback journal (" + mode + ")");
  db.exec("PRAGMA synchronous = FULL");
  return ok();
}

Result<std::int64_t> count_rows(SQLite::Database& db, const char* sql) {
  return guarded([&]() -> Result<std::int64_t> { return db.execAndGet(sql).getInt64(); });
}

Result<std::map<std::string, std::string>> read_pairs(SQLite::Database& db, const char* sql) {
  return guarded([&]() -> Result<std::map<std::string, std::string>> {
    SQLite::Statement s(db, sql);
    std::map<std::string, std::string> pairs;
    while (s.executeStep()) pairs[s.getColumn(0).getString()] = s.getColumn(1).getString();
    return pairs;
  });
}

bool starts_like_sqlite(const std::string& path) {
  static constexpr char k_magic[] = "SQLite format 3";  // and its NUL: 16 bytes
  char head[sizeof k_magic] = {};
  std::ifstream in(path, std::ios::binary);
  return in.read(head, sizeof head) && std::memcmp(head, k_magic, sizeof head) == 0;
}

Error not_a_backup(const std::string& path, const std::string& why) {
  return Error(ErrorCode::invalid_argument, path + " is not a certd backup: " + why);
}

// What open() checks, in the order that gives the most useful message:
// the cheap look at the tables first, the full integrity check last.
Result<int> check_backup(SQLite::Database& db, const std::string& path) {
  if (!db.tableExists("backup_info") || !db.tableExists("backup_keys") || !db.tableExists("backup_files")) {
    if (db.tableExists("certificates"))
      return not_a_backup(path, "it looks like a store (certd.sqlite) itself; make a backup with `certd backup FILE`");
    return not_a_backup(path, "a SQLite database without certd's backup tables");
  }
  CERTD_ASSIGN_OR_RETURN(auto info, read_pairs(db, "SELECT key, value FROM backup_info"));
  if (info["format"] != k_backup_format) return not_a_backup(path, "its format is \"" + info["format"] + "\"");
  const std::string& text = info["format_version"];
  int version = 0;
  try {
    std::size_t used = 0;
    version = std::stoi(text, &used);
    if (used != text.size()) version = 0;
  } catch (const std::exception&) {
    version = 0;
  }
  if (version > k_backup_format_version)
    return Error(ErrorCode::invalid_argument,
                 path + " was written by a newer certd (backup format version " + text + "; this certd reads up to " +
                     std::to_string(k_backup_format_version) + "): restore it with that certd or a newer one");
  if (version < 1) return not_a_backup(path, "its format version \"" + text + "\" is not a known one");
  std::string integrity = db.execAndGet("PRAGMA integrity_check").getString();
  if (integrity != "ok")
    return Error(ErrorCode::invalid_argument, path + " is damaged (SQLite integrity check: " + integrity + ")");
  return version;
}

}  // namespace

// --- BackupWriter ---

BackupWriter::BackupWriter(std::unique_ptr<SQLite::Database> db, int schema_version)
    : m_db(std::move(db)), m_schema_version(schema_version) {}

BackupWriter::~BackupWriter() = default;

Result<std::unique_ptr<BackupWriter>> BackupWriter::snapshot(const std::string& store_path, const std::string& path,
                                                             int busy_timeout_ms) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(store_path, ec))
    return Error(ErrorCode::not_found, "there is no store at " + store_path);
  CERTD_TRY(create_private_file(path));
  auto made = guarded([&]() -> Result<std::unique_ptr<BackupWriter>> {
    // Read-only: the backup never writes to the store, whoever runs it.
    SQLite::Database source(store_path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, busy_timeout_ms);
    auto copy = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX,
                                                   busy_timeout_ms);
    CERTD_TRY(copy_all(*copy, source, busy_timeout_ms));
    CERTD_TRY(use_rollback_journal(*copy));
    int version = copy->execAndGet("PRAGMA user_version").getInt();
    // Everything added from here on commits at once in finish(): a file
    // cut short has no backup tables, and restore refuses it.
    copy->exec("BEGIN IMMEDIATE");
    copy->exec(k_backup_tables_sql);
    return std::unique_ptr<BackupWriter>(new BackupWriter(std::move(copy), version));
  });
  if (!made) remove_database_file(path);
  return made;
}

Result<std::int64_t> BackupWriter::certificate_count() {
  return count_rows(*m_db, "SELECT count(*) FROM certificates");
}

Result<std::vector<std::string>> BackupWriter::pdf_paths() {
  return guarded([&]() -> Result<std::vector<std::string>> {
    SQLite::Statement s(*m_db,
                        "SELECT DISTINCT pdf_path FROM certificates WHERE coalesce(pdf_path, '') <> '' "
                        "ORDER BY pdf_path");
    std::vector<std::string> paths;
    while (s.executeStep()) paths.push_back(s.getColumn(0).getString());
    return paths;
  });
}

Status BackupWriter::add_info(const std::string& key, const std::string& value) {
  return guarded([&]() -> Status {
    SQLite::Statement s(*m_db, "INSERT INTO backup_info (key, value) VALUES (?, ?)");
    s.bind(1, key);
    s.bind(2, value);
    s.exec();
    return ok();
  });
}

Status BackupWriter::add_key(const std::string& name, const std::string& encrypted_pem) {
  return guarded([&]() -> Status {
    SQLite::Statement s(*m_db, "INSERT INTO backup_keys (name, pem) VALUES (?, ?)");
    s.bind(1, name);
    s.bind(2, encrypted_pem);
    s.exec();
    return ok();
  });
}

Status BackupWriter::add_file(const std::string& path, std::string_view data) {
  if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return Error(ErrorCode::invalid_argument, path + " is too large for a backup");
  return guarded([&]() -> Status {
    SQLite::Statement s(*m_db, "INSERT INTO backup_files (path, data) VALUES (?, ?)");
    s.bind(1, path);
    // SQLite copies the bytes (SQLITE_TRANSIENT). A null pointer would
    // bind NULL, so an empty file points at a byte of its own.
    static const char k_empty = 0;
    s.bind(2, static_cast<const void*>(data.empty() ? &k_empty : data.data()), static_cast<int>(data.size()));
    s.exec();
    return ok();
  });
}

Status BackupWriter::finish() {
  return guarded([&]() -> Status {
    m_db->exec("COMMIT");
    m_db.reset();
    return ok();
  });
}

// --- BackupReader ---

BackupReader::BackupReader(std::unique_ptr<SQLite::Database> db, int format_version, int schema_version)
    : m_db(std::move(db)), m_format_version(format_version), m_schema_version(schema_version) {}

BackupReader::~BackupReader() = default;

Result<std::unique_ptr<BackupReader>> BackupReader::open(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Error(ErrorCode::not_found, "there is no file " + path);
  if (!std::filesystem::is_regular_file(path, ec)) return not_a_backup(path, "not a regular file");
  if (!starts_like_sqlite(path)) return not_a_backup(path, "not a SQLite database");
  auto opened = guarded([&]() -> Result<std::unique_ptr<BackupReader>> {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX,
                                                 k_busy_timeout_ms);
    auto version = check_backup(*db, path);
    if (!version) return version.error();
    int schema = db->execAndGet("PRAGMA user_version").getInt();
    return std::unique_ptr<BackupReader>(new BackupReader(std::move(db), *version, schema));
  });
  // SQLite's own complaints ("file is not a database", "database disk
  // image is malformed") are about the file: a cut or damaged copy.
  if (!opened && opened.error().code() == ErrorCode::internal)
    return Error(ErrorCode::invalid_argument, path + " is damaged or not a certd backup (" +
                                                  opened.error().message() + ")");
  return opened;
}

Result<std::map<std::string, std::string>> BackupReader::info() {
  return read_pairs(*m_db, "SELECT key, value FROM backup_info");
}

Result<std::map<std::string, std::string>> BackupReader::keys() {
  return read_pairs(*m_db, "SELECT name, pem FROM backup_keys");
}

Result<std::int64_t> BackupReader::certificate_count() {
  return count_rows(*m_db, "SELECT count(*) FROM certificates");
}

Result<std::int64_t> BackupReader::file_count() { return count_rows(*m_db, "SELECT count(*) FROM backup_files"); }

Status BackupReader::for_each_file(
    const std::function<Status(const std::string& path, std::string_view data)>& each) {
  return guarded([&]() -> Status {
    SQLite::Statement s(*m_db, "SELECT path, data FROM backup_files ORDER BY path");
    while (s.executeStep()) {
      const SQLite::Column data = s.getColumn(1);
      std::string_view bytes(static_cast<const char*>(data.getBlob()), static_cast<std::size_t>(data.getBytes()));
      CERTD_TRY(each(s.getColumn(0).getString(), bytes));
    }
    return ok();
  });
}

Status BackupReader::extract_store(const std::string& path) {
  CERTD_TRY(create_private_file(path));
  Status extracted = guarded([&]() -> Status {
    SQLite::Database store(path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX, k_busy_timeout_ms);
    CERTD_TRY(copy_all(store, *m_db, k_busy_timeout_ms));
    CERTD_TRY(use_rollback_journal(store));
    store.exec("DROP TABLE backup_files; DROP TABLE backup_keys; DROP TABLE backup_info;");
    // VACUUM rebuilds the file from the tables left: the dropped pages
    // (encrypted keys, PDFs) are gone from it, not merely free.
    store.exec("VACUUM");
    return ok();
  });
  if (!extracted) remove_database_file(path);
  return extracted;
}

}  // namespace certd::store
