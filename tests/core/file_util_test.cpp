#include "core/file_util.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace certd {
namespace {

class FileUtil : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() /
            ("certd-file-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  std::filesystem::path m_dir;
};

TEST_F(FileUtil, WritesAtomicallyWithTheRequestedMode) {
  std::string path = (m_dir / "key.pem").string();
  ASSERT_TRUE(write_file_atomically(path, "secret", 0600));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(*read_file(path, 100), "secret");
  ASSERT_TRUE(write_file_atomically(path, "replaced", 0600));
  EXPECT_EQ(*read_file(path, 100), "replaced");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(m_dir), {}), 1) << "no temporary file left";
}

TEST_F(FileUtil, RefusesFilesOverTheLimit) {
  std::string path = (m_dir / "big").string();
  ASSERT_TRUE(write_file_atomically(path, std::string(101, 'x')));
  auto text = read_file(path, 100);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(read_file((m_dir / "missing").string(), 100).error().code(), ErrorCode::not_found);
}

TEST(JoinInside, KeepsNamesInsideTheirFolder) {
  EXPECT_EQ(*join_inside("/data/pdf", "2026/ABC.pdf"), "/data/pdf/2026/ABC.pdf");
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b", "a/.."})
    EXPECT_FALSE(join_inside("/data/pdf", bad)) << bad;
}

}  // namespace
}  // namespace certd
