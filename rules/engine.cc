#include "rules/engine.h"

namespace slagboom::rules {

Engine::Engine(const config::RulesConfig& config) : config_(config) {
  for (const config::RuleConfig& rule : config_.rules) {
    if (rule.enabled) rules_.emplace_back(rule);
  }
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
  for (CountRule& rule : rules_)
    rule.Advance(watermark_, config_.lateness, &out.changes);

  for (size_t i = 0; i < rules_.size(); ++i) {
    auto key = rules_[i].KeyOf(incident);
    if (!key) continue;
    Entry entry = rules_[i].MakeEntry(incident);
    if (rules_[i].Add(*key, entry, &out.changes))
      out.added.push_back({i, *key, std::move(entry)});
  }
  return out;
}

void Engine::Restore(size_t rule, const std::string& key, const Entry& entry) {
  if (rule < rules_.size()) rules_[rule].Restore(key, entry);
}

void Engine::RestoreAlert(const Alert& alert) {
  for (CountRule& rule : rules_) {
    if (rule.config().id == alert.rule_id) rule.RestoreAlert(alert);
  }
}

void Engine::RestoreWatermark(core::Instant watermark, uint64_t late) {
  watermark_ = watermark;
  started_ = true;
  late_ = late;
}

}  // namespace slagboom::rules
