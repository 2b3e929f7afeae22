#include "rules/count_rule.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace slagboom::rules {
namespace {

bool Before(const Entry& a, const Entry& b) {
  return a.time != b.time ? a.time < b.time : a.id < b.id;
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

template <typename T>
bool Contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

void InsertSorted(std::vector<std::string>& v, const std::string& x) {
  if (x.empty()) return;
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it == v.end() || *it != x) v.insert(it, x);
}

}  // namespace

CountRule::CountRule(const config::RuleConfig& config) : config_(config) {}

std::optional<std::string> CountRule::KeyOf(const core::Incident& inc) const {
  const std::string step(core::StepName(inc.step));
  if (!config_.steps.empty() && !Contains(config_.steps, step))
    return std::nullopt;
  if (!config_.offences.empty() && !Contains(config_.offences, inc.offence))
    return std::nullopt;
  for (const std::string& tag : config_.tags) {
    if (!Contains(inc.tags, tag)) return std::nullopt;
  }

  const std::string& key = config_.key;
  std::string value;
  if (key == "none") {
    value = "*";
  } else if (key == "plate") {
    if (inc.vehicle) value = inc.vehicle->plate_key;
  } else if (key == "offence") {
    value = inc.offence;
  } else if (key == "reporter") {
    value = inc.reporter;
  } else {
    // Sources spell the same place in different cases ("051XX S Lake
    // Park Ave", "051XX S LAKE PARK AVE"); they are one place.
    value = LocationField(inc, key);
    for (char& c : value) c = static_cast<char>(std::toupper(c));
  }
  if (value.empty()) return std::nullopt;
  return value;
}

Entry CountRule::MakeEntry(const core::Incident& inc) const {
  return Entry{inc.occurred_at,
               inc.id,
               inc.seq,
               LocationField(inc, config_.region_level),
               std::string(core::StepName(inc.step)),
               inc.offence};
}

bool CountRule::Add(const std::string& key, const Entry& entry,
                    std::vector<Alert>* changes) {
  KeyState& state = keys_[key];
  for (const Entry& e : state.entries) {
    if (e.id == entry.id) return false;
  }
  state.entries.insert(std::lower_bound(state.entries.begin(),
                                        state.entries.end(), entry, Before),
                       entry);

  auto window = QualifyingWindow(state, entry);
  if (!window) return true;
  const auto& es = state.entries;
  if (!state.open) {
    Alert alert;
    alert.id = MakeAlertId(config_.id, key, es[window->first].id);
    alert.rule_id = config_.id;
    alert.severity = config_.severity;
    alert.description = config_.description;
    alert.key_kind = config_.key;
    alert.key = key;
    alert.region_level = config_.region_level;
    alert.first_at = es[window->first].time;
    alert.last_at = alert.first_at;
    for (size_t i = window->first; i <= window->last; ++i) Absorb(alert, es[i]);
    state.open = std::move(alert);
    expiries_.emplace(state.open->last_at + config_.window, key);
    changes->push_back(*state.open);
    return true;
  }

  // The condition still holds with this incident: it joins the alert,
  // with whatever else of its window the alert did not hold yet.
  Alert& alert = *state.open;
  const core::Instant old_expiry = alert.last_at + config_.window;
  for (size_t i = window->first; i <= window->last; ++i) {
    const std::string& id = es[i].id;
    bool held =
        std::any_of(alert.incidents.begin(), alert.incidents.end(),
                    [&id](const AlertIncident& a) { return a.id == id; });
    if (!held) Absorb(alert, es[i]);
  }
  alert.state = AlertState::kUpdated;
  ++alert.version;
  if (alert.last_at + config_.window != old_expiry) {
    auto range = expiries_.equal_range(old_expiry);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == key) {
        expiries_.erase(it);
        break;
      }
    }
    expiries_.emplace(alert.last_at + config_.window, key);
  }
  changes->push_back(alert);
  return true;
}

// Looks at every window [start, start + window] that holds `entry` and
// returns the earliest one that meets the thresholds, as entry indexes.
std::optional<CountRule::Span> CountRule::QualifyingWindow(
    const KeyState& state, const Entry& entry) const {
  const auto& es = state.entries;
  for (size_t first = 0; first < es.size(); ++first) {
    if (es[first].time < entry.time - config_.window) continue;
    if (es[first].time > entry.time) break;
    const core::Instant end = es[first].time + config_.window;
    std::set<std::string> regions;
    size_t count = 0;
    size_t last = first;
    for (size_t i = first; i < es.size() && es[i].time <= end; ++i) {
      ++count;
      if (!es[i].region.empty()) regions.insert(es[i].region);
      last = i;
    }
    // One region is no spread: min_regions 1 asks nothing of the regions,
    // so incidents without one can still meet it.
    const bool spread =
        config_.min_regions <= 1 ||
        regions.size() >= static_cast<size_t>(config_.min_regions);
    if (count >= static_cast<size_t>(config_.min_count) && spread) {
      return Span{first, last};
    }
  }
  return std::nullopt;
}

void CountRule::Absorb(Alert& alert, const Entry& e) const {
  AlertIncident inc{e.id, e.seq, e.time, e.region, e.step, e.offence};
  auto pos = std::lower_bound(
      alert.incidents.begin(), alert.incidents.end(), inc,
      [](const AlertIncident& a, const AlertIncident& b) {
        return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at
                                              : a.id < b.id;
      });
  alert.incidents.insert(pos, inc);
  InsertSorted(alert.regions, e.region);
  InsertSorted(alert.steps, e.step);
  alert.first_at = std::min(alert.first_at, e.time);
  alert.last_at = std::max(alert.last_at, e.time);
}

void CountRule::Advance(core::Instant watermark, core::Duration lateness,
                        std::vector<Alert>* changes) {
  while (!expiries_.empty() && expiries_.begin()->first < watermark) {
    const std::string key = expiries_.begin()->second;
    expiries_.erase(expiries_.begin());
    KeyState& state = keys_[key];
    if (!state.open) continue;
    Alert alert = std::move(*state.open);
    state.open.reset();
    alert.state = AlertState::kResolved;
    alert.resolved_at = alert.last_at + config_.window;
    ++alert.version;
    changes->push_back(std::move(alert));
  }

  // An entry older than this can join no window a new incident opens.
  // Sweeping every key costs, so it waits until the horizon has moved by
  // an eighth of the window.
  const core::Instant horizon = watermark - lateness - config_.window;
  if (horizon - last_sweep_ < config_.window / 8) return;
  last_sweep_ = horizon;
  for (auto it = keys_.begin(); it != keys_.end();) {
    auto& entries = it->second.entries;
    while (!entries.empty() && entries.front().time < horizon)
      entries.pop_front();
    if (entries.empty() && !it->second.open) {
      it = keys_.erase(it);
    } else {
      ++it;
    }
  }
}

void CountRule::Restore(const std::string& key, const Entry& entry) {
  auto& entries = keys_[key].entries;
  entries.insert(
      std::lower_bound(entries.begin(), entries.end(), entry, Before), entry);
}

void CountRule::RestoreAlert(const Alert& alert) {
  keys_[alert.key].open = alert;
  expiries_.emplace(alert.last_at + config_.window, alert.key);
}

size_t CountRule::entry_count() const {
  size_t n = 0;
  for (const auto& [key, state] : keys_) n += state.entries.size();
  return n;
}

}  // namespace slagboom::rules
