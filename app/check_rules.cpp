// `certd check-config`, rules part: every rule file of rules_dir, parsed
// against the templates that loaded, each mistake with file:line:column.

#include <algorithm>
#include <filesystem>

#include "app/config_check.hpp"
#include "core/file_util.hpp"
#include "rules/rule_set.hpp"

namespace certd::app {
namespace {

// Rule files are a few KiB; the parser refuses the same size, but a huge
// file should not even be read into memory.
constexpr std::uint64_t k_max_rule_file_bytes = 1 << 20;

bool is_rule_file(const std::filesystem::directory_entry& entry) {
  std::error_code ec;
  const auto extension = entry.path().extension();
  return (extension == ".yaml" || extension == ".yml") && entry.is_regular_file(ec);
}

// Sorted, so errors come out in the same order on every machine.
Result<std::vector<std::string>> rule_file_paths(const config::Config& config) {
  std::error_code ec;
  std::filesystem::directory_iterator entries(config.rules_dir, ec);
  if (ec)
    return Error(ErrorCode::not_found, "rules_dir " + config.rules_dir + " cannot be read: " + ec.message(),
                 SourceLocation{config.source_file, 0, 0});
  std::vector<std::string> paths;
  // increment(ec), not a range-for, which would throw on a read error.
  for (; !ec && entries != std::filesystem::directory_iterator(); entries.increment(ec))
    if (is_rule_file(*entries)) paths.push_back(entries->path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace

rules::RuleSet check_rules(const config::Config& config, const std::set<std::string>& template_ids,
                           CheckReport& report) {
  if (!check_folder(config, "rules_dir", config.rules_dir, report)) return {};
  auto paths = rule_file_paths(config);
  if (!paths) {
    report.errors.push_back(paths.error());
    return {};
  }
  std::vector<rules::RuleFile> files;
  for (const std::string& path : *paths) {
    auto text = read_file(path, k_max_rule_file_bytes);
    if (text) files.push_back({path, std::move(*text)});
    else report.errors.emplace_back(text.error().code(), text.error().message(), SourceLocation{path, 0, 0});
  }
  rules::RuleSetResult loaded = rules::load_rule_set(files, template_ids);
  report.errors.insert(report.errors.end(), loaded.errors.begin(), loaded.errors.end());
  report.notes.push_back(std::to_string(loaded.rules.size()) + " rules in " + std::to_string(files.size()) +
                         " files in " + config.rules_dir);
  return std::move(loaded.rules);
}

}  // namespace certd::app
