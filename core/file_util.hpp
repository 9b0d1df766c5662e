#pragma once
// Small POSIX file helpers with the durability rules the daemon relies on.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace certd {

// Reads a whole file; fails with invalid_argument if it is larger than
// max_bytes (bad input must never exhaust memory), not_found if missing.
Result<std::string> read_file(const std::string& path, std::uint64_t max_bytes);

// Writes `bytes` to a temporary file beside `path`, fsyncs it, renames it
// over `path` and fsyncs the directory: after a crash the file is either
// the old one or the complete new one. `mode` applies before any byte is
// written, so a private key is never readable by others, even briefly.
Status write_file_atomically(const std::string& path, std::string_view bytes, unsigned mode = 0644);

// Creates `path` and its parents (mode 0750 for new directories).
Status make_directories(const std::string& path);

// Joins `name` below `root` and refuses anything that could leave it:
// absolute names, "..", empty parts, NUL or backslash.
Result<std::string> join_inside(const std::string& root, std::string_view name);

}  // namespace certd
