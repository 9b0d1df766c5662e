#include <algorithm>
#include <filesystem>

#include "app/config_check.hpp"
#include "render/template.hpp"

namespace certd::app {

// Loads every templates_dir/<id>.yaml for real (assets, fonts, glyph
// coverage), so a broken template fails here, not on the first certificate.
void check_templates(const config::Config& config, CheckReport& report, TemplateSpecMap& loaded) {
  if (!check_folder(config, "templates_dir", config.templates_dir, report)) return;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(config.templates_dir, ec))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  if (ec) {
    report.errors.emplace_back(ErrorCode::not_found, "templates_dir " + config.templates_dir + ": " + ec.message(),
                               SourceLocation{config.source_file, 0, 0});
    return;
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    render::TemplateLoad load = render::load_template_file(file.string());
    if (load.ok()) loaded.emplace(load.loaded->id(), load.loaded->spec());
    for (Error& error : load.errors) report.errors.push_back(std::move(error));
  }
  if (files.empty()) report.notes.push_back("no templates (*.yaml) in " + config.templates_dir);
}

}  // namespace certd::app
