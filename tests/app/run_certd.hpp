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

inline CommandRun run_certd(const std::string& arguments) {
  CommandRun run;
  std::string command = certd_path() + " " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace certd::app
