#pragma once
// Reads the recorded Moodle calls of tests/connector/recordings (see its README.md).

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace certd::connector::testing {

struct Fixture {
  std::string label;
  nlohmann::json record;  // {label, function, params, body, http_status, response, response_text, ...}

  // The answer as the server sent it.
  std::string body() const {
    if (record.contains("response_text")) return record["response_text"].get<std::string>();
    return record["response"].dump();
  }
  std::string outcome;  // from _index.json: ok, exception:<code>, error:<code>, non-json
};

inline std::vector<Fixture> load_fixtures() {
  namespace fs = std::filesystem;
  std::vector<Fixture> fixtures;
  fs::path folder = CERTD_MOODLE_FIXTURES;
  std::ifstream index_file(folder / "_index.json");
  nlohmann::json index = nlohmann::json::parse(index_file);
  for (const auto& entry : index["fixtures"]) {
    Fixture fixture;
    fixture.label = entry["label"].get<std::string>();
    fixture.outcome = entry["outcome"].get<std::string>();
    std::ifstream file(folder / (fixture.label + ".json"));
    fixture.record = nlohmann::json::parse(file);
    fixtures.push_back(std::move(fixture));
  }
  return fixtures;
}

inline const Fixture& fixture(const std::vector<Fixture>& all, const std::string& label) {
  for (const Fixture& f : all)
    if (f.label == label) return f;
  throw std::runtime_error("no fixture " + label);
}

}  // namespace certd::connector::testing
