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

LocationMember LocationMemberOf(const std::string& name) {
  using L = core::Location;
  if (name == "region") return &L::region;
  if (name == "municipality") return &L::municipality;
  if (name == "safety_region") return &L::safety_region;
  if (name == "police_unit") return &L::police_unit;
  if (name == "beat") return &L::beat;
  if (name == "block") return &L::block;
  if (name == "postcode") return &L::postcode;
  return nullptr;
}

const std::string& LocationField(const core::Incident& inc,
                                 const std::string& name) {
  static const std::string kEmpty;
  const LocationMember member = LocationMemberOf(name);
  return member == nullptr ? kEmpty : inc.location.*member;
}

Rule::Rule(const config::RuleConfig& config) : config_(config) { Prepare(); }

void Rule::Prepare() {
  step_mask_ = 0;
  for (const std::string& name : config_.steps) {
    if (auto step = core::ParseStep(name))
      step_mask_ |= uint32_t{1} << static_cast<int>(*step);
  }
  const std::string& key = config_.key;
  key_member_ = LocationMemberOf(key);
  key_kind_ = key == "none"            ? KeyKind::kNone
              : key == "plate"         ? KeyKind::kPlate
              : key == "offence"       ? KeyKind::kOffence
              : key == "reporter"      ? KeyKind::kReporter
              : key_member_ != nullptr ? KeyKind::kLocation
                                       : KeyKind::kUnknown;
  region_member_ = LocationMemberOf(config_.region_level);
}

bool Rule::Matches(const core::Incident& inc) const {
  const uint32_t bit = uint32_t{1} << static_cast<int>(inc.step);
  if (!config_.steps.empty() && (step_mask_ & bit) == 0) return false;
  if (!config_.offences.empty() && !Contains(config_.offences, inc.offence))
    return false;
  for (const std::string& tag : config_.tags) {
    if (!Contains(inc.tags, tag)) return false;
  }
  return true;
}

std::string Rule::KeyValue(const core::Incident& inc) const {
  switch (key_kind_) {
    case KeyKind::kNone:
      return "*";
    case KeyKind::kPlate:
      return inc.vehicle ? inc.vehicle->plate_key : "";
    case KeyKind::kOffence:
      return inc.offence;
    case KeyKind::kReporter:
      return inc.reporter;
    case KeyKind::kUnknown:
      return "";
    case KeyKind::kLocation:
      break;
  }
  // Sources spell the same place in different cases ("051XX S Lake Park
  // Ave", "051XX S LAKE PARK AVE"); they are one place.
  std::string value = inc.location.*key_member_;
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
  static const std::string kEmpty;
  return Entry{inc.occurred_at,
               inc.id,
               inc.seq,
               region_member_ ? inc.location.*region_member_ : kEmpty,
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
