#include "app/school_setup.hpp"

#include "app/runtime.hpp"
#include "connector/lms.hpp"
#include "notify/notifier.hpp"

namespace certd::app {

SchoolSetup::SchoolSetup() = default;
SchoolSetup::~SchoolSetup() = default;

Result<std::unique_ptr<SchoolSetup>> load_school_setup(const std::string& config_path, const Clock& clock) {
  auto setup = std::make_unique<SchoolSetup>();
  CERTD_ASSIGN_OR_RETURN(setup->school, load_school(config_path));
  // The adapter keeps a pointer to the rules: they live in the same setup.
  CERTD_ASSIGN_OR_RETURN(setup->lms, make_lms(setup->school.config, &setup->school.rules, clock));
  CERTD_ASSIGN_OR_RETURN(setup->notifier, make_notifier(setup->school.config));
  return setup;
}

}  // namespace certd::app
