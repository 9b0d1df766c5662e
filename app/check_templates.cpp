#include "app/config_check.hpp"

namespace certd::app {

void check_templates(const config::Config& config, CheckReport& report, std::set<std::string>&) {
  report.notes.push_back("templates in " + config.templates_dir + " are not checked by this build yet");
}

}  // namespace certd::app
