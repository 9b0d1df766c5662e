#pragma once
// Bounded fan-out for pure or thread-safe work (rendering, LMS requests).

#include <cstddef>
#include <functional>

namespace certd {

// Calls fn(i) once for every i in [0, count), on at most `max_threads`
// threads (the calling one included; < 1 counts as 1), and returns when
// all calls have. Indexes are handed out one at a time, so one slow item
// does not hold up a fixed share of the others.
//
// `fn` must not throw: like the rest of certd it reports failure as a
// value, which it stores in a slot of its own per index (an exception
// escaping a helper thread would end the process).
void parallel_for(std::size_t count, int max_threads, const std::function<void(std::size_t)>& fn);

}  // namespace certd
