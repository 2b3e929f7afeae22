#include "rules/engine.h"

#include <algorithm>

namespace slagboom::rules {
namespace {

bool IsWatchlist(const Rule& rule) { return rule.config().kind == "watchlist"; }

}  // namespace

bool SameRule(const config::RuleConfig& a, const config::RuleConfig& b) {
  auto tie = [](const config::RuleConfig& r) {
    return std::tie(r.id, r.kind, r.description, r.severity, r.steps,
                    r.offences, r.tags, r.key, r.window, r.min_count,
                    r.min_regions, r.max_incidents, r.region_level, r.enabled,
                    r.steps_in_order, r.then_not, r.within, r.watch_rules,
                    r.baseline_windows, r.factor, r.horizon);
  };
  return tie(a) == tie(b);
}

Engine::Engine(const config::RulesConfig& config,
               const core::RegionIndex* regions)
    : config_(config), regions_(regions) {
  for (const config::RuleConfig& rule : config_.rules) {
    if (rule.enabled) rules_.push_back(MakeRule(rule, regions_));
  }
}

void Engine::Tell(size_t from, std::vector<Alert>* changes) {
  // What the watchlists answer is gathered apart, so the alerts they are
  // told about stay in place (no copy), and appended after them; those
  // answers are not told again.
  std::vector<Alert> answers;
  for (size_t i = from; i < changes->size(); ++i) {
    const Alert& alert = (*changes)[i];
    auto owner = std::find_if(rules_.begin(), rules_.end(), [&](auto& r) {
      return r->config().id == alert.rule_id;
    });
    if (owner != rules_.end() && IsWatchlist(**owner)) continue;
    for (auto& rule : rules_) {
      if (IsWatchlist(*rule)) rule->Observe(alert, &answers);
    }
  }
  for (Alert& a : answers) changes->push_back(std::move(a));
}

Outcome Engine::Process(const core::Incident& incident) {
  Outcome out;
  if (started_ && incident.occurred_at < watermark_ - config_.lateness) {
    out.late = true;
    ++late_;
    return out;
  }
  if (!started_ || incident.occurred_at > watermark_) {
    watermark_ = incident.occurred_at;
    started_ = true;
  }
  // Resolve what ran out before this incident could extend it.
  for (auto& rule : rules_)
    rule->Advance(watermark_, config_.lateness, &out.changes);
  Tell(0, &out.changes);

  // Watchlists match the incident against the alerts as they stood when
  // it arrived; what it fires elsewhere is told to them afterwards.
  const size_t from = out.changes.size();
  // One entry, built for the first rule that wants it; each rule sets its
  // own region and copies what it keeps.
  std::optional<Entry> entry;
  for (size_t i = 0; i < rules_.size(); ++i) {
    Rule& rule = *rules_[i];
    if (!rule.KeyOf(incident, &key_) || !rule.Wants(key_)) continue;
    if (!entry) entry = EntryOf(incident);
    rule.SetRegion(incident, &*entry);
    if (rule.Add(key_, *entry, &out.changes) && report_added_)
      out.added.push_back({i, key_, *entry});
  }
  Tell(from, &out.changes);
  return out;
}

ReloadReport Engine::Reload(const config::RulesConfig& config) {
  ReloadReport report;
  std::vector<std::unique_ptr<Rule>> next;
  for (const config::RuleConfig& rc : config.rules) {
    if (!rc.enabled) continue;
    auto old = std::find_if(rules_.begin(), rules_.end(), [&](auto& r) {
      return r && r->config().id == rc.id;
    });
    if (old != rules_.end() && SameRule((*old)->config(), rc)) {
      report.kept.push_back(rc.id);
      next.push_back(std::move(*old));
      continue;
    }
    (old == rules_.end() ? report.added : report.changed).push_back(rc.id);
    next.push_back(MakeRule(rc, regions_));
    std::vector<Alert> none;
    if (started_) next.back()->Advance(watermark_, config.lateness, &none);
  }
  for (auto& old : rules_) {
    if (!old) continue;
    const std::string& id = old->config().id;
    if (std::find(report.changed.begin(), report.changed.end(), id) ==
        report.changed.end())
      report.removed.push_back(id);
  }
  config_ = config;
  rules_ = std::move(next);
  return report;
}

void Engine::Brief(const std::vector<std::string>& rule_ids,
                   const Alert& alert) {
  auto owner = std::find_if(rules_.begin(), rules_.end(), [&](auto& r) {
    return r->config().id == alert.rule_id;
  });
  if (owner != rules_.end() && IsWatchlist(**owner)) return;
  std::vector<Alert> ignored;
  for (auto& rule : rules_) {
    const auto& id = rule->config().id;
    if (!IsWatchlist(*rule) || id == alert.rule_id ||
        std::find(rule_ids.begin(), rule_ids.end(), id) == rule_ids.end())
      continue;
    rule->Observe(alert, &ignored);
  }
}

void Engine::set_regions(const core::RegionIndex* regions) {
  regions_ = regions;
  for (auto& rule : rules_) rule->set_regions(regions);
}

void Engine::Restore(size_t rule, const std::string& key, const Entry& entry) {
  if (rule < rules_.size()) rules_[rule]->Restore(key, entry);
}

void Engine::RestoreAlert(const Alert& alert) {
  bool from_watchlist = false;
  for (auto& rule : rules_) {
    if (rule->config().id != alert.rule_id) continue;
    rule->RestoreAlert(alert);
    from_watchlist = IsWatchlist(*rule);
  }
  if (from_watchlist || alert.state == AlertState::kResolved) return;
  std::vector<Alert> ignored;
  for (auto& rule : rules_) {
    if (IsWatchlist(*rule)) rule->Observe(alert, &ignored);
  }
}

void Engine::RestoreWatermark(core::Instant watermark, uint64_t late) {
  watermark_ = watermark;
  started_ = true;
  late_ = late;
}

}  // namespace slagboom::rules
