#pragma once
// `certd backup FILE` and `certd restore FILE` (README "Backups"): one file
// (store/backup_file.hpp) holding a consistent snapshot of the store, the
// PDFs of the certificates in it, and the private keys (the issuer's
// Ed25519 key, and the LTI tool's RSA key when there is one) encrypted
// with a passphrase from CERTD_BACKUP_PASSPHRASE
// (core/private_key_encryption.hpp). The configuration, rules and
// templates are not in it: they are the school's own files (in /etc when
// installed) and belong in its usual file backups.
//
// Thread-safety: free functions without state.

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace certd::config {
struct Config;
}

namespace certd::app {

// Where the passphrase comes from; never a command-line option, which
// other users could read in the process list.
inline constexpr const char* k_backup_passphrase_env = "CERTD_BACKUP_PASSPHRASE";

// The passphrase from the environment. invalid_argument, naming the
// variable (never a value), when it is unset or empty.
Result<std::string> backup_passphrase_from_environment();

// What a backup is taken from and a restore writes to, from the config.
struct SchoolFiles {
  std::string data_dir;         // certd.sqlite and pdf/
  std::string issuer_key_file;  // also <issuer_key_file>.pub
  std::string lti_key_file;     // backed up when it exists

  static SchoolFiles of(const config::Config& config);
  std::string store_path() const { return data_dir + "/certd.sqlite"; }
};

enum class Overwrite { no, yes };

struct BackupSummary {
  std::int64_t certificates = 0;
  std::int64_t pdfs = 0;
  // The PDF paths of certificates whose file was not in data_dir: the
  // backup was written without them, and the command says so and fails.
  std::vector<std::string> missing_pdfs;
  std::uint64_t bytes = 0;  // the backup file's size
  std::string issuer_key_id;
};

// Writes the backup `file`, beside a running daemon: the store is copied
// in one read transaction, then the PDFs its certificates name are added
// (a PDF is on disk before its row commits, so each is there). Written to
// "<file>.<pid>.tmp" (mode 0600), flushed, then renamed over `file`: a
// failed or killed backup leaves any older `file` as it was. conflict when
// `file` exists and `overwrite` is no; not_found without a store or an
// issuer key; the errors of the store, the key and the file system.
Result<BackupSummary> write_backup(const SchoolFiles& school, const std::string& file, const std::string& passphrase,
                                   Overwrite overwrite, TimePoint now);

struct RestoreSummary {
  std::int64_t certificates = 0;
  std::int64_t pdfs = 0;
  std::uint64_t bytes = 0;  // the backup file's size
  std::string issuer_key_id;
  std::string created_at;  // when the backup was made, as it says
  bool lti_key = false;    // the LTI tool's key was restored too
};

// Restores `file` into an empty data dir (and key files that do not exist
// yet). Everything is checked before anything is written: the file is a
// backup of a known format and a schema this certd can open
// (invalid_argument otherwise), the passphrase decrypts its keys
// (permission_denied), and the data dir holds no store, keys or PDFs
// (conflict, naming what it holds). Then a marker file, the PDFs, the
// keys, and the store last, renamed into place; the marker goes once the
// store is there. A restore cut short leaves no store and its marker, so
// it can simply be run again.
Result<RestoreSummary> restore_backup(const std::string& file, const SchoolFiles& school,
                                      const std::string& passphrase);

// The marker a restore leaves in data_dir until the store is in place.
inline constexpr const char* k_restore_marker = ".certd-restore-incomplete";

}  // namespace certd::app
