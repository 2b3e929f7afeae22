#include "rules/episode_rule.h"

#include <algorithm>

namespace slagboom::rules {
namespace {

bool IncidentBefore(const AlertIncident& a, const AlertIncident& b) {
  return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at
                                        : a.id < b.id;
}

// An alert's incidents are kept by (time, id), as entries are.
bool Holds(const Alert& alert, const Entry& e) {
  AlertIncident probe;
  probe.occurred_at = e.time;
  probe.id = e.id.str();
  auto it = std::lower_bound(alert.incidents.begin(), alert.incidents.end(),
                             probe, IncidentBefore);
  return it != alert.incidents.end() && it->id == probe.id &&
         it->occurred_at == e.time;
}

bool HoldsId(const Alert& alert, const std::string& id) {
  return std::any_of(alert.incidents.begin(), alert.incidents.end(),
                     [&id](const AlertIncident& a) { return a.id == id; });
}

void InsertSorted(std::vector<std::string>& v, const std::string& x) {
  if (x.empty()) return;
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it == v.end() || *it != x) v.insert(it, x);
}

void Absorb(Alert& alert, const Entry& e) {
  AlertIncident inc = ToAlertIncident(e);
  InsertSorted(alert.regions, inc.region);
  InsertSorted(alert.steps, inc.step);
  auto pos = std::lower_bound(alert.incidents.begin(), alert.incidents.end(),
                              inc, IncidentBefore);
  alert.incidents.insert(pos, std::move(inc));
  alert.first_at = std::min(alert.first_at, e.time);
  alert.last_at = std::max(alert.last_at, e.time);
}

bool SameIncidents(const Alert& a, const Alert& b) {
  if (a.incidents.size() != b.incidents.size()) return false;
  for (size_t i = 0; i < a.incidents.size(); ++i) {
    if (a.incidents[i].id != b.incidents[i].id) return false;
  }
  return true;
}

}  // namespace

bool EpisodeRule::RunOut(const Alert& alert) const {
  return alert.last_at + span() < watermark_;
}

void EpisodeRule::Resolve(Alert& alert) const {
  alert.state = AlertState::kResolved;
  alert.resolved_at = alert.last_at + span();
  ++alert.version;
}

bool EpisodeRule::Full(const Alert& alert) const {
  return alert.incidents.size() >=
         static_cast<size_t>(std::max(config_.max_incidents, 1));
}

size_t EpisodeRule::Floor(const KeyState& state,
                          const std::vector<Alert>& episodes, size_t n) const {
  const AlertIncident* fence = state.fence.get();
  if (n > 0) {
    const auto& incidents = episodes[n - 1].incidents;
    fence = incidents.empty() ? nullptr : &incidents.back();
  }
  if (fence == nullptr) return 0;
  const core::Instant t = fence->occurred_at;
  const PackedString id(fence->id);
  const auto& es = state.entries;
  auto after = std::upper_bound(es.begin(), es.end(), t,
                                [&id](core::Instant x, const Entry& e) {
                                  return x != e.time ? x < e.time : id < e.id;
                                });
  return static_cast<size_t>(after - es.begin());
}

Alert* EpisodeRule::Step(const std::string& key, const KeyState& state,
                         size_t at, size_t end,
                         std::vector<Alert>& episodes) const {
  const Entries& es = state.entries;
  Alert* last = episodes.empty() ? nullptr : &episodes.back();
  const bool open =
      last != nullptr && !Full(*last) && es[at].time <= last->last_at + span();
  const size_t from = Floor(state, episodes, episodes.size() - (open ? 1 : 0));
  if (from > at) return nullptr;
  std::vector<size_t> members = Qualify(state, from, at, end);
  if (members.empty()) return nullptr;
  if (open) {
    for (size_t i : members) {
      if (Full(*last)) break;
      if (!Holds(*last, es[i])) Absorb(*last, es[i]);
    }
    if (last->state == AlertState::kResolved) {
      last->resolved_at = last->last_at + span();
    } else {
      last->state = AlertState::kUpdated;
    }
    ++last->version;
    Decorate(*last);
    return last;
  }
  // A set larger than an alert may list gives its newest entries, the one
  // that completed it among them.
  const size_t limit = static_cast<size_t>(std::max(config_.max_incidents, 1));
  if (members.size() > limit)
    members.erase(members.begin(), members.end() - static_cast<long>(limit));
  Alert alert;
  const Entry& first = es[members.front()];
  alert.id = MakeAlertId(config_.id, key, first.id.str());
  alert.rule_id = config_.id;
  alert.severity = config_.severity;
  alert.description = config_.description;
  alert.key_kind = config_.key;
  alert.key = key;
  alert.region_level = config_.region_level;
  alert.first_at = first.time;
  alert.last_at = first.time;
  for (size_t i : members) Absorb(alert, es[i]);
  Decorate(alert);
  episodes.push_back(std::move(alert));
  return &episodes.back();
}

