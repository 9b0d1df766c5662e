// certd migrate-store --from sqlite --to postgresql: moves a school's
// ledger from data_dir/certd.sqlite into the PostgreSQL database the
// config's store.url names (README "PostgreSQL", docs/postgresql.md).
// Only that direction exists; both options are required all the same,
// so a command line says what it does.
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands/commands.hpp"
#include "app/runtime.hpp"
#include "app/store_factory.hpp"
#include "config/config.hpp"
#include "store/store_copy.hpp"

namespace certd::app {
namespace {

struct MigrateOptions {
  std::string from;
  std::string to;
};

int migrate_store(const GlobalOptions& globals) {
  config::LoadResult loaded = config::load_file(globals.config_path);
  if (!loaded.ok()) {
    for (const Error& e : loaded.errors) std::cerr << e.to_string() << "\n";
    return k_exit_usage;
  }
  const config::Config& config = loaded.config;
  if (is_sqlite_store(config)) {
    std::cerr << "certd migrate-store: " << config.source_file
              << " still says store.kind: sqlite; set store.kind: postgresql and store.url_env (or url_file) "
                 "first, then run this before certd run\n";
    return k_exit_usage;
  }
  auto url = config::resolve(config.store.url);
  if (!url) return fail("migrate-store", url.error());
  const std::string sqlite_path = config.data_dir + "/certd.sqlite";
  auto copied = store::copy_sqlite_to_postgres(sqlite_path, *url);
  if (!copied) return fail("migrate-store", copied.error());
  std::cout << "certd migrate-store: copied " << copied->rows << " rows from " << sqlite_path << " into "
            << describe_store(config) << ":\n";
  for (const auto& [table, rows] : copied->tables) std::cout << "  " << table << ": " << rows << "\n";
  std::cout << sqlite_path << " is left as it was; keep it until certd run works on PostgreSQL.\n";
  return k_exit_ok;
}

}  // namespace

void define_migrate_store(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<MigrateOptions>();
  command.add_option("--from", o->from, "the store to read: sqlite (data_dir/certd.sqlite)")
      ->required()
      ->check(CLI::IsMember({"sqlite"}));
  command.add_option("--to", o->to, "the store to fill: postgresql (the config's store.url)")
      ->required()
      ->check(CLI::IsMember({"postgresql"}));
  command.footer(
      "Copies every row of data_dir/certd.sqlite into the empty PostgreSQL database of the config's store "
      "(store.kind: postgresql, store.url_env or url_file), in one transaction: all or nothing. Stop certd run "
      "first. A database that already holds rows is refused. The SQLite file is not changed.\n"
      "Exit status: 0 copied; 1 failed (nothing copied); 2 bad usage or config.");
  handler = [&globals, o] { return migrate_store(globals); };  // o: checked by CLI11, one direction
}

}  // namespace certd::app
