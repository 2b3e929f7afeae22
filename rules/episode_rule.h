// What the keyed kinds (count, sequence, wave) share: each key's entries in
// event-time order and its episodes, the alerts fired on it.
//
// An episode is what processing the key's entries in order of (time, id)
// gives: an entry that completes the rule's condition (Qualify) starts an
// alert, or joins the key's last one while that has not run out (its last
// incident plus span() is not before the entry).  The alert id comes from
// the first incident of the episode.
//
// Exactness: an entry that arrives in order is that step.  One that arrives
// out of order (within the lateness) makes the key's episodes computed
// again from its sorted entries; what differs is emitted: a new episode
// fires, a grown one is updated, and one that no longer exists (its first
// incident now belongs to an earlier episode) is withdrawn with
// `replaced_by`.  So the alerts in the end are those of processing in
// order, whatever the order of arrival.
#ifndef SLAGBOOM_RULES_EPISODE_RULE_H_
#define SLAGBOOM_RULES_EPISODE_RULE_H_

#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "rules/rule.h"

namespace slagboom::rules {

class EpisodeRule : public Rule {
 public:
  using Rule::Rule;

  bool Add(const std::string& key, const Entry& entry,
           std::vector<Alert>* changes) override;
  void Advance(core::Instant watermark, core::Duration lateness,
               std::vector<Alert>* changes) override;
  void Restore(const std::string& key, const Entry& entry) override;
  void RestoreAlert(const Alert& alert) override;
  size_t entry_count() const override;
  core::Duration reach() const override { return span(); }

 protected:
  // The indexes, ascending, of the entries that let es[at] complete the
  // condition when only es[0, end) are known; empty when it does not.
  // REQUIRES: at < end <= es.size().
  virtual std::vector<size_t> Qualify(const std::deque<Entry>& es, size_t at,
                                      size_t end) const = 0;
  // How long after its last incident an episode stays open.
  virtual core::Duration span() const { return config_.window; }
  // Adds what a kind derives from the incidents (a wave's motion).
  virtual void Decorate(Alert& /*alert*/) const {}

 private:
  struct KeyState {
    std::deque<Entry> entries;    // by (time, id)
    std::vector<Alert> episodes;  // by first_at; only the last may be open
  };

  // One step of in-order processing: es[at] against `episodes`.  Returns
  // the alert it fired or changed, or null.
  Alert* Step(const std::string& key, const std::deque<Entry>& es, size_t at,
              size_t end, std::vector<Alert>& episodes) const;
  void Recompute(const std::string& key, KeyState& state,
                 std::vector<Alert>* changes);
  bool RunOut(const Alert& alert) const;
  void Resolve(Alert& alert) const;
  void Sweep(core::Instant horizon);

  std::unordered_map<std::string, KeyState> keys_;
  // Keys with an open episode, by when it may run out (stale entries are
  // checked against the episode when they come up).
  std::multimap<core::Instant, std::string> expiries_;
  core::Instant watermark_{};
  core::Instant last_sweep_{};
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_EPISODE_RULE_H_
