#include "rules/watchlist_rule.h"

#include <algorithm>

namespace slagboom::rules {

bool WatchlistRule::Add(const std::string& key, const Entry& entry,
                        std::vector<Alert>* changes) {
  if (!watched_.count(key)) return false;
  AlertIncident inc = ToAlertIncident(entry);
  auto it = open_.find(key);
  if (it == open_.end()) {
    Alert alert;
    alert.id = MakeAlertId(config_.id, key, inc.id);
    alert.rule_id = config_.id;
    alert.severity = config_.severity;
    alert.description = config_.description;
    alert.key_kind = config_.key;
    alert.key = key;
    alert.region_level = config_.region_level;
    alert.first_at = entry.time;
    alert.last_at = entry.time;
    it = open_.emplace(key, std::move(alert)).first;
  } else {
    Alert& alert = it->second;
    auto held =
        std::any_of(alert.incidents.begin(), alert.incidents.end(),
                    [&](const AlertIncident& a) { return a.id == inc.id; });
    if (held) return false;
    alert.state = AlertState::kUpdated;
    ++alert.version;
  }
  Alert& alert = it->second;
  auto pos = std::find_if(alert.incidents.begin(), alert.incidents.end(),
                          [&](const AlertIncident& a) {
                            return a.occurred_at != inc.occurred_at
                                       ? a.occurred_at > inc.occurred_at
                                       : a.id > inc.id;
                          });
  for (auto [v, x] : {std::pair{&alert.regions, &inc.region},
                      std::pair{&alert.steps, &inc.step}}) {
    if (x->empty()) continue;
    auto at = std::lower_bound(v->begin(), v->end(), *x);
    if (at == v->end() || *at != *x) v->insert(at, *x);
  }
  alert.incidents.insert(pos, std::move(inc));
  alert.first_at = std::min(alert.first_at, entry.time);
  alert.last_at = std::max(alert.last_at, entry.time);
  changes->push_back(alert);
  return false;
}

void WatchlistRule::Advance(core::Instant watermark, core::Duration,
                            std::vector<Alert>*) {
  watermark_ = std::max(watermark_, watermark);
}

void WatchlistRule::Observe(const Alert& alert, std::vector<Alert>* changes) {
  if (alert.key_kind != config_.key || alert.rule_id == config_.id) return;
  const auto& rules = config_.watch_rules;
  if (!rules.empty() &&
      std::find(rules.begin(), rules.end(), alert.rule_id) == rules.end())
    return;
  if (alert.state != AlertState::kResolved) {
    watched_[alert.key].insert(alert.id);
    return;
  }
  auto it = watched_.find(alert.key);
  if (it == watched_.end()) return;
  it->second.erase(alert.id);
  if (!it->second.empty()) return;
  watched_.erase(it);
  auto open = open_.find(alert.key);
  if (open == open_.end()) return;
  Alert done = std::move(open->second);
  open_.erase(open);
  done.state = AlertState::kResolved;
  done.resolved_at = std::max(done.last_at, watermark_);
  ++done.version;
  changes->push_back(std::move(done));
}

void WatchlistRule::RestoreAlert(const Alert& alert) {
  if (alert.state != AlertState::kResolved) open_[alert.key] = alert;
}

}  // namespace slagboom::rules
