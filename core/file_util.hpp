#pragma once
// Small POSIX file helpers with the durability rules the daemon relies on.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace certd {

// Reads a whole file; fails with invalid_argument if it is larger than
// max_bytes (bad input must never exhaust memory: it reads one byte past
// the limit at most, whatever size the file claims), not_found if missing.
Result<std::string> read_file(const std::string& path, std::uint64_t max_bytes);

// How much of a write is made durable before write_file_atomically returns.
// A caller writing many files at once can flush them together afterwards
// (PdfArchive: one syncfs(), or one fsync per folder), which is far cheaper
// than an fsync storm.
enum class Durability {
  file_and_directory,  // fsync the file, then its directory (the rename)
  file,                // fsync the file; the caller fsyncs the directory
  deferred,            // neither; the caller flushes (sync_file_system)
};

// Writes `bytes` to a temporary file beside `path` ("<path>.<pid>.tmp"),
// renames it over `path` and makes that as durable as `durability` says:
// after a crash the file is either the old one or the complete new one.
// On every failure the temporary file is removed and `path` is untouched.
// `mode` applies before any byte is written, so a private key is never
// readable by others, even briefly.
Status write_file_atomically(const std::string& path, std::string_view bytes, unsigned mode = 0644,
                             Durability durability = Durability::file_and_directory);

// fsync() on a directory: makes the renames and creations in it durable.
Status fsync_directory(const std::string& dir);

// syncfs() on the file system holding `path`: one flush for many files.
Status sync_file_system(const std::string& path);

// Creates `path` and its missing parents, each with mode 0700 whatever
// the umask: certd's folders hold private data (the store, PDFs, keys,
// e-mails). Folders that already exist keep their mode.
Status make_directories(const std::string& path);

// Joins `name` below `root` and refuses anything that could leave it:
// absolute names, "..", empty parts, NUL or backslash.
Result<std::string> join_inside(const std::string& root, std::string_view name);

}  // namespace certd
