#pragma once
// A fresh folder per test for real SQLite files (docs/style.md §8).

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace certd::store {

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name =
        "certd-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" + std::to_string(::getpid());
    // Parameterized tests have slashes in their names (Backends/Suite.Name/sqlite).
    for (char& c : name)
      if (c == '/') c = '_';
    m_path = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(m_path);
    std::filesystem::create_directories(m_path);
  }
  ~TempDir() { std::filesystem::remove_all(m_path); }
  std::string file(const std::string& name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

#define ASSERT_OK(expr)                                              \
  do {                                                               \
    const auto& certd_ok_ = (expr);                                  \
    ASSERT_TRUE(certd_ok_) << certd_ok_.error().to_string();         \
  } while (false)

}  // namespace certd::store
