#include <CLI/CLI.hpp>

#include "app/commands/commands.hpp"

namespace certd::app {

namespace {
struct DemoOptions {
  std::string out_dir = "demo-out";
  int students = 60;
  std::string smtp_url;
  int port = 0;
  bool serve = false;
  bool json = false;
};
}  // namespace

void define_demo(CLI::App& command, const GlobalOptions&, Handler& handler) {
  auto options = std::make_shared<DemoOptions>();
  command.add_option("--out", options->out_dir, "folder for the store, PDFs and mail outbox")->capture_default_str();
  command.add_option("--students", options->students, "students in the demo school")->capture_default_str();
  command.add_option("--smtp", options->smtp_url, "send real mail through this SMTP URL instead of the outbox");
  command.add_option("--port", options->port, "portal port (default: any free port)");
  command.add_flag("--serve", options->serve, "keep the portal up until SIGINT/SIGTERM");
  command.add_flag("--json", options->json, "print the summary as one JSON object");
  handler = [options] { return not_available_yet("demo", "the daemon work, issue #7"); };
}

}  // namespace certd::app
