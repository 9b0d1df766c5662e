#pragma once
// The school's store as its config says (config `store:`): SQLite in
// data_dir/certd.sqlite, or the PostgreSQL database store.url names.
// Every part of certd that opens the store comes here, so the choice is
// made in one place.

#include <memory>
#include <string>

#include "core/result.hpp"

namespace certd::config {
struct Config;
}
namespace certd::store {
class Store;
}

namespace certd::app {

// Opens (creating or migrating if needed) a connection of its own; one per
// thread, as store.hpp says. The URL is read from its secret each time, so
// a rotated password is picked up by the next connection.
Result<std::unique_ptr<store::Store>> open_store(const config::Config& config);

// Where the store is, for messages: "the SQLite store /var/lib/certd/certd.sqlite"
// or "the PostgreSQL store (URL from environment variable X)". Never the URL.
std::string describe_store(const config::Config& config);

// True for the one-file SQLite store, which `certd backup` copies.
bool is_sqlite_store(const config::Config& config);

// This process's name in the claims it takes: store.worker, else the host
// name. Stable across restarts, so a restart may take back its own claims.
std::string worker_name(const config::Config& config);

}  // namespace certd::app
