#pragma once
// Shared by the render tests: fixed keys and data, scratch folders, and
// the command-line tools (poppler, zbar, qpdf) run through popen.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/time_format.hpp"
#include "render/certificate_data.hpp"
#include "render/certificate_number.hpp"
#include "render/renderer.hpp"
#include "render/signing.hpp"
#include "render/template.hpp"

namespace certd::render::testing {

inline std::array<std::uint8_t, k_ed25519_seed_bytes> seed(std::uint8_t fill) {
  std::array<std::uint8_t, k_ed25519_seed_bytes> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(fill + i);
  return bytes;
}

inline Signer test_signer(std::uint8_t fill = 1) { return std::move(Signer::from_seed(seed(fill))).value(); }

inline std::string fixed_number() {
  return *make_certificate_number("SWIM", {1, 2, 3, 4, 5, 6, 7, 8});
}

inline CertificateData fixed_data(const std::string& student = "Zoë Ångström-Łukasiewicz") {
  CertificateData data;
  data.number = fixed_number();
  data.student_name = student;
  data.course_name = "Swimming Level 3";
  data.title = "Swimming Level 3";  // a course's certificate is called by its course
  data.teacher_name = "Maria Kowalska";
  data.notes = "Brave in deep water.";
  data.level = "Level 3";
  data.grade = "92%";
  data.skills = {"Front crawl 25 m", "Back crawl 25 m", "Surface dive"};
  data.issued_at = *parse_iso8601("2026-11-23T12:00:00Z");
  data.expires_at = *parse_iso8601("2028-11-23T12:00:00Z");
  data.issuer_name = "Riverside Swim School";
  data.verify_url = make_verify_url("https://certs.example.edu", data.number);
  return data;
}

// A folder under the system temp dir, removed when the test ends.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    m_path = std::filesystem::temp_directory_path() /
             ("certd-render-" + std::to_string(::getpid()) + "-" + test->test_suite_name() + "-" + test->name());
    std::filesystem::remove_all(m_path);
    std::filesystem::create_directories(m_path);
  }
  ~ScratchDir() { std::filesystem::remove_all(m_path); }
  std::string file(const std::string& name) const { return (m_path / name).string(); }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream(file(name), std::ios::binary) << bytes;
    return file(name);
  }
  std::string path() const { return m_path.string(); }

 private:
  std::filesystem::path m_path;
};

struct ToolRun {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command; stdout only (tools' warnings go to stderr).
inline ToolRun run_tool(const std::string& command) {
  ToolRun run;
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

inline std::string pdftotext(const std::string& pdf_file) {
  return run_tool("pdftotext -enc UTF-8 '" + pdf_file + "' -").output;
}

inline Template load_demo(const std::string& id) {
  TemplateLoad load = load_template_file("examples/templates/" + id + ".yaml");
  if (!load.ok()) ADD_FAILURE() << load.errors.front().to_string();
  return std::move(*load.loaded);
}

// Counts dark pixels of a grey rendering at `dpi` (pdftoppm -gray, PGM):
// how much ink a page really shows, to catch glyphs drawn blank.
inline long ink_pixels(const std::string& pdf_file, int dpi = 72) {
  std::string pgm = run_tool("pdftoppm -gray -r " + std::to_string(dpi) + " '" + pdf_file + "'").output;
  std::istringstream in(pgm);
  std::string magic;
  int width = 0, height = 0, max = 0;
  in >> magic >> width >> height >> max;
  in.get();
  if (magic != "P5") return -1;
  long dark = 0;
  for (int i = 0; i < width * height; ++i)
    if (in.get() < 128) ++dark;
  return dark;
}

}  // namespace certd::render::testing
