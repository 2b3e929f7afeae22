// The `sequence` rule: barrier steps by the same key in a given order, the
// last at most `within` after the first (both ends inclusive), such as a
// stay at a holiday park, then an offence, then a storage box:
//
//   steps_in_order: [stay, offence, storage]
//   within: 7d
//
// An alert holds the chain that starts earliest; a later incident that
// completes a chain again while the alert is open joins it.  It resolves
// once the watermark passes its last incident plus `within`.  Episodes and
// out-of-order arrival: rules/episode_rule.h.
//
// With `then_not` the rule watches for an absence instead (AbsenceRule):
// each completed chain (one step is enough, e.g. [offence]) starts a
// deadline `within` after its last incident; when the watermark passes the
// deadline and no incident of the `then_not` step arrived for the key in
// between (after the chain, up to and including the deadline), an alert
// fires.  It resolves a further `within` later.  A late `then_not`
// incident inside the span withdraws an alert that fired.
//
// The offence and tag filters apply to incidents of step `offence` only;
// the other steps (stays, storage, trade) carry no offence.
#ifndef SLAGBOOM_RULES_SEQUENCE_RULE_H_
#define SLAGBOOM_RULES_SEQUENCE_RULE_H_

#include <map>
#include <set>

#include "rules/episode_rule.h"

namespace slagboom::rules {

// The earliest-starting chain of `steps` among es[from, end) that ends at
// es[at], spans at most `within`, as indexes; empty when there is none.
std::vector<size_t> ChainEndingAt(const std::vector<std::string>& steps,
                                  core::Duration within,
                                  const Entries& es, size_t from,
                                  size_t at, size_t end);

class SequenceRule : public EpisodeRule {
 public:
  using EpisodeRule::EpisodeRule;
  bool KeyOf(const core::Incident& incident,
             std::string* key) const override;

 protected:
  std::vector<size_t> Qualify(const KeyState& state, size_t from, size_t at,
                              size_t end) const override;
  core::Duration span() const override { return config_.within; }
};

class AbsenceRule : public Rule {
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
  core::Duration reach() const override { return 2 * config_.within; }

 private:
  struct KeyState {
    Entries entries;                     // by (time, id)
    std::map<std::string, Alert> fired;  // by the id of the chain's end
  };
  // Fires, resolves and withdraws what is due for `key` at the watermark,
  // and schedules its next check.
  void Evaluate(const std::string& key, std::vector<Alert>* changes);

  std::map<std::string, KeyState> keys_;
  std::multimap<core::Instant, std::string> checks_;
  core::Instant watermark_{};
  core::Instant last_sweep_{};
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_SEQUENCE_RULE_H_
