#pragma once
// A scratch PostgreSQL server for the store's tests (docs/postgresql.md
// "Tests"). The first test that asks for a database starts one cluster for
// the whole test binary: initdb into a fresh folder below /tmp, then
// pg_ctl start with a Unix socket in that folder and no TCP port. A gtest
// Environment stops it when the binary ends, and a watchdog process stops
// it and deletes the folder if the binary dies first. Each test gets its
// own database, dropped after it. ctest runs each test in a process of its
// own, so the first initdb's result is kept beside the test binary
// (postgres-template-v1...) and copied instead of running initdb again.
//
// As root (containers, CI), initdb and the server run as the `postgres`
// user that Debian's package creates (else `nobody`), through runuser.
//
// Missing PostgreSQL binaries are an error naming the package, so a
// machine without them fails the PostgreSQL tests instead of passing them
// silently; CERTD_NO_POSTGRES=1 skips them on purpose.
//
// Thread-safety: ScratchDatabase::create and the destructor are called
// from the test's main thread only.

#include <memory>
#include <string>
#include <utility>

#include "core/result.hpp"

namespace certd::store {

// True when CERTD_NO_POSTGRES=1 asks to skip the PostgreSQL tests.
bool postgres_skipped();

class ScratchDatabase {
 public:
  // A fresh, empty database (starting the cluster on first use).
  static Result<std::unique_ptr<ScratchDatabase>> create();
  // Made by create() only.
  ScratchDatabase(std::string name, std::string url) : m_name(std::move(name)), m_url(std::move(url)) {}
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  // A libpq URI for open_postgres_store, as the database's owner.
  const std::string& url() const { return m_url; }

 private:
  std::string m_name;
  std::string m_url;
};

}  // namespace certd::store