bool EpisodeRule::Hold(KeyState& state, const Entry& entry) {
  auto& es = state.entries;
  auto pos = std::lower_bound(es.begin(), es.end(), entry, EntryBefore);
  if (pos != es.end() && pos->id == entry.id && pos->time == entry.time)
    return false;
  const Entry& held = *es.insert(pos, entry);

  if (!TracksRegions() || (!state.latest && es.size() <= kTrackFrom))
    return true;
  auto note = [&state](const Entry& e) {
    if (e.region.empty()) return;
    for (auto& [region, t] : *state.latest) {
      if (region != e.region) continue;
      t = std::max(t, e.time);
      return;
    }
    state.latest->emplace_back(e.region, e.time);
  };
  if (state.latest) {
    note(held);
  } else {
    state.latest = std::make_unique<RegionTimes>();
    for (const Entry& e : es) note(e);
  }
  return true;
}

bool EpisodeRule::Add(const std::string& key, const Entry& entry,
                      std::vector<Alert>* changes) {
  auto slot = keys_.try_emplace(PackedKey(key)).first;
  KeyState& state = slot->second;
  Queue(slot, entry.time);
  auto& es = state.entries;
  const bool in_order =
      (es.empty() || EntryBefore(es.back(), entry)) && entry.time >= watermark_;
  if (!Hold(state, entry)) return false;
  if (!in_order) {
    Recompute(key, state, changes);
    return true;
  }

  Alert* alert = Step(key, state, es.size() - 1, es.size(), state.episodes);
  if (alert == nullptr) return true;
  expiries_.emplace(alert->last_at + span(), key);
  changes->push_back(*alert);
  return true;
}

void EpisodeRule::Recompute(const std::string& key, KeyState& state,
                            std::vector<Alert>* changes) {
  std::vector<Alert> fresh;
  for (size_t i = 0; i < state.entries.size(); ++i)
    Step(key, state, i, i + 1, fresh);

  std::vector<Alert>& old = state.episodes;
  for (Alert& ep : fresh) {
    auto it = std::find_if(old.begin(), old.end(),
                           [&](const Alert& o) { return o.id == ep.id; });
    if (it != old.end() && SameIncidents(*it, ep)) {
      ep = *it;
      continue;
    }
    if (it != old.end()) {
      ep.version = it->version + 1;
      ep.state = AlertState::kUpdated;
    } else {
      ep.version = 1;
      ep.state = AlertState::kFiring;
    }
    if (RunOut(ep)) {
      if (it == old.end()) changes->push_back(ep);
      ep.state = AlertState::kResolved;
      ep.resolved_at = ep.last_at + span();
      if (it == old.end()) ++ep.version;
    } else {
      expiries_.emplace(ep.last_at + span(), key);
    }
    changes->push_back(ep);
  }
  for (const Alert& o : old) {
    if (std::any_of(fresh.begin(), fresh.end(),
                    [&](const Alert& f) { return f.id == o.id; }))
      continue;
    Alert gone = o;
    auto into = std::find_if(fresh.begin(), fresh.end(), [&](const Alert& f) {
      return HoldsId(f, o.incidents.front().id);
    });
    if (gone.state != AlertState::kResolved) {
      gone.state = AlertState::kResolved;
      gone.resolved_at = watermark_;
    }
    gone.withdrawn = true;
    if (into != fresh.end()) gone.replaced_by = into->id;
    ++gone.version;
    changes->push_back(std::move(gone));
  }
  state.episodes = std::move(fresh);
}

