#include "rules/spike_rule.h"

#include <algorithm>
#include <cmath>

#include "core/time_util.h"

namespace slagboom::rules {

bool SpikeRule::KeyOf(const core::Incident& inc, std::string* key) const {
  if (!Matches(inc)) return false;
  key->assign(LocationField(inc, config_.region_level));
  return !key->empty();
}

core::Instant SpikeRule::StartOf(core::Instant t) const {
  const auto w = config_.window.count();
  auto ms = t.time_since_epoch().count();
  auto floor = ms >= 0 ? ms / w * w : -((-ms + w - 1) / w) * w;
  return core::Instant(core::Duration(floor));
}

bool SpikeRule::Insert(const std::string& key, const Entry& entry) {
  auto& es = keys_[key][StartOf(entry.time)].entries;
  if (std::any_of(es.begin(), es.end(),
                  [&](const Entry& e) { return e.id == entry.id; }))
    return false;
  es.insert(std::lower_bound(es.begin(), es.end(), entry, EntryBefore), entry);
  const core::Instant start = StartOf(entry.time);
  if (!first_start_ || start < *first_start_) first_start_ = start;
  return true;
}

bool SpikeRule::Add(const std::string& key, const Entry& entry,
                    std::vector<Alert>* changes) {
  const std::optional<core::Instant> first_before = first_start_;
  if (!Insert(key, entry)) return false;
  // The window itself, and those whose baseline it is part of.
  Windows& windows = keys_[key];
  const core::Instant start = StartOf(entry.time);
  const core::Duration history = config_.window * config_.baseline_windows;
  const core::Instant last = start + history;
  for (auto it = windows.lower_bound(start);
       it != windows.end() && it->first <= last; ++it)
    Judge(key, windows, it->first, changes);

  // An earlier first window gives windows of every region the history
  // they lacked: judge those now, as in order they would have been.
  if (first_before && *first_start_ < *first_before) {
    for (auto& [k, ws] : keys_) {
      for (auto it = ws.lower_bound(*first_start_ + history);
           it != ws.end() && it->first < *first_before + history; ++it)
        Judge(k, ws, it->first, changes);
    }
  }
  return true;
}

void SpikeRule::Judge(const std::string& key, Windows& windows,
                      core::Instant start, std::vector<Alert>* changes) {
  Window& w = windows[start];
  const int n = config_.baseline_windows;
  const core::Instant from = start - config_.window * n;
  bool meets = false;
  if (first_start_ && from >= *first_start_) {
    size_t before = 0;
    for (auto it = windows.lower_bound(from);
         it != windows.end() && it->first < start; ++it)
      before += it->second.entries.size();
    const double baseline = static_cast<double>(before) / n;
    const size_t count = w.entries.size();
    meets = count >= static_cast<size_t>(config_.min_count) &&
            static_cast<double>(count) >= config_.factor * baseline;
  }

  if (!meets) {
    if (!w.alert || w.alert->withdrawn) return;
    Alert gone = std::move(*w.alert);
    w.alert.reset();
    gone.state = AlertState::kResolved;
    gone.resolved_at = watermark_;
    gone.withdrawn = true;
    ++gone.version;
    changes->push_back(std::move(gone));
    return;
  }
  if (w.alert && w.alert->incidents.size() == w.entries.size()) return;

  const core::Instant end = start + config_.window;
  if (!w.alert) {
    Alert a;
    a.id = MakeAlertId(config_.id, key, "window " + core::FormatInstant(start));
    a.rule_id = config_.id;
    a.severity = config_.severity;
    a.description = config_.description;
    a.key_kind = config_.region_level;
    a.key = key;
    a.region_level = config_.region_level;
    a.regions = {key};
    a.version = 0;
    w.alert = std::move(a);
    ends_.emplace(end, std::pair{key, start});
  }
  Alert& a = *w.alert;
  a.incidents.clear();
  a.steps.clear();
  for (const Entry& e : w.entries) {
    a.incidents.push_back(ToAlertIncident(e));
    a.steps.push_back(std::string(core::StepName(e.step)));
  }
  std::sort(a.steps.begin(), a.steps.end());
  a.steps.erase(std::unique(a.steps.begin(), a.steps.end()), a.steps.end());
  a.first_at = w.entries.front().time;
  a.last_at = w.entries.back().time;
  const bool fresh = a.version == 0;
  ++a.version;
  if (a.state != AlertState::kResolved) {
    a.state = fresh ? AlertState::kFiring : AlertState::kUpdated;
  }
  if (fresh && end <= watermark_) {
    changes->push_back(a);
    a.state = AlertState::kResolved;
    a.resolved_at = end;
    ++a.version;
  }
  changes->push_back(a);
}

void SpikeRule::Advance(core::Instant watermark, core::Duration lateness,
                        std::vector<Alert>* changes) {
  watermark_ = std::max(watermark_, watermark);
  while (!ends_.empty() && ends_.begin()->first <= watermark_) {
    auto [key, start] = ends_.begin()->second;
    const core::Instant end = ends_.begin()->first;
    ends_.erase(ends_.begin());
    auto k = keys_.find(key);
    if (k == keys_.end()) continue;
    auto w = k->second.find(start);
    if (w == k->second.end() || !w->second.alert) continue;
    Alert& a = *w->second.alert;
    if (a.state == AlertState::kResolved) continue;
    a.state = AlertState::kResolved;
    a.resolved_at = end;
    ++a.version;
    changes->push_back(a);
  }

  const core::Instant horizon = watermark_ - lateness - reach();
  if (horizon - last_sweep_ < config_.window) return;
  last_sweep_ = horizon;
  for (auto k = keys_.begin(); k != keys_.end();) {
    Windows& windows = k->second;
    while (!windows.empty() &&
           windows.begin()->first + config_.window < horizon)
      windows.erase(windows.begin());
    k = windows.empty() ? keys_.erase(k) : std::next(k);
  }
}

void SpikeRule::Restore(const std::string& key, const Entry& entry) {
  Insert(key, entry);
}

void SpikeRule::RestoreAlert(const Alert& alert) {
  if (alert.incidents.empty()) return;
  const core::Instant start = StartOf(alert.incidents.front().occurred_at);
  keys_[alert.key][start].alert = alert;
  if (alert.state != AlertState::kResolved)
    ends_.emplace(start + config_.window, std::pair{alert.key, start});
}

size_t SpikeRule::entry_count() const {
  size_t n = 0;
  for (const auto& [key, windows] : keys_) {
    for (const auto& [start, w] : windows) n += w.entries.size();
  }
  return n;
}

}  // namespace slagboom::rules
