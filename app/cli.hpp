#pragma once

namespace certd::app {

// Parses the command line, runs one subcommand and returns the exit
// status: 0 success, 1 runtime failure, 2 bad usage, config, rule or
// template.
int run_cli(int argc, char** argv);

}  // namespace certd::app
