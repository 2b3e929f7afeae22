// The interface every rule kind offers the engine, and what the kinds
// share: the entry a rule keeps of an incident, the incident filter and the
// correlation key.
//
// Rules run on event time (occurred_at) in UTC milliseconds, so a daylight
// saving change never stretches or shrinks a window.  Not thread-safe; the
// engine that owns a rule serialises calls.
#ifndef SLAGBOOM_RULES_RULE_H_
#define SLAGBOOM_RULES_RULE_H_

#include <boost/container/small_vector.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/incident.h"
#include "rules/alert.h"
#include "rules/packed_string.h"

namespace slagboom::core {
class RegionIndex;
}

namespace slagboom::rules {

// What a rule keeps of an incident while it may still correlate: plain
// bytes, with no allocation of its own (see PackedString), since a rule
// holds one for every incident in its windows and moves them about.
struct Entry {
  core::Instant time{};
  uint64_t seq = 0;
  PackedString id;
  PackedString region;  // at the rule's region level
  PackedString offence;
  PackedString sector;
  std::optional<double> lat;
  std::optional<double> lon;
  core::Step step = core::Step::kOffence;
  core::Tlp tlp = core::Tlp::kAmber;
};

// A key's entries.  Most keys (a plate seen once) hold one, kept in place
// rather than in a block of its own.
using Entries = boost::container::small_vector<Entry, 1>;

// Entries are ordered by time, then id, whatever order they arrive in.
bool EntryBefore(const Entry& a, const Entry& b);

AlertIncident ToAlertIncident(const Entry& e);

// The entry of an incident without a region: what every rule keeps alike.
Entry EntryOf(const core::Incident& incident);

// The value of a location field by its configured name ("police_unit",
// "block", ...); empty when the incident has none.
const std::string& LocationField(const core::Incident& incident,
                                 const std::string& name);

// The member of core::Location a location field name ("police_unit",
// "block", ...) names, or null.
using LocationMember = std::string core::Location::*;
LocationMember LocationMemberOf(const std::string& name);

class Rule {
 public:
  explicit Rule(const config::RuleConfig& config);
  virtual ~Rule() = default;
  Rule(const Rule&) = delete;
  Rule& operator=(const Rule&) = delete;

  const config::RuleConfig& config() const { return config_; }

  // Writes the key this incident is correlated on to *key and returns
  // true, or returns false when the rule does not look at it (other step
  // or offence, no plate, ...).  *key is overwritten, so a caller can
  // reuse one string for every incident.
  virtual bool KeyOf(const core::Incident& incident, std::string* key) const;

  // False when an entry under `key` would certainly change nothing (a
  // watchlist's key nobody watches), so the caller need not build it.
  virtual bool Wants(const std::string& /*key*/) const { return true; }

  // Sets the region of an entry made by EntryOf to this rule's, so one
  // entry serves every rule in turn.
  void SetRegion(const core::Incident& incident, Entry* entry) const;

  // Adds one entry under `key` and appends the alerts it fired, updated or
  // withdrew to *changes.  Returns false, changing nothing, when the entry
  // is already held (a duplicate can never complete a threshold).
  virtual bool Add(const std::string& key, const Entry& entry,
                   std::vector<Alert>* changes) = 0;

  // Moves the rule's clock to `watermark` (never back): resolves alerts
  // whose time ran out and forgets entries no incident within `lateness`
  // can still correlate with.
  virtual void Advance(core::Instant watermark, core::Duration lateness,
                       std::vector<Alert>* changes) = 0;

  // Alerts of other rules as they change; only watchlists listen.
  virtual void Observe(const Alert& /*alert*/,
                       std::vector<Alert>* /*changes*/) {}

  // Puts back state loaded from a store after a restart.
  virtual void Restore(const std::string& key, const Entry& entry) = 0;
  virtual void RestoreAlert(const Alert& alert) = 0;

  virtual size_t entry_count() const = 0;

  // Where a wave resolves its predicted point; others ignore it.  The
  // index must outlive the rule.
  virtual void set_regions(const core::RegionIndex* /*regions*/) {}

  // How far before the watermark (beyond the lateness) the rule may still
  // need an entry; the store prunes what is older.
  virtual core::Duration reach() const { return config_.window; }

 protected:
  // The step, offence and tag filters of the configuration.
  bool Matches(const core::Incident& incident) const;
  // Writes the configured key of the incident to *key; "" when it has none.
  void KeyValue(const core::Incident& incident, std::string* key) const;
  // Reads config_ into the fields below, which every incident consults;
  // call it again after changing config_.
  void Prepare();

  config::RuleConfig config_;

 private:
  enum class KeyKind {
    kNone,  // key: none, one group
    kPlate,
    kOffence,
    kReporter,
    kLocation,
    kUnknown,  // never in a checked configuration: no incident has it
  };
  uint32_t step_mask_ = 0;  // bit per core::Step; 0: any step
  KeyKind key_kind_ = KeyKind::kNone;
  LocationMember key_member_ = nullptr;     // for kLocation
  LocationMember region_member_ = nullptr;  // config_.region_level
};

// The rule for config.kind.  REQUIRES: config passed the loader's checks.
// `regions` (may be null) resolves a wave's predicted position; it must
// outlive the rule.
std::unique_ptr<Rule> MakeRule(const config::RuleConfig& config,
                               const core::RegionIndex* regions = nullptr);

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_RULE_H_
