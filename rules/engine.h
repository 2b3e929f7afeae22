// The rule engine: every configured rule over one stream of incidents, on
// event time.  Pure computation with no I/O, so live processing, imports
// and back-tests share it.  Not thread-safe.
//
// The watermark is the newest occurred_at seen; it never moves back.  An
// incident older than the watermark minus the lateness is not correlated
// (Outcome::late); one within it is, with the same alerts in the end as if
// it had arrived in order (see rules/episode_rule.h).
#ifndef SLAGBOOM_RULES_ENGINE_H_
#define SLAGBOOM_RULES_ENGINE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/incident.h"
#include "rules/alert.h"
#include "rules/rule.h"

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
  std::vector<Alert> changes;  // alerts fired, updated, resolved, withdrawn
};

// What a reload changed, by rule id.
struct ReloadReport {
  std::vector<std::string> kept;     // same configuration: state kept
  std::vector<std::string> added;    // new ids: start empty
  std::vector<std::string> changed;  // same id, other settings: start empty
  std::vector<std::string> removed;
};

class Engine {
 public:
  // `regions` (may be null) resolves a wave's predicted position; it must
  // outlive the engine.
  explicit Engine(const config::RulesConfig& config,
                  const core::RegionIndex* regions = nullptr);

  // Feeds one incident.
  Outcome Process(const core::Incident& incident);

  // Replaces the rules with those of `config`.  A rule whose configuration
  // is unchanged keeps its state; a new or changed one starts empty (the
  // store retires the alerts and entries of changed and removed rules).
  // The watermark and the lateness count stay.
  ReloadReport Reload(const config::RulesConfig& config);

  // False: Process leaves Outcome::added empty, for a back-test, which has
  // no store to write entries to.  True by default.
  void set_report_added(bool report) { report_added_ = report; }

  // Gives waves a region index (may be null) that outlives the engine.
  void set_regions(const core::RegionIndex* regions);

  core::Instant watermark() const { return watermark_; }
  uint64_t late_count() const { return late_; }
  core::Duration lateness() const { return config_.lateness; }
  const std::vector<std::unique_ptr<Rule>>& rules() const { return rules_; }

  // Tells the watchlists among `rule_ids` (new after a reload) of an open
  // alert of another rule, so that its key is watched from the start.
  void Brief(const std::vector<std::string>& rule_ids, const Alert& alert);

  // Restores state written by a store after a restart.
  void Restore(size_t rule, const std::string& key, const Entry& entry);
  void RestoreAlert(const Alert& alert);
  void RestoreWatermark(core::Instant watermark, uint64_t late);

 private:
  // Hands alerts of rules that are not watchlists to the watchlists.
  void Tell(size_t from, std::vector<Alert>* changes);

  config::RulesConfig config_;
  const core::RegionIndex* regions_;
  std::vector<std::unique_ptr<Rule>> rules_;
  core::Instant watermark_{};
  bool started_ = false;
  bool report_added_ = true;
  uint64_t late_ = 0;
  std::string key_;  // the current incident's key, reused to spare copies
};

// True when two rule configurations differ in nothing but their line.
bool SameRule(const config::RuleConfig& a, const config::RuleConfig& b);

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_ENGINE_H_
