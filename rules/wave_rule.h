// The `wave` rule: no shared key.  Incidents with the same offence that
// carry every configured modus-operandi tag (`tags`) and a position
// (lat/lon) are counted as a `count` rule with key `offence` would count
// them: at least `min_count` within `window` over at least `min_regions`
// distinct regions.  The alert also carries the group's motion: a
// least-squares line through the positions over time gives the compass
// bearing and the speed, and the position `horizon` after the last
// incident (the "region ahead"), resolved to a municipality when the
// engine has a region index.
#ifndef SLAGBOOM_RULES_WAVE_RULE_H_
#define SLAGBOOM_RULES_WAVE_RULE_H_

#include "core/regions.h"
#include "rules/count_rule.h"

namespace slagboom::rules {

// The motion of `incidents` (those with a position), or nullopt when fewer
// than two positions, or all at one instant, are known.
std::optional<Motion> FitMotion(const std::vector<AlertIncident>& incidents,
                                core::Duration horizon);

class WaveRule : public CountRule {
 public:
  // `regions` may be null; it must outlive the rule.
  WaveRule(const config::RuleConfig& config,
           const core::RegionIndex* regions = nullptr);

  bool KeyOf(const core::Incident& incident,
             std::string* key) const override;
  void set_regions(const core::RegionIndex* regions) override {
    regions_ = regions;
  }

 protected:
  void Decorate(Alert& alert) const override;

 private:
  const core::RegionIndex* regions_;
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_WAVE_RULE_H_
