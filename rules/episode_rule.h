// What the keyed kinds (count, sequence, wave) share: each key's entries in
// event-time order and its episodes, the alerts fired on it.
//
// An episode is what processing the key's entries in order of (time, id)
// gives: an entry that completes the rule's condition (Qualify) starts an
// alert, or joins the key's last one while that has not run out (its last
// incident plus span() is not before the entry) and is not full.  The
// alert id comes from the first incident of the episode.
//
// An alert lists at most `max_incidents` incidents: the newest of the set
// that opens it when that set is larger, then what later sets bring, in
// order, until it is full.  Once it is full, the key's next alert counts
// only entries after the full one's last incident (a later entry must
// complete the condition with those alone), so alerts of one key never
// share an incident and each meets the rule on its own.  Without the limit
// a key that never goes quiet (a keyless rule over a busy stream) keeps
// one alert open for ever, each change copying its ever longer list.
//
// An entry is a duplicate (Add returns false) when the key holds one of the
// same time and id: an incident's id and time never change.
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

#include <absl/container/node_hash_map.h>

#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "rules/packed_key.h"
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
  // A key's state.  `latest` is the newest time of each region among the
  // entries, kept (for rules that count regions, see TracksRegions) once
  // the key holds more than a few entries, so that a long window need not
  // be read again for every incident.
  // `fence` is the last incident of the newest episode swept away: the
  // episode after it counts only entries after it.
  using RegionTimes = std::vector<std::pair<PackedString, core::Instant>>;
  struct KeyState {
    Entries entries;                      // by (time, id)
    std::vector<Alert> episodes;          // by first_at; only the last may grow
    std::unique_ptr<RegionTimes> latest;  // null: not kept
    std::unique_ptr<AlertIncident> fence;  // null: nothing swept yet
    bool queued = false;                   // has its place in `sweeps_`
  };

  // The indexes, ascending, of the entries that let entries[at] complete
  // the condition when only entries[from, end) are known; empty when it
  // does not.  REQUIRES: from <= at < end <= state.entries.size().
  virtual std::vector<size_t> Qualify(const KeyState& state, size_t from,
                                      size_t at, size_t end) const = 0;
  // How long after its last incident an episode stays open.
  virtual core::Duration span() const { return config_.window; }
  // Adds what a kind derives from the incidents (a wave's motion).
  virtual void Decorate(Alert& /*alert*/) const {}
  // True when Qualify reads `latest`.
  virtual bool TracksRegions() const { return false; }

  // Keys with more entries than this keep `latest`.
  static constexpr size_t kTrackFrom = 16;

 private:
  // One step of in-order processing: entries[at] against `episodes`.
  // Returns the alert it fired or changed, or null.
  Alert* Step(const std::string& key, const KeyState& state, size_t at,
              size_t end, std::vector<Alert>& episodes) const;
  // The index of the first entry after the incidents of episodes[0, n).
  size_t Floor(const KeyState& state, const std::vector<Alert>& episodes,
               size_t n) const;
  bool Full(const Alert& alert) const;
  void Recompute(const std::string& key, KeyState& state,
                 std::vector<Alert>* changes);
  bool RunOut(const Alert& alert) const;
  void Resolve(Alert& alert) const;
  // Sweeps the keys due before `horizon`.
  void Sweep(core::Instant horizon);
  // Cuts one key; returns when it is due again, or nullopt when it is
  // empty (and may be erased).
  std::optional<core::Instant> SweepKey(KeyState& state, core::Instant horizon);
  // Gives the key of `it` its place in `sweeps_` unless it has one.
  using Keys = absl::node_hash_map<PackedKey, KeyState>;
  void Queue(Keys::iterator it, core::Instant due);
  // Inserts `entry` in order and keeps `latest`; false (nothing changed)
  // when an entry of the same time and id is held.
  bool Hold(KeyState& state, const Entry& entry);

  Keys keys_;
  // Keys with an open episode, by when it may run out (stale entries are
  // checked against the episode when they come up).
  std::multimap<core::Instant, std::string> expiries_;
  // Keys by when a sweep may next cut them (an entry's time, or when the
  // first episode's span ends); the keys live in `keys_`, which erases a
  // key only when its place here comes up.
  using Due = std::pair<core::Instant, const PackedKey*>;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> sweeps_;
  core::Instant watermark_{};
  core::Instant last_sweep_{};
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_EPISODE_RULE_H_
