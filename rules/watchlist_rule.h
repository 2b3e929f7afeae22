// The `watchlist` rule: any incident (a report, or an ANPR read, which
// arrives as an incident of step `infrastructure` with tag `anpr`) whose
// key is the key of a firing or updated alert of another rule fires an
// immediate alert, with the incident's place and time.
//
// A key is on the watchlist from the moment an alert of a watched rule
// (`watch_rules`, or every rule that is not a watchlist) fires on it, as
// the engine has seen the alerts when the incident arrives, until every
// such alert has resolved; the watchlist's own alert for the key then
// resolves too.  Further hits while it is open update it.  The watchlist
// follows arrival order: it warns about what is known now, so a read that
// arrives late is matched against the alerts of that moment.
#ifndef SLAGBOOM_RULES_WATCHLIST_RULE_H_
#define SLAGBOOM_RULES_WATCHLIST_RULE_H_

#include <absl/container/flat_hash_map.h>

#include <set>

#include "rules/rule.h"

namespace slagboom::rules {

class WatchlistRule : public Rule {
 public:
  using Rule::Rule;

  // Only keys of open alerts of the watched rules.
  bool Wants(const std::string& key) const override {
    return watched_.count(key) > 0;
  }
  // Returns false: the rule keeps no entries, only its alerts.
  bool Add(const std::string& key, const Entry& entry,
           std::vector<Alert>* changes) override;
  void Advance(core::Instant watermark, core::Duration lateness,
               std::vector<Alert>* changes) override;
  void Observe(const Alert& alert, std::vector<Alert>* changes) override;
  void Restore(const std::string& /*key*/, const Entry& /*entry*/) override {}
  void RestoreAlert(const Alert& alert) override;
  size_t entry_count() const override { return 0; }
  core::Duration reach() const override { return core::Duration::zero(); }

  size_t watched_count() const { return watched_.size(); }

 private:
  absl::flat_hash_map<std::string, std::set<std::string>> watched_;
  std::unordered_map<std::string, Alert> open_;
  core::Instant watermark_{};
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_WATCHLIST_RULE_H_
