#include "core/file_util.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
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

// Tests run as root, so a read-only folder would not stop a write: each
// failure here is one that root meets too.
TEST_F(FileUtil, AFailedRenameLeavesNoTemporaryFileAndTheTargetAlone) {
  std::filesystem::path target = m_dir / "taken";
  std::filesystem::create_directories(target / "inside");  // rename() cannot replace it
  auto written = write_file_atomically(target.string(), "new");
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message().find("cannot rename"), std::string::npos) << written.error().message();
  EXPECT_TRUE(std::filesystem::is_directory(target / "inside"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(m_dir), {}), 1) << "no temporary file left";
}

TEST_F(FileUtil, AFailedWriteLeavesNoTemporaryFileAndTheOldContent) {
  std::string path = (m_dir / "notes.txt").string();
  ASSERT_TRUE(write_file_atomically(path, "old"));
  // A file size limit makes write() fail half-way (EFBIG) for root too.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit small = saved;
  small.rlim_cur = 1000;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  auto written = write_file_atomically(path, std::string(5000, 'x'), 0644, Durability::file);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  std::signal(SIGXFSZ, SIG_DFL);
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message().find("cannot write"), std::string::npos) << written.error().message();
  EXPECT_EQ(*read_file(path, 100), "old");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(m_dir), {}), 1) << "no temporary file left";
}

TEST_F(FileUtil, APathThatCannotExistCreatesNothing) {
  std::string file = (m_dir / "plain").string();
  ASSERT_TRUE(write_file_atomically(file, "x"));
  EXPECT_FALSE(write_file_atomically(file + "/below", "y")) << "the parent is a file";
  // Short enough itself, too long with the temporary suffix.
  std::string long_name = (m_dir / std::string(250, 'n')).string();
  EXPECT_FALSE(write_file_atomically(long_name, "y"));
  EXPECT_FALSE(std::filesystem::exists(long_name));
  EXPECT_EQ(*read_file(file, 100), "x");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(m_dir), {}), 1);
}

TEST_F(FileUtil, DeferredWritesAreInPlaceAndFlushedTogether) {
  for (const char* name : {"a", "b"})
    ASSERT_TRUE(write_file_atomically((m_dir / name).string(), name, 0644, Durability::deferred));
  ASSERT_TRUE(sync_file_system(m_dir.string()));
  ASSERT_TRUE(fsync_directory(m_dir.string()));
  EXPECT_EQ(*read_file((m_dir / "b").string(), 100), "b");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(m_dir), {}), 2);
  EXPECT_EQ(fsync_directory((m_dir / "missing").string()).error().code(), ErrorCode::not_found);
}

TEST_F(FileUtil, RefusesFilesOverTheLimit) {
  std::string path = (m_dir / "big").string();
  ASSERT_TRUE(write_file_atomically(path, std::string(101, 'x')));
  auto text = read_file(path, 100);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(read_file((m_dir / "missing").string(), 100).error().code(), ErrorCode::not_found);
}

// A size the file system gets wrong (0 for /proc files; a file that grows
// after it was measured) does not let more than the limit in.
TEST_F(FileUtil, ReadsNoMoreThanTheLimitWhateverTheSizeSays) {
  ASSERT_EQ(std::filesystem::file_size("/proc/self/maps"), 0u);
  auto maps = read_file("/proc/self/maps", 100);
  ASSERT_FALSE(maps);
  EXPECT_EQ(maps.error().code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(read_file("/proc/self/maps", 1 << 24)) << "under the limit it is read whole";
}

// Folders hold the store, PDFs, keys and e-mails: new ones are 0700
// whatever the umask (std::filesystem would make them 0755 under 022);
// a folder that was there keeps its mode.
TEST_F(FileUtil, NewFoldersAreForTheOwnerOnlyWhateverTheUmask) {
  auto mode_of = [](const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 0777;
  };
  std::filesystem::create_directories(m_dir / "shared");
  ::chmod((m_dir / "shared").c_str(), 0755);
  for (mode_t umask : {022, 0277}) {
    mode_t before = ::umask(umask);
    std::filesystem::path deep = m_dir / "shared" / ("u" + std::to_string(umask)) / "pdf" / "2026";
    Status made = make_directories(deep.string() + "/");
    ::umask(before);
    ASSERT_TRUE(made) << made.error().to_string();
    for (const auto& folder : {deep.parent_path().parent_path(), deep.parent_path(), deep})
      EXPECT_EQ(mode_of(folder), 0700u) << folder << " under umask " << umask;
  }
  EXPECT_EQ(mode_of(m_dir / "shared"), 0755u);
  EXPECT_TRUE(make_directories((m_dir / "shared").string())) << "an existing folder is fine";
  ASSERT_TRUE(write_file_atomically((m_dir / "file").string(), "x"));
  EXPECT_FALSE(make_directories((m_dir / "file" / "below").string())) << "a file is in the way";
}

TEST(JoinInside, KeepsNamesInsideTheirFolder) {
  EXPECT_EQ(*join_inside("/data/pdf", "2026/ABC.pdf"), "/data/pdf/2026/ABC.pdf");
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b", "a/.."})
    EXPECT_FALSE(join_inside("/data/pdf", bad)) << bad;
}

}  // namespace
}  // namespace certd
