#pragma once
// The store's tests run on every backend: SQLite (a file in a fresh folder)
// and PostgreSQL (a fresh database in the test binary's scratch cluster,
// tests/store/postgres_cluster.hpp). A suite's fixture derives from
// BackendTest and is instantiated with CERTD_ON_EVERY_BACKEND(Fixture); its
// tests are then named Backends/Fixture.Name/sqlite and .../postgresql
// (--gtest_filter='*/postgresql' runs one backend).

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

#include "store/postgres_cluster.hpp"
#include "store/store.hpp"
#include "store/store_test_util.hpp"

namespace certd::store {

enum class Backend { sqlite, postgresql };

// "sqlite" or "postgresql": the last part of each test's name.
std::string backend_name(const ::testing::TestParamInfo<Backend>& info);
// The same, where gtest prints a failed test's parameter.
void PrintTo(Backend backend, std::ostream* out);

class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  // Opens a fresh, empty store; a PostgreSQL test fails here when the
  // scratch cluster cannot start, and is skipped with CERTD_NO_POSTGRES=1.
  void SetUp() override;

  Store& store() { return *m_store; }
  Backend backend() const { return GetParam(); }
  // Another connection to the same database, as another thread or process
  // has it; null (and a failed expectation) when it does not open.
  std::unique_ptr<Store> open_again();

 private:
  Result<std::unique_ptr<Store>> open();

  // Declared before the store, so the store closes first.
  std::unique_ptr<TempDir> m_dir;
  std::unique_ptr<ScratchDatabase> m_database;
  std::unique_ptr<Store> m_store;
};

#define CERTD_ON_EVERY_BACKEND(fixture)                                                                      \
  INSTANTIATE_TEST_SUITE_P(Backends, fixture,                                                                \
                           ::testing::Values(::certd::store::Backend::sqlite, ::certd::store::Backend::postgresql), \
                           ::certd::store::backend_name)

}  // namespace certd::store
