#include "store/store_backends.hpp"

#include "store/postgres_store.hpp"

namespace certd::store {

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "sqlite" : "postgresql";
}

void PrintTo(Backend backend, std::ostream* out) { *out << (backend == Backend::sqlite ? "sqlite" : "postgresql"); }

void BackendTest::SetUp() {
  if (backend() == Backend::sqlite) {
    m_dir = std::make_unique<TempDir>();
  } else {
    if (postgres_skipped()) GTEST_SKIP() << "CERTD_NO_POSTGRES=1: the PostgreSQL tests are skipped";
    auto database = ScratchDatabase::create();
    ASSERT_TRUE(database) << database.error().to_string();
    m_database = std::move(*database);
  }
  auto opened = open();
  ASSERT_TRUE(opened) << opened.error().to_string();
  m_store = std::move(*opened);
}

Result<std::unique_ptr<Store>> BackendTest::open() {
  if (m_database) return open_postgres_store(m_database->url());
  return open_sqlite_store(m_dir->file("certd.sqlite"));
}

std::unique_ptr<Store> BackendTest::open_again() {
  auto opened = open();
  EXPECT_TRUE(opened) << opened.error().to_string();
  if (!opened) return nullptr;
  return std::move(*opened);
}

}  // namespace certd::store
