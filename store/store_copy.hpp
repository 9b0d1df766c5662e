#pragma once
// Moving a school's ledger from its SQLite file to an empty PostgreSQL
// database of the same schema version (`certd migrate-store`). Every row
// of every table is copied as it is, ids included, in one PostgreSQL
// transaction: the target ends with all of it or with nothing.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace certd::store {

struct CopyStats {
  std::vector<std::pair<std::string, std::int64_t>> tables;  // rows copied per table, in copy order
  std::int64_t rows = 0;                                     // all tables together
};

// Copies every row of the SQLite store at `sqlite_path` into the
// PostgreSQL database at `postgres_url` (a libpq URI, as for
// open_postgres_store, which creates the schema there first).
//
// The source is read in one read transaction, a consistent snapshot even
// while a running certd writes to it, and is never written. Refused
// (invalid_argument) when the file does not exist, when either side's
// schema version is not current_schema_version(), and when any table of
// the target already holds a row. Tables go parents first (by their
// foreign keys); ids are kept and each identity sequence is moved past
// the largest copied id. Errors name the table, the column and the row's
// id, never a row's values.
Result<CopyStats> copy_sqlite_to_postgres(const std::string& sqlite_path, const std::string& postgres_url);

}  // namespace certd::store
