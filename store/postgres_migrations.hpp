#pragma once
// PostgreSQL's schema, step by step, beside SQLite's (store/migrations.hpp).
// Both lists use the same version numbers, current_schema_version(), so a
// database of either kind says which certd wrote it.
//
// No PostgreSQL database predates version 14, so the first step creates the
// whole schema of version 14 at once. A later schema change is a new step
// appended to BOTH lists, with the same number: a test fails while the
// two lists end at different versions.
//
// The version lives in the one-row table schema_version.

#include <string_view>
#include <vector>

namespace certd::store {

struct PostgresMigration {
  int version;           // the schema version after this step
  std::string_view sql;  // one or more statements, run in one transaction
};

// The steps in order; versions strictly increase.
const std::vector<PostgresMigration>& postgres_migration_steps();

}  // namespace certd::store