void EpisodeRule::Advance(core::Instant watermark, core::Duration lateness,
                          std::vector<Alert>* changes) {
  watermark_ = std::max(watermark_, watermark);
  while (!expiries_.empty() && expiries_.begin()->first < watermark_) {
    const std::string key = expiries_.begin()->second;
    expiries_.erase(expiries_.begin());
    auto it = keys_.find(PackedKey(key));
    if (it == keys_.end()) continue;
    // Open episodes are the last ones: a full one stays open beside the
    // next until its time runs out too.
    auto& eps = it->second.episodes;
    size_t open = eps.size();
    while (open > 0 && eps[open - 1].state != AlertState::kResolved) --open;
    for (size_t i = open; i < eps.size(); ++i) {
      if (!RunOut(eps[i])) {
        expiries_.emplace(eps[i].last_at + span(), key);
        break;
      }
      Resolve(eps[i]);
      changes->push_back(eps[i]);
    }
  }

  // A sweep moves the entries a key keeps, so it waits until the horizon
  // has moved by an eighth of what is kept.
  const core::Instant horizon = watermark_ - lateness - span();
  if (horizon - last_sweep_ < (lateness + span()) / 8) return;
  last_sweep_ = horizon;
  Sweep(horizon);
}

void EpisodeRule::Queue(Keys::iterator it, core::Instant due) {
  if (it->second.queued) return;
  it->second.queued = true;
  sweeps_.emplace(due, &it->first);
}

void EpisodeRule::Sweep(core::Instant horizon) {
  while (!sweeps_.empty() && sweeps_.top().first < horizon) {
    auto it = keys_.find(*sweeps_.top().second);
    sweeps_.pop();
    if (it == keys_.end()) continue;
    it->second.queued = false;
    std::optional<core::Instant> next = SweepKey(it->second, horizon);
    if (next) {
      Queue(it, *next);
    } else {
      keys_.erase(it);
    }
  }
}

// No entry at or after the horizon can join an episode that ran out
// before it, and an entry before it that is in no episode took part in no
// qualifying set, so leaving it out changes no later outcome.
std::optional<core::Instant> EpisodeRule::SweepKey(KeyState& state,
                                                   core::Instant horizon) {
  auto& eps = state.episodes;
  size_t done = 0;
  while (done < eps.size() && eps[done].state == AlertState::kResolved &&
         eps[done].last_at + span() < horizon)
    ++done;
  if (done > 0 && !eps[done - 1].incidents.empty()) {
    state.fence =
        std::make_unique<AlertIncident>(eps[done - 1].incidents.back());
  }
  eps.erase(eps.begin(), eps.begin() + static_cast<long>(done));
  // The set that opened the first episode may reach a span before its
  // first listed incident.
  core::Instant cut = horizon;
  if (!eps.empty()) cut = std::min(cut, eps.front().first_at - span());
  auto& es = state.entries;
  es.erase(es.begin(), std::lower_bound(es.begin(), es.end(), cut,
                                        [](const Entry& e, core::Instant x) {
                                          return e.time < x;
                                        }));
  if (state.latest) {
    std::erase_if(*state.latest,
                  [cut](const auto& r) { return r.second < cut; });
  }
  if (es.empty() && eps.empty()) return std::nullopt;
  // A key that was busy (the one group of a keyless rule) gives back what
  // its quiet hours no longer need.
  if (es.capacity() > 64 && es.size() < es.capacity() / 4) es.shrink_to_fit();
  // Due again once the first episode is done or the first entry is old;
  // never before the horizon, which this sweep has reached.
  const core::Instant next =
      eps.empty() ? es.front().time : eps.front().last_at + span();
  return std::max(next, horizon);
}

void EpisodeRule::Restore(const std::string& key, const Entry& entry) {
  auto slot = keys_.try_emplace(PackedKey(key)).first;
  Queue(slot, entry.time);
  Hold(slot->second, entry);
}

void EpisodeRule::RestoreAlert(const Alert& alert) {
  auto slot = keys_.try_emplace(PackedKey(alert.key)).first;
  Queue(slot, alert.first_at);
  auto& eps = slot->second.episodes;
  auto pos = std::upper_bound(
      eps.begin(), eps.end(), alert,
      [](const Alert& a, const Alert& b) { return a.first_at < b.first_at; });
  eps.insert(pos, alert);
  if (alert.state != AlertState::kResolved)
    expiries_.emplace(alert.last_at + span(), alert.key);
}

size_t EpisodeRule::entry_count() const {
  size_t n = 0;
  for (const auto& [key, state] : keys_) n += state.entries.size();
  return n;
}

}  // namespace slagboom::rules
