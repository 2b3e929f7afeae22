#include "rules/rule.h"

#include <algorithm>
#include <cctype>

#include "rules/count_rule.h"
#include "rules/sequence_rule.h"
#include "rules/spike_rule.h"
#include "rules/watchlist_rule.h"
#include "rules/wave_rule.h"

namespace slagboom::rules {
namespace {

template <typename T>
bool Contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

bool EntryBefore(const Entry& a, const Entry& b) {
  return a.time != b.time ? a.time < b.time : a.id < b.id;
}

AlertIncident ToAlertIncident(const Entry& e) {
  return {e.id,      e.seq, e.time, e.region, e.step,
          e.offence, e.lat, e.lon,  e.tlp,    e.sector};
}

const std::string& LocationField(const core::Incident& inc,
                                 const std::string& name) {
  static const std::string kEmpty;
  const core::Location& l = inc.location;
  if (name == "region") return l.region;
  if (name == "municipality") return l.municipality;
  if (name == "safety_region") return l.safety_region;
  if (name == "police_unit") return l.police_unit;
  if (name == "beat") return l.beat;
  if (name == "block") return l.block;
  if (name == "postcode") return l.postcode;
  return kEmpty;
}

bool Rule::Matches(const core::Incident& inc) const {
  const std::string step(core::StepName(inc.step));
  if (!config_.steps.empty() && !Contains(config_.steps, step)) return false;
  if (!config_.offences.empty() && !Contains(config_.offences, inc.offence))
    return false;
  for (const std::string& tag : config_.tags) {
    if (!Contains(inc.tags, tag)) return false;
  }
  return true;
}

std::string Rule::KeyValue(const core::Incident& inc) const {
  const std::string& key = config_.key;
  if (key == "none") return "*";
  if (key == "plate") return inc.vehicle ? inc.vehicle->plate_key : "";
  if (key == "offence") return inc.offence;
  if (key == "reporter") return inc.reporter;
  // Sources spell the same place in different cases ("051XX S Lake Park
  // Ave", "051XX S LAKE PARK AVE"); they are one place.
  std::string value = LocationField(inc, key);
  for (char& c : value) c = static_cast<char>(std::toupper(c));
  return value;
}

std::optional<std::string> Rule::KeyOf(const core::Incident& inc) const {
  if (!Matches(inc)) return std::nullopt;
  std::string value = KeyValue(inc);
  if (value.empty()) return std::nullopt;
  return value;
}

Entry Rule::MakeEntry(const core::Incident& inc) const {
  return Entry{inc.occurred_at,
               inc.id,
               inc.seq,
               LocationField(inc, config_.region_level),
               std::string(core::StepName(inc.step)),
               inc.offence,
               inc.location.lat,
               inc.location.lon,
               inc.tlp,
               inc.sector};
}

std::unique_ptr<Rule> MakeRule(const config::RuleConfig& config,
                               const core::RegionIndex* regions) {
  if (config.kind == "sequence" && !config.then_not.empty())
    return std::make_unique<AbsenceRule>(config);
  if (config.kind == "sequence") return std::make_unique<SequenceRule>(config);
  if (config.kind == "watchlist")
    return std::make_unique<WatchlistRule>(config);
  if (config.kind == "spike") return std::make_unique<SpikeRule>(config);
  if (config.kind == "wave") return std::make_unique<WaveRule>(config, regions);
  return std::make_unique<CountRule>(config);
}

}  // namespace slagboom::rules
