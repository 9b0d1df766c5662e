#include "app/examples_dir.hpp"

#include <system_error>

namespace certd::app {

namespace fs = std::filesystem;

Result<fs::path> examples_dir() {
  std::error_code ec;
  const fs::path bin = fs::read_symlink("/proc/self/exe", ec).parent_path();
  const fs::path candidates[] = {bin.parent_path() / "examples", bin.parent_path() / "share" / "certd" / "examples",
                                 fs::current_path(ec) / "examples"};
  std::string looked;
  for (const fs::path& candidate : candidates) {
    if (fs::exists(candidate / "certd.yaml", ec) && fs::exists(candidate / "school.yaml", ec)) return candidate;
    looked += (looked.empty() ? "" : ", ") + candidate.string();
  }
  return Error(ErrorCode::not_found,
               "cannot find the demo school (certd.yaml and school.yaml) in " + looked +
                   "; run certd from its build folder or install the package");
}

}  // namespace certd::app
