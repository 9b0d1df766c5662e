#pragma once
// Where the demo school (certd.yaml, school.yaml, rules, templates and
// their pictures) is: in a build tree, examples/ beside the build folder
// (build/certd -> ../examples); installed, share/certd/examples beside
// bin/ (/usr/bin/certd -> /usr/share/certd/examples, wherever the package
// was unpacked); else examples/ under the current folder.

#include <filesystem>

#include "core/result.hpp"

namespace certd::app {

// The first of those folders that holds certd.yaml and school.yaml.
Result<std::filesystem::path> examples_dir();

}  // namespace certd::app
