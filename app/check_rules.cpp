#include "app/config_check.hpp"

namespace certd::app {

void check_rules(const config::Config& config, const std::set<std::string>&, CheckReport& report) {
  report.notes.push_back("rules in " + config.rules_dir + " are not checked by this build yet");
}

}  // namespace certd::app
