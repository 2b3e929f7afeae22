#include "rules/sequence_rule.h"

#include <algorithm>

namespace slagboom::rules {
namespace {

// Steps other than `offence` carry no offence, so only offences are
// filtered by offence and tag.
bool SequenceMatches(const config::RuleConfig& c, const core::Incident& inc) {
  const std::string step(core::StepName(inc.step));
  const auto& order = c.steps_in_order;
  if (std::find(order.begin(), order.end(), step) == order.end() &&
      step != c.then_not)
    return false;
  if (inc.step != core::Step::kOffence) return true;
  if (!c.offences.empty() && std::find(c.offences.begin(), c.offences.end(),
                                       inc.offence) == c.offences.end())
    return false;
  for (const std::string& tag : c.tags) {
    if (std::find(inc.tags.begin(), inc.tags.end(), tag) == inc.tags.end())
      return false;
  }
  return true;
}

}  // namespace

std::vector<size_t> ChainEndingAt(const std::vector<std::string>& steps,
                                  core::Duration within,
                                  const Entries& es, size_t from,
                                  size_t at, size_t end) {
  const size_t n = steps.size();
  auto is = [&es](size_t i, const std::string& step) {
    return core::StepName(es[i].step) == step;
  };
  if (n == 0 || at >= end || !is(at, steps[n - 1])) return {};
  if (n == 1) return {at};
  const core::Instant earliest = es[at].time - within;
  for (size_t s = from; s < at; ++s) {
    if (es[s].time < earliest || !is(s, steps[0])) continue;
    std::vector<size_t> chain = {s};
    size_t pos = s;
    for (size_t k = 1; k + 1 < n; ++k) {
      size_t j = pos + 1;
      while (j < at && !is(j, steps[k])) ++j;
      if (j >= at) break;
      chain.push_back(j);
      pos = j;
    }
    if (chain.size() + 1 != n) continue;
    chain.push_back(at);
    return chain;
  }
  return {};
}

bool SequenceRule::KeyOf(const core::Incident& inc, std::string* key) const {
  if (!SequenceMatches(config_, inc)) return false;
  KeyValue(inc, key);
  return !key->empty();
}

std::vector<size_t> SequenceRule::Qualify(const KeyState& state, size_t from,
                                          size_t at, size_t end) const {
  return ChainEndingAt(config_.steps_in_order, config_.within, state.entries,
                       from, at, end);
}

bool AbsenceRule::KeyOf(const core::Incident& inc, std::string* key) const {
  if (!SequenceMatches(config_, inc)) return false;
  KeyValue(inc, key);
  return !key->empty();
}

bool AbsenceRule::Add(const std::string& key, const Entry& entry,
                      std::vector<Alert>* changes) {
  auto& es = keys_[key].entries;
  if (std::any_of(es.begin(), es.end(),
                  [&](const Entry& e) { return e.id == entry.id; }))
    return false;
  es.insert(std::lower_bound(es.begin(), es.end(), entry, EntryBefore), entry);
  Evaluate(key, changes);
  return true;
}

void AbsenceRule::Evaluate(const std::string& key,
                           std::vector<Alert>* changes) {
  KeyState& state = keys_[key];
  const auto& es = state.entries;
  const core::Duration within = config_.within;
  for (size_t i = 0; i < es.size(); ++i) {
    std::vector<size_t> chain =
        ChainEndingAt(config_.steps_in_order, within, es, 0, i, es.size());
    if (chain.empty()) continue;
    const core::Instant deadline = es[i].time + within;
    const bool broken = std::any_of(es.begin(), es.end(), [&](const Entry& e) {
      return core::StepName(e.step) == config_.then_not &&
             e.time > es[i].time && e.time <= deadline;
    });
    auto fired = state.fired.find(es[i].id.str());
    if (broken) {
      if (fired == state.fired.end()) continue;
      Alert gone = std::move(fired->second);
      state.fired.erase(fired);
      gone.state = AlertState::kResolved;
      gone.resolved_at = watermark_;
      gone.withdrawn = true;
      ++gone.version;
      changes->push_back(std::move(gone));
      continue;
    }
    if (fired == state.fired.end()) {
      if (deadline >= watermark_) {
        checks_.emplace(deadline, key);
        continue;
      }
      Alert alert;
      alert.id = MakeAlertId(config_.id, key, es[i].id.str());
      alert.rule_id = config_.id;
      alert.severity = config_.severity;
      alert.description = config_.description;
      alert.key_kind = config_.key;
      alert.key = key;
      alert.region_level = config_.region_level;
      alert.first_at = es[chain.front()].time;
      alert.last_at = es[i].time;
      for (size_t j : chain) {
        alert.incidents.push_back(ToAlertIncident(es[j]));
        const AlertIncident& inc = alert.incidents.back();
        if (!inc.region.empty()) alert.regions.push_back(inc.region);
        alert.steps.push_back(inc.step);
      }
      for (auto* v : {&alert.regions, &alert.steps}) {
        std::sort(v->begin(), v->end());
        v->erase(std::unique(v->begin(), v->end()), v->end());
      }
      changes->push_back(alert);
      fired = state.fired.emplace(es[i].id.str(), std::move(alert)).first;
    }
    Alert& alert = fired->second;
    const core::Instant ends = deadline + within;
    if (alert.state == AlertState::kResolved) continue;
    if (ends < watermark_) {
      alert.state = AlertState::kResolved;
      alert.resolved_at = ends;
      ++alert.version;
      changes->push_back(alert);
    } else {
      checks_.emplace(ends, key);
    }
  }
}

void AbsenceRule::Advance(core::Instant watermark, core::Duration lateness,
                          std::vector<Alert>* changes) {
  watermark_ = std::max(watermark_, watermark);
  std::set<std::string> due;
  while (!checks_.empty() && checks_.begin()->first < watermark_) {
    due.insert(checks_.begin()->second);
    checks_.erase(checks_.begin());
  }
  for (const std::string& key : due) Evaluate(key, changes);

  // A chain and its span lie within 2 * within of the chain's start.
  const core::Instant horizon = watermark_ - lateness - reach();
  if (horizon - last_sweep_ < config_.within / 8) return;
  last_sweep_ = horizon;
  for (auto it = keys_.begin(); it != keys_.end();) {
    auto& es = it->second.entries;
    es.erase(es.begin(),
             std::find_if(es.begin(), es.end(),
                          [&](const Entry& e) { return e.time >= horizon; }));
    auto& fired = it->second.fired;
    for (auto f = fired.begin(); f != fired.end();) {
      const bool old = f->second.state == AlertState::kResolved &&
                       f->second.last_at < horizon;
      f = old ? fired.erase(f) : std::next(f);
    }
    it = es.empty() && fired.empty() ? keys_.erase(it) : std::next(it);
  }
}

void AbsenceRule::Restore(const std::string& key, const Entry& entry) {
  auto& es = keys_[key].entries;
  es.insert(std::lower_bound(es.begin(), es.end(), entry, EntryBefore), entry);
  checks_.emplace(entry.time + config_.within, key);
}

void AbsenceRule::RestoreAlert(const Alert& alert) {
  if (alert.incidents.empty()) return;
  keys_[alert.key].fired[alert.incidents.back().id] = alert;
  if (alert.state != AlertState::kResolved)
    checks_.emplace(alert.last_at + 2 * config_.within, alert.key);
}

size_t AbsenceRule::entry_count() const {
  size_t n = 0;
  for (const auto& [key, state] : keys_) n += state.entries.size();
  return n;
}

}  // namespace slagboom::rules
