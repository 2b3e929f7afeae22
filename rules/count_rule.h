// The `count` rule: at least N incidents that share a key within a window,
// optionally spread over R distinct regions.
//
// Windows are on event time (occurred_at) in UTC milliseconds, so a
// daylight saving change never stretches or shrinks one.  Both ends are
// inclusive: with a 48 h window, an incident exactly 48 h after the first
// still counts.  Not thread-safe; the engine that owns it serialises calls.
#ifndef SLAGBOOM_RULES_COUNT_RULE_H_
#define SLAGBOOM_RULES_COUNT_RULE_H_

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "core/incident.h"
#include "rules/alert.h"

namespace slagboom::rules {

// What a rule keeps of an incident while it is inside a window.
struct Entry {
  core::Instant time{};
  std::string id;
  uint64_t seq = 0;
  std::string region;
  std::string step;
  std::string offence;
};

class CountRule {
 public:
  explicit CountRule(const config::RuleConfig& config);

  const config::RuleConfig& config() const { return config_; }

  // The key this incident is correlated on, or nullopt when the rule does
  // not look at it (other step or offence, no plate, ...).
  std::optional<std::string> KeyOf(const core::Incident& incident) const;

  Entry MakeEntry(const core::Incident& incident) const;

  // Adds one entry under `key`.  When some window holding the entry meets
  // the thresholds, an alert fires, or the open alert of the key takes the
  // entry (and the rest of that window) as an update; either is appended to
  // *changes.  An alert stays open until its window runs out: it resolves
  // once the watermark passes its last incident plus the window.  An entry
  // whose id is already held is ignored, so a duplicate can never complete a
  // threshold.  Returns false then.
  bool Add(const std::string& key, const Entry& entry,
           std::vector<Alert>* changes);

  // Resolves every open alert whose window ran out before `watermark`,
  // and forgets entries that can no longer join a window.
  void Advance(core::Instant watermark, core::Duration lateness,
               std::vector<Alert>* changes);

  // Puts back state loaded from a store after a restart.
  void Restore(const std::string& key, const Entry& entry);
  void RestoreAlert(const Alert& alert);

  size_t entry_count() const;

 private:
  struct KeyState {
    std::deque<Entry> entries;  // by (time, id)
    std::optional<Alert> open;
  };

  struct Span {
    size_t first;
    size_t last;
  };
  std::optional<Span> QualifyingWindow(const KeyState& state,
                                       const Entry& entry) const;
  void Absorb(Alert& alert, const Entry& entry) const;

  config::RuleConfig config_;
  std::unordered_map<std::string, KeyState> keys_;
  // Open alerts by the instant their window runs out.
  std::multimap<core::Instant, std::string> expiries_;
  core::Instant last_sweep_{};
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_COUNT_RULE_H_
