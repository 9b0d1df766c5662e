#pragma once
// Bidirectional text (Unicode Bidirectional Algorithm, UAX #9) through
// FriBidi. Internal to render/; pure.

#include <string>
#include <vector>

namespace certd::render {

// The embedding level of every character of one paragraph; odd levels run
// right to left. The paragraph's direction is its first strong character's
// (rules P2-P3), left to right when it has none.
std::vector<int> embedding_levels(const std::u32string& text);

// Rule L2 for one line of runs given in logical order by their levels:
// the runs' indexes in visual (left-to-right) order.
std::vector<std::size_t> visual_order(const std::vector<int>& run_levels);

}  // namespace certd::render
