// The certd executable: a thin main() over certd_app.
#include <sys/resource.h>

#include "app/cli.hpp"
#include "app/journal_log.hpp"

namespace {

// Each portal connection is a file descriptor, and idle or slow clients
// hold theirs until a timeout: the soft limit (often 1024) is raised to
// the hard one the administrator allows, so limits are certd's
// (portal.max_connections) and not an accident of the shell.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

int main(int argc, char** argv) {
  raise_open_file_limit();
  // Under systemd, log records go to the journal with their fields.
  certd::app::log_to_journal_when_connected();
  return certd::app::run_cli(argc, argv);
}
