#include "rules/count_rule.h"

#include <algorithm>

namespace slagboom::rules {
namespace {

// True when es[first, last] name at least `wanted` distinct regions; stops
// reading as soon as they do.
bool Spread(const Entries& es, size_t first, size_t last,
            size_t wanted) {
  std::vector<const PackedString*> seen;
  for (size_t i = last + 1; i-- > first;) {
    const PackedString& r = es[i].region;
    if (r.empty() ||
        std::any_of(seen.begin(), seen.end(),
                    [&r](const PackedString* s) { return *s == r; }))
      continue;
    seen.push_back(&r);
    if (seen.size() >= wanted) return true;
  }
  return false;
}

// The same from the newest time of each region, for the window of every
// entry from es[first] on.  REQUIRES: no entry before `first` has its time.
bool SpreadSince(
    const std::vector<std::pair<PackedString, core::Instant>>& latest,
    core::Instant start, size_t wanted) {
  size_t n = 0;
  for (const auto& [region, t] : latest) {
    if (t >= start && ++n >= wanted) return true;
  }
  return false;
}

}  // namespace

std::vector<size_t> CountRule::Qualify(const KeyState& state, size_t from,
                                       size_t at, size_t end) const {
  const Entries& es = state.entries;
  const core::Instant t = es[at].time;
  const size_t min_count = static_cast<size_t>(std::max(config_.min_count, 0));
  const size_t min_regions =
      static_cast<size_t>(std::max(config_.min_regions, 0));
  auto by_time = [](const Entry& e, core::Instant x) { return e.time < x; };
  const size_t lowest =
      static_cast<size_t>(std::lower_bound(es.begin() + static_cast<long>(from),
                                           es.begin() + static_cast<long>(end),
                                           t - config_.window, by_time) -
                          es.begin());
  // `latest` covers every entry, so it stands for the window only when no
  // entry before `from` shares the window's first instant.
  const bool bounded = from == 0 || es[from - 1].time < es[lowest].time;
  for (size_t first = lowest; first < end; ++first) {
    if (es[first].time > t || first > at) break;
    const core::Instant window_end = es[first].time + config_.window;
    const size_t last =
        static_cast<size_t>(
            std::upper_bound(
                es.begin() + static_cast<long>(first),
                es.begin() + static_cast<long>(end), window_end,
                [](core::Instant x, const Entry& e) { return x < e.time; }) -
            es.begin()) -
        1;
    // One region is no spread: min_regions 1 asks nothing of the regions,
    // so incidents without one can still meet it.
    const size_t count = last - first + 1;
    bool met = count >= min_count;
    if (met && min_regions > 1) {
      const bool whole =
          first == lowest && last + 1 == es.size() && state.latest && bounded;
      met = whole ? SpreadSince(*state.latest, es[first].time, min_regions)
                  : Spread(es, first, last, min_regions);
    }
    if (met) {
      std::vector<size_t> members(count);
      for (size_t i = 0; i < count; ++i) members[i] = first + i;
      return members;
    }
    // A later start reads a part of this window when this one reaches the
    // last known entry, so it cannot meet the thresholds either.
    if (last + 1 == end) break;
  }
  return {};
}

}  // namespace slagboom::rules
