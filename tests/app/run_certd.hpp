#pragma once
// Runs the built certd executable the way a user does and captures what
// it prints, so CLI tests check the real exit codes and messages.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace certd::app {

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline std::string certd_path() {
  const char* dir = std::getenv("CERTD_BINARY_DIR");
  return std::string(dir ? dir : ".") + "/certd";
}

// Runs a shell command line; stdout and stderr together.
inline CommandRun run_command(const std::string& command_line) {
  CommandRun run;
  FILE* pipe = ::popen((command_line + " 2>&1").c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

inline CommandRun run_certd(const std::string& arguments) { return run_command(certd_path() + " " + arguments); }

}  // namespace certd::app
