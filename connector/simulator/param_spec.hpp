#pragma once
// Internal to the simulator: the declared parameters of each simulated
// function (in the notation of Moodle's own web-service documentation page,
// Site administration > Server > Web services > API documentation) and Moodle's
// validation of a request against them: missing, unexpected and
// wrongly-typed parameters are `invalidparameter`, as recorded.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/moodle/form_encoding.hpp"

namespace certd::connector::simulator {

struct ParamSpec {
  enum class Kind { scalar, list, object };
  Kind kind = Kind::scalar;
  std::string type;  // int, bool, float, alpha, alphanumext, raw, text, ...
  enum class Presence { required, defaulted, optional } presence = Presence::required;
  std::string default_value;  // as written: 0, "", "shortname", false, null
  std::vector<std::pair<std::string, ParamSpec>> fields;  // object
  std::shared_ptr<ParamSpec> element;                     // list
};

// The parameter structure of `function`, or nullptr if not simulated.
const ParamSpec* parameters_of(const std::string& function);
// Every function the simulated service holds (as Moodle lists them).
const std::vector<std::string>& service_functions();

struct ParamError {
  std::string debuginfo;  // Moodle's developer-debugging text
};

// Validates `form` (the request minus wstoken, wsfunction and
// moodlewsrestformat) and returns the parameters as JSON with defaults
// filled in, or Moodle's complaint.
nlohmann::json validate_parameters(const ParamSpec& spec, const moodle::FormValue& form,
                                   std::optional<ParamError>& error);

}  // namespace certd::connector::simulator
