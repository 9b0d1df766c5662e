#pragma once
// A TCP port on `host` (IPv4) that was free a moment ago: bind to port 0,
// read the port, close. For listeners that cannot report the port they
// bound (cpprestsdk, docs/libraries.md §2); the caller retries on a race.

#include <string>

namespace certd {

// 0 if no port could be had.
int pick_free_port(const std::string& host = "127.0.0.1");

}  // namespace certd
