#pragma once
// A temporary school for end-to-end tests: a config using the repository's
// demo rules and templates, a data folder of its own, and an LMS URL.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace certd::testing {

class SchoolDir {
 public:
  struct Options {
    int portal_port = 0;
    std::string poll_interval = "60s";
    // Two webhook sources, each with its own secret: moodle (from
    // CERTD_WEBHOOK_SECRET) and reports (from CERTD_REPORTS_WEBHOOK_SECRET).
    bool webhooks = false;
    std::string lms_extra;  // more lines for the lms: section, each "  key: value\n"
    std::string portal_extra;  // more lines for the portal: section, likewise
    std::string public_url = "https://certs.riverside.example";
    std::string extra;  // more top-level sections, e.g. "lti:\n  platforms: ...\n"
    std::string rules_dir;  // empty: the demo school's examples/rules
  };

  SchoolDir(const std::string& name, const std::string& lms_url) : SchoolDir(name, lms_url, Options()) {}
  SchoolDir(const std::string& name, const std::string& lms_url, const Options& options) {
    m_root = std::filesystem::temp_directory_path() / ("certd-e2e-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(m_root);
    std::filesystem::create_directories(m_root);
    std::string examples = std::filesystem::absolute("examples").string();
    std::ofstream(config()) << "lms:\n  url: " << lms_url << "\n  token_env: CERTD_LMS_TOKEN\n"
                            << "  max_requests_per_second: 1000\n  poll_interval: " << options.poll_interval << "\n"
                            << options.lms_extra
                            << "portal:\n  listen: 127.0.0.1:" << options.portal_port
                            << "\n  public_url: " << options.public_url << "\n"
                            << options.portal_extra
                            << (options.webhooks ? "webhooks:\n  sources:\n"
                                                   "    moodle: { secret_env: CERTD_WEBHOOK_SECRET }\n"
                                                   "    reports: { secret_env: CERTD_REPORTS_WEBHOOK_SECRET }\n"
                                                 : "")
                            << "issuer:\n  name: Riverside Swim School\n  email: office@riverside.example\n"
                            << options.extra << "data_dir: " << data() << "\n"
                            << "rules_dir: " << (options.rules_dir.empty() ? examples + "/rules" : options.rules_dir)
                            << "\n"
                            << "templates_dir: " << examples << "/templates\n";
  }
  ~SchoolDir() { std::filesystem::remove_all(m_root); }

  std::string config() const { return (m_root / "certd.yaml").string(); }
  std::string data() const { return (m_root / "data").string(); }
  std::string file(const std::string& name) const { return (m_root / name).string(); }

 private:
  std::filesystem::path m_root;
};

}  // namespace certd::testing
