// The `spike` rule: a region's count of matching incidents in one window
// against its own baseline, the mean count of the `baseline_windows`
// windows before it.  It fires when the count reaches `factor` times the
// baseline and at least `min_count`.
//
// Windows here tile the time line: [start, start + window), starting at
// multiples of the window since 1970-01-01T00:00Z, so `window: 1d` gives
// UTC days.  The region is the incident's `region_level` field.  A window
// is judged only once the rule has seen `baseline_windows` windows of
// history before it (counted from its first incident), so the first days
// of a data set never fire on a baseline of nothing.  The alert's id comes
// from the rule, the region and the window's start; it is updated as the
// window fills, and resolves when the watermark reaches the window's end.
// A late incident that raises a baseline so that a window no longer meets
// it withdraws that window's alert.
#ifndef SLAGBOOM_RULES_SPIKE_RULE_H_
#define SLAGBOOM_RULES_SPIKE_RULE_H_

#include <map>
#include <unordered_map>

#include "rules/rule.h"

namespace slagboom::rules {

class SpikeRule : public Rule {
 public:
  using Rule::Rule;
  bool KeyOf(const core::Incident& incident,
             std::string* key) const override;
  bool Add(const std::string& key, const Entry& entry,
           std::vector<Alert>* changes) override;
  void Advance(core::Instant watermark, core::Duration lateness,
               std::vector<Alert>* changes) override;
  void Restore(const std::string& key, const Entry& entry) override;
  void RestoreAlert(const Alert& alert) override;
  size_t entry_count() const override;
  core::Duration reach() const override {
    return config_.window * (config_.baseline_windows + 1);
  }

 private:
  struct Window {
    std::vector<Entry> entries;  // by (time, id)
    std::optional<Alert> alert;
  };
  using Windows = std::map<core::Instant, Window>;  // by start

  core::Instant StartOf(core::Instant t) const;
  bool Insert(const std::string& key, const Entry& entry);
  void Judge(const std::string& key, Windows& windows, core::Instant start,
             std::vector<Alert>* changes);

  std::unordered_map<std::string, Windows> keys_;
  std::multimap<core::Instant, std::pair<std::string, core::Instant>> ends_;
  std::optional<core::Instant> first_start_;
  core::Instant watermark_{};
  core::Instant last_sweep_{};
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_SPIKE_RULE_H_
