#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "app/commands/commands.hpp"
#include "config/config.hpp"
#include "core/file_util.hpp"
#include "render/preview_data.hpp"
#include "render/renderer.hpp"

namespace certd::app {

namespace {

constexpr std::uint64_t k_max_data_bytes = 1 << 20;

struct PreviewOptions {
  std::string template_name;
  std::string data_file;
  std::string out_file;
};

void print_errors(const std::vector<Error>& errors) {
  for (const Error& error : errors) std::cerr << error.to_string() << "\n";
}

bool names_a_file(const std::string& name) {
  return name.find('/') != std::string::npos || std::filesystem::path(name).extension() == ".yaml";
}

// --template is a path to a .yaml file, or an id looked up in the
// configuration's templates_dir (the config file must then exist: no
// silent fallback to the examples).
Result<std::string> template_path(const std::string& name, const config::Config* config,
                                  const std::string& config_path) {
  if (names_a_file(name)) return name;
  if (!config)
    return Error(ErrorCode::not_found, "template '" + name + "' is an id, but there is no configuration file " +
                                           config_path + " to find templates_dir in; pass --config FILE or a path "
                                           "to the template's .yaml file");
  return join_inside(config->templates_dir, name + ".yaml");
}

Result<render::CertificateData> preview_data(const PreviewOptions& options, const render::Template& loaded,
                                             const config::Config* config) {
  render::CertificateData data = render::sample_certificate_data(loaded.spec().number_prefix);
  if (config && !config->issuer.name.empty()) data.issuer_name = config->issuer.name;
  if (!options.data_file.empty()) {
    CERTD_ASSIGN_OR_RETURN(std::string text, read_file(options.data_file, k_max_data_bytes));
    render::PreviewDataLoad parsed = render::parse_preview_data(text, options.data_file, std::move(data));
    if (!parsed.errors.empty()) {
      print_errors(parsed.errors);
      return Error(ErrorCode::invalid_argument, options.data_file + " has errors");
    }
    data = std::move(parsed.data);
  }
  std::string public_url = config && !config->portal.public_url.empty() ? config->portal.public_url
                                                                         : "https://certs.example.edu";
  data.verify_url = render::make_verify_url(public_url, data.number);
  return data;
}

// The configuration if its file exists (a template given by path needs
// none); nullopt inside the Result when there is no file.
Result<std::optional<config::Config>> optional_config(const std::string& path) {
  if (!std::filesystem::exists(path)) return std::optional<config::Config>();
  config::LoadResult loaded = config::load_file(path);
  if (loaded.ok()) return std::optional<config::Config>(std::move(loaded.config));
  print_errors(loaded.errors);
  return Error(ErrorCode::invalid_argument, "the configuration " + path + " has errors");
}

int preview(const PreviewOptions& options, const GlobalOptions& globals) {
  auto loaded_config = optional_config(globals.config_path);
  if (!loaded_config) return k_exit_usage;
  const std::optional<config::Config>& config = *loaded_config;
  auto path = template_path(options.template_name, config ? &*config : nullptr, globals.config_path);
  if (!path) {
    std::cerr << "certd preview: " << path.error().message() << "\n";
    return k_exit_usage;
  }
  render::TemplateLoad loaded = render::load_template_file(*path);
  if (!loaded.ok()) {
    print_errors(loaded.errors);
    return k_exit_usage;
  }
  auto data = preview_data(options, *loaded.loaded, config ? &*config : nullptr);
  if (!data) {
    std::cerr << "certd preview: " << data.error().message() << "\n";
    return k_exit_usage;
  }
  auto rendered = render::render_preview(*loaded.loaded, *data);
  if (!rendered) {
    std::cerr << "certd preview: " << rendered.error().message() << "\n";
    return k_exit_failure;
  }
  if (auto written = write_file_atomically(options.out_file, rendered->pdf); !written) {
    std::cerr << "certd preview: " << written.error().message() << "\n";
    return k_exit_failure;
  }
  std::cout << "wrote " << options.out_file << " (" << rendered->pdf.size() << " bytes, template "
            << loaded.loaded->id() << ", PREVIEW, unsigned)\n";
  return k_exit_ok;
}

}  // namespace

void define_preview(CLI::App& command, const GlobalOptions& globals, Handler& handler) {
  auto o = std::make_shared<PreviewOptions>();
  command.add_option("--template", o->template_name, "template id (in the config's templates_dir) or a .yaml path")
      ->required();
  command.add_option("--data", o->data_file,
                     "YAML file of placeholder values, named as templates write them (student: { fullname: ... }); "
                     "examples/preview-data.yaml has them all (default: sample data)");
  command.add_option("--out", o->out_file, "PDF file to write")->required();
  handler = [o, &globals] { return preview(*o, globals); };
}

}  // namespace certd::app
