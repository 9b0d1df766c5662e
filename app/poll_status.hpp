#pragma once
// What the last poll cycles saw, kept in the store's state table under
// k_poll_status_key so `certd status` in another process can show it: the
// last cycle (time, ok or its error, requests, changes), the last poll of
// each watched course, and the site conditions in force.
//
// One versioned JSON document. Reading is lenient: a missing, older,
// newer or garbled value reads as "never polled", never as an error.
// Pure functions plus two store calls; thread-safe as the Store used.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/lms.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace certd::store {
class Store;
}

namespace certd::app {

inline constexpr const char* k_poll_status_key = "status.poll";
inline constexpr int k_poll_status_version = 1;

// The last poll of one watched course.
struct CoursePollStatus {
  std::string shortname;
  std::int64_t polled_at = 0;  // unix seconds
  int requests = 0;
  int changes = 0;
  std::string error;  // "" when the course was read in full
};

struct PollStatus {
  std::int64_t last_cycle_at = 0;  // unix seconds
  std::string error;               // "" when the last cycle worked
  int requests = 0;                // of the last cycle (0 when it failed)
  int changes = 0;
  std::vector<CoursePollStatus> courses;              // of the last cycle that worked
  std::vector<connector::SiteCondition> conditions;  // in force after the last cycle that worked

  bool ok() const { return error.empty(); }
};

// A cycle that worked: its figures, its courses and the conditions the
// adapter has in force replace the previous ones.
PollStatus after_good_poll(const connector::PollStats& stats, std::vector<connector::SiteCondition> conditions,
                           TimePoint at);
// A cycle that failed: its time and error; the courses (with their own
// times) and conditions of the last good cycle are kept.
PollStatus after_failed_poll(std::optional<PollStatus> previous, const std::string& error, TimePoint at);

std::string encode_poll_status(const PollStatus& status);
// nullopt ("never polled") for anything but a document of this version.
std::optional<PollStatus> decode_poll_status(std::string_view text);

// The stored status; nullopt when none (or unreadable). Errors: the
// store's.
Result<std::optional<PollStatus>> read_poll_status(store::Store& store);
// Records one cycle: `stats` when it worked, else `error`. Errors: the
// store's.
Status record_poll(store::Store& store, const connector::PollStats* stats, const std::string& error,
                   std::vector<connector::SiteCondition> conditions, TimePoint at);

}  // namespace certd::app
