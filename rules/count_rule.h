// The `count` rule: at least N incidents that share a key within a window,
// optionally spread over R distinct regions.
//
// Both ends of a window are inclusive: with a 48 h window, an incident
// exactly 48 h after the first still counts.  An alert holds the incidents
// of the earliest window that meets the thresholds; a later incident of the
// key for which the thresholds still hold (over a window that contains it)
// joins it as an update; it resolves once the watermark passes its last
// incident plus the window.  Episodes and out-of-order arrival: see
// rules/episode_rule.h.
#ifndef SLAGBOOM_RULES_COUNT_RULE_H_
#define SLAGBOOM_RULES_COUNT_RULE_H_

#include "rules/episode_rule.h"

namespace slagboom::rules {

class CountRule : public EpisodeRule {
 public:
  using EpisodeRule::EpisodeRule;

 protected:
  // The earliest window [start, start + window] among entries[from, end)
  // that holds entries[at] and meets the thresholds, as its entries'
  // indexes.
  std::vector<size_t> Qualify(const KeyState& state, size_t from, size_t at,
                              size_t end) const override;
  bool TracksRegions() const override { return config_.min_regions > 1; }
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_COUNT_RULE_H_
