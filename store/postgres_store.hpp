#pragma once
// The ledger on PostgreSQL (libpqxx): the same Store as open_sqlite_store,
// for deployments where several certd processes share one database.
// One connection per Store object; like the SQLite store, a Store is used
// by one thread at a time (give each thread its own).

#include <memory>
#include <string>

#include "core/result.hpp"
#include "store/store.hpp"

namespace certd::store {

// Connects to `url` (a libpq connection URI or key=value string, e.g.
// "postgresql:///certd?host=/run/postgresql") and applies pending
// migrations. Refuses a database written by a newer certd. A server that
// cannot be reached is `unavailable` (worth retrying).
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url);

}  // namespace certd::store
