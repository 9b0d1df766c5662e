#include "render/bidi.hpp"

#include <fribidi.h>

#include <algorithm>
#include <numeric>

namespace certd::render {

std::vector<int> embedding_levels(const std::u32string& text) {
  std::vector<int> levels(text.size(), 0);
  if (text.empty()) return levels;
  const auto length = static_cast<FriBidiStrIndex>(text.size());
  std::vector<FriBidiChar> characters(text.begin(), text.end());
  std::vector<FriBidiCharType> types(text.size());
  std::vector<FriBidiBracketType> brackets(text.size());
  std::vector<FriBidiLevel> resolved(text.size());
  fribidi_get_bidi_types(characters.data(), length, types.data());
  fribidi_get_bracket_types(characters.data(), length, types.data(), brackets.data());
  FriBidiParType direction = FRIBIDI_PAR_ON;
  // 0 means failure (out of memory): everything stays left to right.
  if (fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), length, &direction, resolved.data()) == 0)
    return levels;
  std::copy(resolved.begin(), resolved.end(), levels.begin());
  return levels;
}

std::vector<std::size_t> visual_order(const std::vector<int>& run_levels) {
  std::vector<std::size_t> order(run_levels.size());
  std::iota(order.begin(), order.end(), 0);
  if (run_levels.empty()) return order;
  int highest = *std::max_element(run_levels.begin(), run_levels.end());
  int lowest_odd = highest + 1;
  for (int level : run_levels)
    if (level % 2 == 1) lowest_odd = std::min(lowest_odd, level);
  // From the highest level down to the lowest odd one, reverse every
  // maximal sequence of runs at that level or higher.
  for (int level = highest; level >= lowest_odd; --level) {
    for (std::size_t i = 0; i < order.size();) {
      if (run_levels[order[i]] < level) {
        ++i;
        continue;
      }
      std::size_t end = i;
      while (end < order.size() && run_levels[order[end]] >= level) ++end;
      std::reverse(order.begin() + static_cast<std::ptrdiff_t>(i), order.begin() + static_cast<std::ptrdiff_t>(end));
      i = end;
    }
  }
  return order;
}

}  // namespace certd::render
