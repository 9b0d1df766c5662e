#pragma once
// "Did you mean …?" for what a user mistyped on the command line. Pure;
// thread-safe.

#include <optional>
#include <string>
#include <vector>

namespace certd::app {

// The edit distance of `a` and `b` in bytes: insertions, deletions,
// substitutions and swaps of two neighbours each cost one (optimal string
// alignment), since a swap ("pendign") is the commonest slip.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidate nearest to `typed`, when it is close enough to be what
// was meant: at most two edits, and at most a third of the longer word
// (so "xyz" suggests nothing rather than "run"); failing that, the only
// candidate that `typed` (three characters or more) begins. Ties go to
// the earlier candidate. nullopt: nothing is close.
std::optional<std::string> nearest_word(const std::string& typed, const std::vector<std::string>& candidates);

}  // namespace certd::app
