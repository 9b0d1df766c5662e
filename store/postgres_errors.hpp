#pragma once
// libpqxx's exceptions as certd's errors, for the store's PostgreSQL code
// (postgres_store.cpp, store_copy.cpp), mapped as docs/postgresql.md says:
// connection, rollback, resource and shutdown errors are unavailable
// (retried), integrity violations a conflict, values a column cannot hold
// invalid_argument, refused access permission_denied, the rest internal.
// Only the first line of the server's message is kept: its DETAIL lines
// may quote the row's values (names, e-mail addresses), which must not
// reach the log. Internal to store/.

#include <pqxx/except>

#include <exception>
#include <string>

#include "core/result.hpp"

namespace certd::store::postgres {

// The first line of a server message (see above).
inline std::string first_line(const char* what) {
  std::string text(what);
  auto end = text.find('\n');
  if (end != std::string::npos) text.resize(end);
  return text;
}

inline Error error_from_sqlstate(const std::string& state, const std::string& message) {
  // Class 08: connection; 40: rollback (serialization failure, deadlock);
  // 53: insufficient resources (disk full, too many connections); 57P0x:
  // the server is shutting down or starting; 55P03: a lock not available.
  std::string klass = state.substr(0, 2);
  if (klass == "08" || klass == "40" || klass == "53" || state.rfind("57P0", 0) == 0 || state == "55P03")
    return Error(ErrorCode::unavailable, "database busy or unavailable: " + message);
  if (klass == "23") return Error(ErrorCode::conflict, "database constraint: " + message);
  if (klass == "28" || state == "42501")
    return Error(ErrorCode::permission_denied, "database refused access: " + message);
  // Class 22: a value the column cannot hold (text that is not UTF-8,
  // a number out of range).
  if (klass == "22") return Error(ErrorCode::invalid_argument, "database refused a value: " + message);
  return Error(ErrorCode::internal, "database error: " + message);
}

// The exception being handled, as an error. Called only inside a catch.
inline Error error_from_current_exception() {
  try {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    return Error(ErrorCode::unavailable,
                 "the database connection broke while committing; the change may or may not be stored: " +
                     first_line(e.what()));
  } catch (const pqxx::broken_connection& e) {
    return Error(ErrorCode::unavailable, "database connection lost or refused: " + first_line(e.what()));
  } catch (const pqxx::transaction_rollback& e) {
    return Error(ErrorCode::unavailable,
                 "database transaction rolled back, try again: " + first_line(e.what()));
  } catch (const pqxx::sql_error& e) {
    return error_from_sqlstate(e.sqlstate(), first_line(e.what()));
  } catch (const std::exception& e) {
    return Error(ErrorCode::internal, std::string("database error: ") + first_line(e.what()));
  }
}

// Runs `body` and turns exceptions into errors.
template <typename Body>
auto guarded(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (...) {
    return error_from_current_exception();
  }
}

}  // namespace certd::store::postgres
