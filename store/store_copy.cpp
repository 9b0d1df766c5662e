// The copy behind `certd migrate-store` (store_copy.hpp).
//
// What to copy comes from the schemas themselves, so a table or column
// added to both (a new migration step in each list) needs no change here:
// - the tables are those of PostgreSQL's public schema but schema_version,
//   ordered parents first by the foreign keys in pg_constraint;
// - each table's columns are PostgreSQL's (information_schema) that the
//   SQLite table has too (PRAGMA table_info). An identity `id` that SQLite
//   lacks is its rowid (local_users). A table or column only SQLite has
//   would be lost, so it stops the copy instead.
// Values are converted by the PostgreSQL column's type and checked here
// (integers, 0/1 flags, NUL characters), so a wrong one is reported by
// table, column and row id: the server's message would quote the value.
// Rows go in as multi-row INSERTs with OVERRIDING SYSTEM VALUE, keeping
// the ids; the identity sequences are moved past them at the end.

#include "store/store_copy.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "store/postgres_errors.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_errors.hpp"
#include "store/store.hpp"

namespace certd::store {
namespace {

// How a SQLite value becomes the text PostgreSQL parses for the column.
enum class ValueKind { integer, boolean, number, text, bytes };

struct Column {
  std::string name;    // PostgreSQL's
  std::string type;    // information_schema's data_type: "bigint", "jsonb", ...
  std::string source;  // what SQLite selects for it: the quoted column, or rowid
  ValueKind kind = ValueKind::text;
  std::int64_t min = 0;  // an integer column's range
  std::int64_t max = 0;
  bool identity = false;      // GENERATED ... AS IDENTITY
  bool has_sequence = false;  // identity or serial: set past the copied values
};

struct Table {
  std::string name;
  std::vector<Column> columns;
};

// One round trip per thousand rows, and never more parameters in one
// statement than the protocol's 65535.
constexpr std::size_t k_rows_per_statement = 1000;
constexpr std::size_t k_max_parameters = 65535;

std::string sqlite_quoted(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// The kind for a PostgreSQL type; nullopt for a type the copy does not know.
std::optional<ValueKind> kind_of(const std::string& type, Column& column) {
  if (type == "bigint" || type == "integer" || type == "smallint") {
    column.min = type == "bigint"    ? std::numeric_limits<std::int64_t>::min()
                 : type == "integer" ? std::numeric_limits<std::int32_t>::min()
                                     : std::numeric_limits<std::int16_t>::min();
    column.max = type == "bigint"    ? std::numeric_limits<std::int64_t>::max()
                 : type == "integer" ? std::numeric_limits<std::int32_t>::max()
                                     : std::numeric_limits<std::int16_t>::max();
    return ValueKind::integer;
  }
  if (type == "boolean") return ValueKind::boolean;
  if (type == "double precision" || type == "real" || type == "numeric") return ValueKind::number;
  // JSON is text both ways; PostgreSQL checks it.
  // Not "character": the cast below would be to character(1), which cuts.
  if (type == "text" || type == "character varying" || type == "json" || type == "jsonb")
    return ValueKind::text;
  if (type == "bytea") return ValueKind::bytes;
  return std::nullopt;
}

// Why `value` cannot go into `column` (never quoting it), or nullptr with
// the text for PostgreSQL in `out` (nullopt: NULL, kept).
const char* convert(const SQLite::Column& value, const Column& column, std::optional<std::string>& out) {
  out.reset();
  int type = value.getType();
  if (type == SQLITE_NULL) return nullptr;
  switch (column.kind) {
    case ValueKind::integer: {
      if (type != SQLITE_INTEGER) return "the value is not an integer";
      std::int64_t number = value.getInt64();
      if (number < column.min || number > column.max) return "the integer is out of the column's range";
      out = std::to_string(number);
      return nullptr;
    }
    case ValueKind::boolean: {
      if (type != SQLITE_INTEGER || (value.getInt64() != 0 && value.getInt64() != 1))
        return "the value is not 0 or 1";
      out = value.getInt64() == 1 ? "true" : "false";
      return nullptr;
    }
    case ValueKind::number: {
      if (type == SQLITE_INTEGER) {
        out = std::to_string(value.getInt64());
        return nullptr;
      }
      if (type != SQLITE_FLOAT) return "the value is not a number";
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.17g", value.getDouble());  // every bit of the double
      out = buffer;
      return nullptr;
    }
    case ValueKind::text: {
      std::string text = value.getString();  // SQLite's own text for a number
      if (text.find('\0') != std::string::npos) return "the text holds a NUL character, which PostgreSQL cannot store";
      out = std::move(text);
      return nullptr;
    }
    case ValueKind::bytes: {
      // bytea's hex input format.
      static const char k_digits[] = "0123456789abcdef";
      const auto* bytes = static_cast<const unsigned char*>(value.getBlob());
      std::string hex = "\\x";
      hex.reserve(2 + 2 * static_cast<std::size_t>(value.getBytes()));
      for (int i = 0; i < value.getBytes(); ++i) {
        hex += k_digits[bytes[i] >> 4];
        hex += k_digits[bytes[i] & 0x0f];
      }
      out = std::move(hex);
      return nullptr;
    }
  }
  return "the column's type is unknown";
}

// The SQLite store, opened read-only. Throws SQLiteCpp's exceptions.
Result<std::unique_ptr<SQLite::Database>> open_source(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    return Error(ErrorCode::invalid_argument, "no SQLite store at " + path + ": the file does not exist");
  return std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY, 10000);
}

// Refuses a source whose schema is not this certd's. Read inside the
// copy's read transaction, so it is the version of the rows copied.
Status check_source_version(SQLite::Database& db, const std::string& path) {
  int version = db.execAndGet("PRAGMA user_version").getInt();
  int current = current_schema_version();
  if (version < current)
    return Error(ErrorCode::invalid_argument,
                 "the SQLite store " + path + " has schema version " + std::to_string(version) +
                     ", older than this certd's (" + std::to_string(current) +
                     "): run this certd once on it (e.g. `certd status` with that store) so it upgrades the "
                     "file, then migrate it");
  if (version > current)
    return Error(ErrorCode::invalid_argument,
                 "the SQLite store " + path + " has schema version " + std::to_string(version) +
                     ", newer than this certd's (" + std::to_string(current) +
                     "): migrate it with the certd that wrote it");
  return ok();
}

std::set<std::string> sqlite_tables(SQLite::Database& db) {
  std::set<std::string> tables;
  // sqlite_sequence and the like are SQLite's own.
  SQLite::Statement s(db,
                      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
  while (s.executeStep()) tables.insert(s.getColumn(0).getString());
  return tables;
}

std::set<std::string> sqlite_columns(SQLite::Database& db, const std::string& table) {
  std::set<std::string> columns;
  SQLite::Statement s(db, "SELECT name FROM pragma_table_info(?)");
  s.bind(1, table);
  while (s.executeStep()) columns.insert(s.getColumn(0).getString());
  return columns;
}

// The public schema's tables but schema_version, with their columns in
// order. Throws libpqxx's exceptions.
std::map<std::string, std::vector<Column>> postgres_tables(pqxx::transaction_base& tx) {
  std::map<std::string, std::vector<Column>> tables;
  for (const pqxx::row& r :
       tx.exec("SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_identity::text = 'YES', "
               "pg_get_serial_sequence(quote_ident(c.table_schema) || '.' || quote_ident(c.table_name), "
               "c.column_name) IS NOT NULL, c.is_generated::text = 'ALWAYS' "
               "FROM information_schema.columns c JOIN information_schema.tables t "
               "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
               "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> 'schema_version' "
               "ORDER BY c.table_name, c.ordinal_position")) {
    auto& columns = tables[r[0].c_str()];
    if (r[5].as<bool>()) continue;  // computed by PostgreSQL, never written
    Column column;
    column.name = r[1].c_str();
    column.type = r[2].c_str();
    column.identity = r[3].as<bool>();
    column.has_sequence = r[4].as<bool>();
    columns.push_back(std::move(column));
  }
  return tables;
}

// The tables, each after every table its foreign keys point to; in name
// order where the keys leave a choice, so the order is always the same.
Result<std::vector<std::string>> parents_first(pqxx::transaction_base& tx, const std::set<std::string>& tables) {
  std::multimap<std::string, std::string> parents;  // child -> parent
  for (const pqxx::row& r :
       tx.exec("SELECT child.relname::text, parent.relname::text FROM pg_constraint k "
               "JOIN pg_class child ON child.oid = k.conrelid "
               "JOIN pg_namespace n ON n.oid = child.relnamespace "
               "JOIN pg_class parent ON parent.oid = k.confrelid "
               "WHERE k.contype = 'f' AND n.nspname = 'public'"))
    parents.emplace(r[0].c_str(), r[1].c_str());
  std::vector<std::string> order;
  std::set<std::string> placed;
  while (order.size() < tables.size()) {
    bool progressed = false;
    for (const std::string& table : tables) {
      if (placed.count(table)) continue;
      auto [from, to] = parents.equal_range(table);
      bool ready = std::all_of(from, to, [&](const auto& edge) {
        return edge.second == table || placed.count(edge.second) || !tables.count(edge.second);
      });
      if (!ready) continue;
      order.push_back(table);
      placed.insert(table);
      progressed = true;
    }
    if (!progressed)
      return Error(ErrorCode::internal,
                   "the foreign keys of PostgreSQL's tables form a cycle; migrate-store cannot order them");
  }
  return order;
}

// What to copy, table by table, parents first (see the top).
Result<std::vector<Table>> plan(pqxx::transaction_base& tx, SQLite::Database& source) {
  std::map<std::string, std::vector<Column>> target = postgres_tables(tx);
  std::set<std::string> names;
  for (const auto& entry : target) names.insert(entry.first);
  CERTD_ASSIGN_OR_RETURN(std::vector<std::string> order, parents_first(tx, names));

  std::set<std::string> source_tables = sqlite_tables(source);
  for (const std::string& table : source_tables)
    if (!names.count(table))
      return Error(ErrorCode::internal, "table " + table +
                                            " is in the SQLite store but not in PostgreSQL's schema of the same "
                                            "version; migrate-store would lose its rows");
  std::vector<Table> tables;
  for (const std::string& name : order) {
    if (!source_tables.count(name))
      return Error(ErrorCode::internal,
                   "table " + name + " is in PostgreSQL's schema but not in the SQLite store of the same version");
    std::set<std::string> source_columns = sqlite_columns(source, name);
    Table table{name, {}};
    std::set<std::string> copied;
    for (Column column : target[name]) {
      if (source_columns.count(column.name)) {
        column.source = sqlite_quoted(column.name);
        copied.insert(column.name);
      } else if (column.name == "id" && column.identity) {
        column.source = "rowid";  // SQLite's own id of the row (local_users)
      } else {
        continue;  // PostgreSQL's default fills it
      }
      std::optional<ValueKind> kind = kind_of(column.type, column);
      if (!kind)
        return Error(ErrorCode::internal, "column " + name + "." + column.name + " has type " + column.type +
                                              ", which migrate-store cannot copy yet");
      column.kind = *kind;
      table.columns.push_back(std::move(column));
    }
    for (const std::string& column : source_columns)
      if (!copied.count(column))
        return Error(ErrorCode::internal, "column " + name + "." + column +
                                              " is in the SQLite store but not in PostgreSQL's schema of the same "
                                              "version; migrate-store would lose it");
    tables.push_back(std::move(table));
  }
  return tables;
}

Status check_target_version(pqxx::transaction_base& tx) {
  int version = tx.exec1("SELECT version FROM schema_version")[0].as<int>();
  if (version != current_schema_version())
    return Error(ErrorCode::invalid_argument, "the PostgreSQL database has schema version " + std::to_string(version) +
                                                  ", not this certd's (" +
                                                  std::to_string(current_schema_version()) + ")");
  return ok();
}

// Refuses a target that holds any row; the tables stay locked against
// writers until the copy commits.
Status check_target_empty(pqxx::transaction_base& tx, const std::vector<Table>& tables) {
  std::string names;
  for (const Table& table : tables) names += (names.empty() ? "" : ", ") + tx.quote_name(table.name);
  if (!names.empty()) tx.exec("LOCK TABLE " + names + " IN EXCLUSIVE MODE");
  for (const Table& table : tables) {
    auto rows = tx.exec1("SELECT count(*) FROM " + tx.quote_name(table.name))[0].as<std::int64_t>();
    if (rows > 0)
      return Error(ErrorCode::conflict,
                   "the database " + std::string(tx.exec1("SELECT current_database()")[0].c_str()) +
                       " is not empty: table " + table.name + " has " + std::to_string(rows) +
                       (rows == 1 ? " row" : " rows") + "; migrate-store only fills an empty database");
  }
  return ok();
}

// "INSERT INTO t (a, b) OVERRIDING SYSTEM VALUE VALUES ($1::bigint, $2::text), ..."
std::string insert_sql(pqxx::transaction_base& tx, const Table& table, std::size_t rows) {
  std::string sql = "INSERT INTO " + tx.quote_name(table.name) + " (";
  bool identity = false;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    sql += (i == 0 ? "" : ", ") + tx.quote_name(table.columns[i].name);
    identity = identity || table.columns[i].identity;
  }
  sql += identity ? ") OVERRIDING SYSTEM VALUE VALUES " : ") VALUES ";
  int parameter = 1;
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (std::size_t i = 0; i < table.columns.size(); ++i)
      sql += (i == 0 ? "$" : ", $") + std::to_string(parameter++) + "::" + table.columns[i].type;
    sql += ")";
  }
  return sql;
}

// Copies one table's rows; returns how many. Throws SQLiteCpp's exceptions.
Result<std::int64_t> copy_table(pqxx::transaction_base& tx, SQLite::Database& source, const Table& table) {
  if (table.columns.empty()) return std::int64_t{0};
  std::string select = "SELECT ";
  for (const Column& column : table.columns) select += column.source + ", ";
  // The row's id for messages; rowid order keeps parents of one table
  // before their children, should a table ever point to itself.
  select += "rowid FROM " + sqlite_quoted(table.name) + " ORDER BY rowid";
  SQLite::Statement rows(source, select);

  const std::size_t width = table.columns.size();
  const std::size_t per_statement = std::max<std::size_t>(1, std::min(k_rows_per_statement, k_max_parameters / width));
  const std::string full_sql = insert_sql(tx, table, per_statement);
  std::vector<std::optional<std::string>> values;
  values.reserve(per_statement * width);
  std::int64_t first_id = 0, last_id = 0, copied = 0;
  std::size_t pending = 0;

  auto flush = [&]() -> Status {
    if (pending == 0) return ok();
    try {
      tx.exec_params(pending == per_statement ? full_sql : insert_sql(tx, table, pending),
                     pqxx::prepare::make_dynamic_params(values));
    } catch (...) {
      Error error = postgres::error_from_current_exception();
      return Error(error.code(), "table " + table.name + ", rows with id " + std::to_string(first_id) + " to " +
                                     std::to_string(last_id) + ": " + error.message());
    }
    copied += static_cast<std::int64_t>(pending);
    pending = 0;
    values.clear();
    return ok();
  };

  while (rows.executeStep()) {
    std::int64_t id = rows.getColumn(static_cast<int>(width)).getInt64();
    if (pending == 0) first_id = id;
    last_id = id;
    for (std::size_t i = 0; i < width; ++i) {
      std::optional<std::string> value;
      if (const char* why = convert(rows.getColumn(static_cast<int>(i)), table.columns[i], value))
        return Error(ErrorCode::invalid_argument, "table " + table.name + ", column " + table.columns[i].name +
                                                      ", row id " + std::to_string(id) + ": " + why);
      values.push_back(std::move(value));
    }
    if (++pending == per_statement) CERTD_TRY(flush());
  }
  CERTD_TRY(flush());
  return copied;
}

// Moves each sequence of a copied table past its largest value, so the
// next row inserted gets a fresh id.
void move_sequences(pqxx::transaction_base& tx, const Table& table) {
  for (const Column& column : table.columns)
    if (column.has_sequence)
      tx.exec_params("SELECT setval(pg_get_serial_sequence($1, $2), greatest(m, 1)) FROM (SELECT max(" +
                         tx.quote_name(column.name) + ") AS m FROM " + tx.quote_name(table.name) +
                         ") AS largest WHERE m IS NOT NULL",
                     "public." + tx.quote_name(table.name), column.name);
}

Result<CopyStats> copy_all(SQLite::Database& source, const std::string& postgres_url) {
  pqxx::connection db(postgres_url);
  db.set_client_encoding("UTF8");
  pqxx::work tx(db);
  CERTD_TRY(check_target_version(tx));
  CERTD_ASSIGN_OR_RETURN(std::vector<Table> tables, plan(tx, source));
  CERTD_TRY(check_target_empty(tx, tables));
  CopyStats stats;
  for (const Table& table : tables) {
    CERTD_ASSIGN_OR_RETURN(std::int64_t rows, copy_table(tx, source, table));
    move_sequences(tx, table);
    stats.tables.emplace_back(table.name, rows);
    stats.rows += rows;
  }
  tx.commit();
  return stats;
}

}  // namespace

Result<CopyStats> copy_sqlite_to_postgres(const std::string& sqlite_path, const std::string& postgres_url) {
  try {
    CERTD_ASSIGN_OR_RETURN(std::unique_ptr<SQLite::Database> source, open_source(sqlite_path));
    // One read transaction for the version and every row: a snapshot
    // that a certd writing meanwhile does not change. Never committed.
    SQLite::Transaction snapshot(*source, SQLite::TransactionBehavior::DEFERRED);
    CERTD_TRY(check_source_version(*source, sqlite_path));
    // Creates the schema, or refuses a database of a newer certd.
    CERTD_TRY(open_postgres_store(postgres_url));
    return copy_all(*source, postgres_url);
  } catch (const SQLite::Exception& e) {
    Error error = error_from(e);
    return Error(error.code(), "reading the SQLite store " + sqlite_path + ": " + error.message());
  } catch (...) {
    return postgres::error_from_current_exception();
  }
}

}  // namespace certd::store
