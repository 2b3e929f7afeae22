// The rule engine: every configured rule over one stream of incidents, on
// event time.  Pure computation with no I/O, so live processing, imports
// and back-tests share it.  Not thread-safe.
#ifndef SLAGBOOM_RULES_ENGINE_H_
#define SLAGBOOM_RULES_ENGINE_H_

#include <memory>
#include <vector>

#include "config/config.h"
#include "core/incident.h"
#include "rules/alert.h"
#include "rules/count_rule.h"

namespace slagboom::rules {

// What one incident did to the engine's state.
struct Outcome {
  bool late = false;  // older than watermark - lateness: not correlated
  // Entries the incident added, as (rule index, key, entry).
  struct Added {
    size_t rule;
    std::string key;
    Entry entry;
  };
  std::vector<Added> added;
  std::vector<Alert> changes;  // alerts fired, updated or resolved
};

class Engine {
 public:
  explicit Engine(const config::RulesConfig& config);

  // Feeds one incident.  The watermark is the newest occurred_at seen; it
  // never moves back.
  Outcome Process(const core::Incident& incident);

  core::Instant watermark() const { return watermark_; }
  uint64_t late_count() const { return late_; }
  core::Duration lateness() const { return config_.lateness; }
  const std::vector<CountRule>& rules() const { return rules_; }

  // Restores state written by a store after a restart.
  void Restore(size_t rule, const std::string& key, const Entry& entry);
  void RestoreAlert(const Alert& alert);
  void RestoreWatermark(core::Instant watermark, uint64_t late);

 private:
  config::RulesConfig config_;
  std::vector<CountRule> rules_;
  core::Instant watermark_{};
  bool started_ = false;
  uint64_t late_ = 0;
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_ENGINE_H_
