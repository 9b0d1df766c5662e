#pragma once
// Numbered schema migrations. Shipped steps are never edited; a change is
// a new step appended at the end. The version lives in PRAGMA user_version.

#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace SQLite {
class Database;
}

namespace certd::store {

// The SQL of each step; step i moves the schema from version i to i + 1.
const std::vector<std::string_view>& migration_steps();

// Applies steps up to `target_version` in one IMMEDIATE transaction, so two
// processes starting at once apply each step exactly once. Refuses a
// database whose version is newer than the steps this build knows.
Status migrate(SQLite::Database& db, int target_version);

}  // namespace certd::store
