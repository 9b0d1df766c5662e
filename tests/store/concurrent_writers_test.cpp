// Two processes (the daemon and a teacher's CLI) write one database at
// once: neither may fail with "database is locked".
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.hpp"
#include "store/store_test_util.hpp"

namespace certd::store {
namespace {

constexpr int k_writes_per_process = 300;

// Runs in a child: opens its own connection and writes; the exit code is
// the number of failed writes (capped).
int write_many(const std::string& path, const std::string& who) {
  auto store = open_sqlite_store(path);
  if (!store) return 100;
  int failures = 0;
  for (int i = 0; i < k_writes_per_process; ++i) {
    std::string id = who + "-" + std::to_string(i);
    NewCertificate c;
    c.number = id;
    c.idempotency_key = "key-" + id;
    c.claim_token = id;
    c.issued_at = i;
    if (!(*store)->record_event({who, id, "test", "{}", i})) ++failures;
    if (!(*store)->insert_certificate(c, {{"email", "mail-" + id, "{}"}})) ++failures;
  }
  return failures > 99 ? 99 : failures;
}

TEST(ConcurrentWriters, TwoProcessesNeverSeeDatabaseIsLocked) {
  TempDir dir;
  std::string path = dir.file("shared.sqlite");
  std::vector<pid_t> children;
  for (const char* who : {"daemon", "cli"}) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) ::_exit(write_many(path, who));
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "failed writes in child " << pid;
  }
  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  EXPECT_EQ((*store)->events_with_status(store::EventStatus::new_, 10000)->size(), 2u * k_writes_per_process);
  EXPECT_EQ((*store)->outbox_with_status(store::OutboxStatus::queued)->size(), 2u * k_writes_per_process);
}

}  // namespace
}  // namespace certd::store
