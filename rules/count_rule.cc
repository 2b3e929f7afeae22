#include "rules/count_rule.h"

#include <set>

namespace slagboom::rules {

std::vector<size_t> CountRule::Qualify(const std::deque<Entry>& es, size_t at,
                                       size_t end) const {
  const core::Instant t = es[at].time;
  for (size_t first = 0; first < end; ++first) {
    if (es[first].time < t - config_.window) continue;
    if (es[first].time > t || first > at) break;
    const core::Instant window_end = es[first].time + config_.window;
    std::set<std::string> regions;
    size_t last = first;
    for (size_t i = first; i < end && es[i].time <= window_end; ++i) {
      if (!es[i].region.empty()) regions.insert(es[i].region);
      last = i;
    }
    // One region is no spread: min_regions 1 asks nothing of the regions,
    // so incidents without one can still meet it.
    const size_t count = last - first + 1;
    const bool spread =
        config_.min_regions <= 1 ||
        regions.size() >= static_cast<size_t>(config_.min_regions);
    if (count >= static_cast<size_t>(config_.min_count) && spread) {
      std::vector<size_t> members(count);
      for (size_t i = 0; i < count; ++i) members[i] = first + i;
      return members;
    }
  }
  return {};
}

}  // namespace slagboom::rules
