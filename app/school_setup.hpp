#pragma once
// What `certd run` runs on, made from one reading of the config file: the
// school (config, rules, templates, issuer key), its LMS adapter and its
// notifier. A reload (SIGHUP) makes a new one and the daemon swaps it in
// whole, so a running daemon never mixes two readings.

#include <memory>
#include <string>

#include "app/school.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace certd::connector {
class Lms;
}
namespace certd::notify {
class Notifier;
}

namespace certd::app {

struct SchoolSetup {
  School school;
  std::unique_ptr<connector::Lms> lms;  // null: no LMS configured
  std::unique_ptr<notify::Notifier> notifier;

  SchoolSetup();
  ~SchoolSetup();
  SchoolSetup(const SchoolSetup&) = delete;
  SchoolSetup& operator=(const SchoolSetup&) = delete;
};

// Loads and checks everything as `certd check-config` does (every error
// with its file:line:column, one per line) and makes the LMS adapter and
// the notifier. `clock` must outlive the result.
Result<std::unique_ptr<SchoolSetup>> load_school_setup(const std::string& config_path, const Clock& clock);

}  // namespace certd::app
