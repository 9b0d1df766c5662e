#include "app/nearest_word.hpp"

#include <algorithm>

namespace certd::app {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Three rows of the dynamic-programming table: the swap looks two back.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
    }
    before.swap(previous);
    previous.swap(current);
  }
  return previous[b.size()];
}

std::optional<std::string> nearest_word(const std::string& typed, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  std::size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    std::size_t distance = edit_distance(typed, candidate);
    std::size_t longer = std::max(typed.size(), candidate.size());
    if (distance > 2 || distance * 3 > longer) continue;
    if (!best || distance < best_distance) {
      best = &candidate;
      best_distance = distance;
    }
  }
  if (best) return *best;
  if (typed.size() < 3) return std::nullopt;
  const std::string* prefixed = nullptr;
  for (const std::string& candidate : candidates) {
    if (candidate.compare(0, typed.size(), typed) != 0) continue;
    if (prefixed) return std::nullopt;  // two commands begin so: say nothing
    prefixed = &candidate;
  }
  if (prefixed) return *prefixed;
  return std::nullopt;
}

}  // namespace certd::app
