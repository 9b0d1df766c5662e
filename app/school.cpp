#include "app/school.hpp"

#include <algorithm>
#include <filesystem>

#include "app/config_check.hpp"
#include "app/issuer_key.hpp"
#include "core/file_util.hpp"
#include "core/log.hpp"
#include "render/signing.hpp"
#include "render/template.hpp"

namespace certd::app {
namespace {

std::string joined(const std::vector<Error>& errors) {
  std::string text;
  for (const Error& e : errors) text += (text.empty() ? "" : "\n") + e.to_string();
  return text;
}

Status load_templates(School& school, CheckReport& report) {
  if (!check_folder(school.config, "templates_dir", school.config.templates_dir, report)) return ok();
  std::vector<Error>& errors = report.errors;
  // Cut fonts live under data_dir: /tmp may be cleaned under a daemon
  // that runs for weeks, and later renders would fail.
  render::LoadOptions options;
  options.scratch_dir = school.config.data_dir + "/cache";
  CERTD_TRY(make_directories(options.scratch_dir));
  for (const std::string& path : yaml_files_in(school.config.templates_dir)) {
    render::TemplateLoad load = render::load_template_file(path, options);
    errors.insert(errors.end(), load.errors.begin(), load.errors.end());
    if (!load.loaded) continue;
    std::string id = load.loaded->id();
    school.template_ids.insert(id);
    school.templates[id] = std::make_shared<const render::Template>(std::move(*load.loaded));
  }
  return ok();
}

void load_rules(School& school, CheckReport& report) {
  if (!check_folder(school.config, "rules_dir", school.config.rules_dir, report)) return;
  std::vector<Error>& errors = report.errors;
  std::vector<rules::RuleFile> files;
  for (const std::string& path : yaml_files_in(school.config.rules_dir)) {
    auto text = read_file(path, 1 << 20);
    if (!text) {
      errors.push_back(Error(text.error().code(), text.error().message(), SourceLocation{path, 0, 0}));
      continue;
    }
    files.push_back({path, std::move(*text)});
  }
  rules::RuleSetResult loaded = rules::load_rule_set(files, school.template_ids);
  errors.insert(errors.end(), loaded.errors.begin(), loaded.errors.end());
  school.rules = std::move(loaded.rules);
}

}  // namespace

std::vector<std::string> yaml_files_in(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  std::filesystem::directory_iterator entries(dir, ec);
  // increment(ec), not a range-for, which would throw on a read error.
  for (; !ec && entries != std::filesystem::directory_iterator(); entries.increment(ec)) {
    auto ext = entries->path().extension();
    std::error_code type_ec;
    if (entries->is_regular_file(type_ec) && (ext == ".yaml" || ext == ".yml"))
      files.push_back(entries->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::set<std::string> courses_named_by_rules(const config::Config& config) {
  School school;
  school.config = config;
  for (const std::string& path : yaml_files_in(config.templates_dir))
    school.template_ids.insert(render::template_id_from_path(path));
  CheckReport ignored;
  load_rules(school, ignored);
  std::set<std::string> courses;
  for (const rules::Rule& rule : school.rules.rules()) courses.insert(rule.course);
  return courses;
}

School::School() = default;
School::~School() = default;
School::School(School&&) noexcept = default;
School& School::operator=(School&&) noexcept = default;

Result<School> load_school(config::Config config) {
  School school;
  school.config = std::move(config);
  // The same checks as check-config, so the daemon never starts with a
  // rule whose certificates would be refused one by one.
  CheckReport report;
  CERTD_TRY(load_templates(school, report));
  load_rules(school, report);
  TemplateSpecs specs;
  for (const auto& [id, loaded] : school.templates) specs[id] = &loaded->spec();
  check_printable(school.rules, specs, school.config, report);
  for (const std::string& note : report.notes) CERTD_LOG_INFO("{}", note);
  if (!report.errors.empty()) return Error(ErrorCode::invalid_argument, joined(report.errors));
  CERTD_TRY(make_directories(school.config.data_dir));
  CERTD_ASSIGN_OR_RETURN(render::Signer signer, load_or_create_issuer_key(school.config.issuer.key_file));
  school.signer = std::make_unique<render::Signer>(std::move(signer));
  return school;
}

Result<School> load_school(const std::string& config_path) {
  config::LoadResult loaded = config::load_file(config_path);
  if (!loaded.ok()) return Error(ErrorCode::invalid_argument, joined(loaded.errors));
  return load_school(std::move(loaded.config));
}

Result<School> load_school_settings(const std::string& config_path) {
  config::LoadResult loaded = config::load_file(config_path);
  if (!loaded.ok()) return Error(ErrorCode::invalid_argument, joined(loaded.errors));
  School school;
  school.config = std::move(loaded.config);
  std::error_code ec;
  if (std::filesystem::exists(school.config.issuer.key_file, ec)) {
    CERTD_ASSIGN_OR_RETURN(render::Signer signer, load_issuer_key(school.config.issuer.key_file));
    school.signer = std::make_unique<render::Signer>(std::move(signer));
  }
  return school;
}

}  // namespace certd::app
