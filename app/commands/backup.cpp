// certd backup FILE [--force] and certd restore FILE (app/backup.hpp,
// README "Backups"). Both read the configuration only (no templates, no
// LMS): a backup runs beside `certd run`, a restore before it.
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/backup.hpp"
#include "app/commands/commands.hpp"
#include "app/runtime.hpp"
#include "app/school.hpp"
#include "app/store_factory.hpp"
#include "config/config.hpp"

namespace certd::app {

namespace {

struct BackupOptions {
  std::string file;
  bool force = false;
};

constexpr std::size_t k_missing_listed = 10;

// A backup file holds a SQLite store. A PostgreSQL database is backed up
// with PostgreSQL's own tools, which know its replicas and point-in-time
// recovery better than a copy made by certd would.
Error postgres_backup_refusal() {
  return Error(ErrorCode::invalid_argument,
               "the store is PostgreSQL (store.kind): back up the database with pg_dump, and data_dir's keys and "
               "PDFs with your file backup (docs/postgresql.md, \"Backups\")");
}

void report_missing(const std::vector<std::string>& missing, const std::string& data_dir) {
  std::cerr << "certd backup: " << missing.size() << " certificates' PDFs are missing from " << data_dir
            << "; the backup holds everything else:\n";
  for (std::size_t i = 0; i < missing.size() && i < k_missing_listed; ++i) std::cerr << "  " << missing[i] << "\n";
  if (missing.size() > k_missing_listed) std::cerr << "  ... and " << missing.size() - k_missing_listed << " more\n";
}

int backup(const GlobalOptions& globals, const BackupOptions& o) {
  auto passphrase = backup_passphrase_from_environment();
  if (!passphrase) return fail("backup", passphrase.error());
  auto school = load_school_settings(globals.config_path);
  if (!school) return fail("backup", school.error());
  if (!is_sqlite_store(school->config)) return fail("backup", postgres_backup_refusal());
  SchoolFiles files = SchoolFiles::of(school->config);
  auto summary = write_backup(files, o.file, *passphrase, o.force ? Overwrite::yes : Overwrite::no,
                              SystemClock().now());
  if (!summary) return fail("backup", summary.error());
  std::cout << "certd backup: wrote " << o.file << ": " << summary->certificates << " certificates, "
            << summary->pdfs << " PDFs, " << summary->bytes << " bytes (issuer key " << summary->issuer_key_id
            << ")\n";
  if (summary->missing_pdfs.empty()) return k_exit_ok;
  report_missing(summary->missing_pdfs, files.data_dir);
  return k_exit_failure;
}

// The configuration alone: restore must not read (or be stopped by) an
// issuer key, which an empty data dir does not have.
Result<config::Config> load_config(const std::string& path) {
  config::LoadResult loaded = config::load_file(path);
  if (loaded.ok()) return std::move(loaded.config);
  std::string text;
  for (const Error& e : loaded.errors) text += (text.empty() ? "" : "\n") + e.to_string();
  return Error(ErrorCode::invalid_argument, text);
}

int restore(const GlobalOptions& globals, const std::string& file) {
  auto passphrase = backup_passphrase_from_environment();
  if (!passphrase) return fail("restore", passphrase.error());
  auto config = load_config(globals.config_path);
  if (!config) return fail("restore", config.error());
  if (!is_sqlite_store(*config)) return fail("restore", postgres_backup_refusal());
  SchoolFiles files = SchoolFiles::of(*config);
  auto summary = restore_backup(file, files, *passphrase);
  if (!summary) return fail("restore", summary.error());
  std::cout << "certd restore: restored " << file << " (made " << summary->created_at << ") into "
            << files.data_dir << ": " << summary->certificates << " certificates, " << summary->pdfs << " PDFs, "
            << summary->bytes << " bytes (issuer key " << summary->issuer_key_id
            << (summary->lti_key ? ", and the LTI key" : "") << ")\n";
  return k_exit_ok;
}

}  // namespace

void define_backup(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<BackupOptions>();
  command.add_option("file", o->file, "the backup file to write (mode 0600)")->required();
  command.add_flag("--force", o->force, "replace FILE if it exists");
  command.footer(
      "Works while `certd run` is running: the store is copied at one instant, with the PDFs of its certificates "
      "and the private keys, encrypted with the passphrase in CERTD_BACKUP_PASSPHRASE (required). The "
      "configuration, rules and templates are not in the backup.\n"
      "Exit status: 0 written; 1 failed, or written without some PDFs (listed); 2 bad usage, config, or no "
      "passphrase.");
  handler = [&globals, o] { return backup(globals, *o); };
}

void define_restore(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto file = std::make_shared<std::string>();
  command.add_option("file", *file, "a file written by `certd backup`")->required();
  command.footer(
      "Restores into the config's data_dir, which must hold no store, keys or PDFs, and the key files it names; "
      "the keys are decrypted with CERTD_BACKUP_PASSPHRASE. Nothing is written unless the file is a backup and "
      "the passphrase is right. A restore cut short can be run again.\n"
      "Exit status: 0 restored; 1 failed (wrong passphrase, data dir not empty); 2 bad usage, config, no "
      "passphrase, or not a backup.");
  handler = [&globals, file] { return restore(globals, *file); };
}

}  // namespace certd::app
