#pragma once
// SQLiteCpp's exceptions as certd's errors, for the store's SQLite code
// (sqlite_store.cpp, backup_file.cpp): busy, locked, full and I/O errors
// are unavailable (retried), constraints a conflict, a file that cannot be
// opened or written permission_denied, the rest internal. Internal to store/.

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <string>

#include "core/result.hpp"

namespace certd::store {

inline Error error_from(const SQLite::Exception& e) {
  int code = e.getErrorCode() & 0xff;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_FULL || code == SQLITE_IOERR)
    return Error(ErrorCode::unavailable, std::string("database busy or unavailable: ") + e.what());
  if (code == SQLITE_CONSTRAINT) return Error(ErrorCode::conflict, std::string("database constraint: ") + e.what());
  if (code == SQLITE_CANTOPEN || code == SQLITE_PERM || code == SQLITE_READONLY)
    return Error(ErrorCode::permission_denied, std::string("cannot open database: ") + e.what());
  return Error(ErrorCode::internal, std::string("database error: ") + e.what());
}

// Runs `body` and turns SQLiteCpp exceptions into errors.
template <typename Body>
auto guarded(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    return error_from(e);
  }
}

}  // namespace certd::store
