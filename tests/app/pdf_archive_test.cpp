#include "app/pdf_archive.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace certd::app {
namespace {

namespace fs = std::filesystem;

class PdfArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("certd-pdf-archive-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
             "-" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::vector<fs::path> temp_files() const {
    std::vector<fs::path> found;
    for (const auto& entry : fs::recursive_directory_iterator(m_dir))
      if (entry.path().extension() == ".tmp") found.push_back(entry.path());
    return found;
  }

  static std::vector<PdfFile> group(int count, const std::string& text) {
    std::vector<PdfFile> files;
    for (int i = 0; i < count; ++i)
      files.push_back({PdfArchive::relative_path_for("N-" + std::to_string(i), 2026), text + std::to_string(i)});
    return files;
  }

  fs::path m_dir;
};

TEST_F(PdfArchiveTest, WritesSmallAndLargeGroupsWithNothingLeftOver) {
  PdfArchive archive(m_dir.string());
  for (int count : {3, 40}) {  // file by file, and one syncfs()
    ASSERT_TRUE(archive.write_group(group(count, "pdf")));
    for (int i = 0; i < count; ++i)
      EXPECT_EQ(*archive.read("pdf/2026/N-" + std::to_string(i) + ".pdf"), "pdf" + std::to_string(i));
    EXPECT_TRUE(temp_files().empty());
  }
  // Private: the portal serves them to whoever holds the claim link.
  EXPECT_EQ(fs::status(m_dir / "pdf/2026/N-0.pdf").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

// Tests run as root, so a read-only folder would not stop a write: the
// file's place is taken by a folder instead, which rename() cannot replace.
TEST_F(PdfArchiveTest, AFailedWriteLeavesNoTemporaryFileAndTheOthersInPlace) {
  PdfArchive archive(m_dir.string());
  ASSERT_TRUE(archive.write_group(group(2, "old")));
  fs::create_directories(m_dir / "pdf/2026/N-2.pdf/blocked");
  for (int count : {3, 20}) {
    auto written = archive.write_group(group(count, "new"));
    ASSERT_FALSE(written);
    EXPECT_NE(written.error().message().find("N-2.pdf"), std::string::npos) << written.error().message();
    EXPECT_TRUE(temp_files().empty()) << temp_files().front();
    EXPECT_TRUE(fs::is_directory(m_dir / "pdf/2026/N-2.pdf/blocked")) << "the target is untouched";
  }
}

TEST_F(PdfArchiveTest, RemovesTheLeftoversOfAKilledWriter) {
  PdfArchive archive(m_dir.string());
  EXPECT_EQ(*archive.remove_leftovers(), 0) << "no pdf folder yet";
  ASSERT_TRUE(archive.write_group(group(1, "kept")));
  std::ofstream(m_dir / "pdf/2026/N-7.pdf.4242.tmp") << "half a PDF";
  EXPECT_EQ(*archive.remove_leftovers(), 1);
  EXPECT_TRUE(temp_files().empty());
  EXPECT_EQ(*archive.read("pdf/2026/N-0.pdf"), "kept0");
}

}  // namespace
}  // namespace certd::app
