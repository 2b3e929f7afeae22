#include "rules/rule.h"

#include <algorithm>
#include <cctype>
#include <type_traits>

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

static_assert(std::is_trivially_copyable_v<Entry>);

bool EntryBefore(const Entry& a, const Entry& b) {
  return a.time != b.time ? a.time < b.time : a.id < b.id;
}

AlertIncident ToAlertIncident(const Entry& e) {
  AlertIncident a;
  a.id = e.id.str();
  a.seq = e.seq;
  a.occurred_at = e.time;
  a.region = e.region.str();
  a.step = std::string(core::StepName(e.step));
  a.offence = e.offence.str();
  a.lat = e.lat;
  a.lon = e.lon;
  a.tlp = e.tlp;
  a.sector = e.sector.str();
  return a;
}

Entry EntryOf(const core::Incident& inc) {
  Entry e;
  e.time = inc.occurred_at;
  e.seq = inc.seq;
  e.id = PackedString(inc.id);
  e.offence = PackedString(inc.offence);
  e.sector = PackedString(inc.sector);
  e.lat = inc.location.lat;
  e.lon = inc.location.lon;
  e.step = inc.step;
  e.tlp = inc.tlp;
  return e;
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

void Rule::KeyValue(const core::Incident& inc, std::string* key) const {
  switch (key_kind_) {
    case KeyKind::kNone:
      key->assign(1, '*');
      return;
    case KeyKind::kPlate:
      if (inc.vehicle) {
        key->assign(inc.vehicle->plate_key);
      } else {
        key->clear();
      }
      return;
    case KeyKind::kOffence:
      key->assign(inc.offence);
      return;
    case KeyKind::kReporter:
      key->assign(inc.reporter);
      return;
    case KeyKind::kUnknown:
      key->clear();
      return;
    case KeyKind::kLocation:
      break;
  }
  // Sources spell the same place in different cases ("051XX S Lake Park
  // Ave", "051XX S LAKE PARK AVE"); they are one place.
  key->assign(inc.location.*key_member_);
  for (char& c : *key) c = static_cast<char>(std::toupper(c));
}

bool Rule::KeyOf(const core::Incident& inc, std::string* key) const {
  if (!Matches(inc)) return false;
  KeyValue(inc, key);
  return !key->empty();
}

void Rule::SetRegion(const core::Incident& inc, Entry* entry) const {
  entry->region = region_member_
                      ? PackedString(inc.location.*region_member_)
                      : PackedString();
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
