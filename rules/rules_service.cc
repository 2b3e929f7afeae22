#include "rules/rules_service.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/time_util.h"

namespace slagboom::rules {

RulesService::RulesService(const config::RulesConfig& config, AlertStore& store,
                           broker::Publisher* publisher)
    : engine_(config), store_(store), publisher_(publisher) {
  store_.LoadInto(engine_);
  AlertStore::Saved saved = store_.LoadState();
  cursor_ = saved.cursor;
  late_ = saved.late;
  spdlog::info("rules loaded rules={} cursor={} held_entries={}",
               engine_.rules().size(), saved.cursor, [this] {
                 size_t n = 0;
                 for (const auto& r : engine_.rules()) n += r->entry_count();
                 return n;
               }());
}

void RulesService::Start(zmq::context_t& context,
                         const config::BusConfig& bus) {
  replay_ =
      std::make_unique<broker::ReplayServer>(context, bus.rules_replay, store_);
  broker::Subscriber::Options options;
  options.xpub_endpoint = bus.xpub;
  options.replay_endpoint = bus.ingest_replay;
  options.topic = broker::kIncidentTopic;
  options.cursor = cursor_;
  subscriber_ = std::make_unique<broker::Subscriber>(
      context, options, [this](const std::vector<broker::Event>& events) {
        Handle(events);
      });
}

void RulesService::Stop() {
  subscriber_.reset();
  replay_.reset();
}

void RulesService::Handle(const broker::Event& event) {
  Handle(std::vector<broker::Event>{event});
}

void RulesService::Handle(const std::vector<broker::Event>& events) {
  // Parsing needs no lock.
  std::vector<std::pair<core::Incident, core::Status>> incidents(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    nlohmann::json json =
        nlohmann::json::parse(events[i].payload, nullptr, false);
    incidents[i].second =
        json.is_discarded()
            ? core::Status::Invalid("incident event: not JSON")
            : core::IncidentFromJson(json, &incidents[i].first);
  }

  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<uint64_t, Outcome>> outcomes;
  for (size_t i = 0; i < events.size(); ++i) {
    const uint64_t seq = events[i].seq;
    if (seq <= cursor_ ||
        (!outcomes.empty() && seq <= outcomes.back().first))
      continue;
    const auto& [incident, status] = incidents[i];
    Outcome outcome;
    if (status.ok()) {
      outcome = engine_.Process(incident);
    } else {
      spdlog::error("rules skipped incident seq={}: {}", seq,
                    status.ToString());
    }
    if (outcome.late) {
      spdlog::warn(
          "rules late incident id={} seq={} occurred_at={} watermark={}",
          incident.id, seq, core::FormatInstant(incident.occurred_at),
          core::FormatInstant(engine_.watermark()));
    }
    outcomes.emplace_back(seq, std::move(outcome));
  }
  if (outcomes.empty()) return;
  std::vector<AlertEvent> alert_events = store_.Apply(engine_, outcomes);
  cursor_ = outcomes.back().first;
  processed_ += outcomes.size();
  for (const auto& [seq, outcome] : outcomes) late_ += outcome.late ? 1 : 0;
  Publish(alert_events);
}

void RulesService::Publish(const std::vector<AlertEvent>& events) {
  for (const AlertEvent& e : events) {
    const Alert& a = e.alert;
    if (a.state == AlertState::kFiring) ++fired_;
    spdlog::info("alert {} id={} rule={} version={} incidents={} regions={}",
                 a.withdrawn ? "withdrawn" : AlertStateName(a.state), a.id,
                 a.rule_id, a.version, a.incidents.size(), a.regions.size());
    if (publisher_) {
      publisher_->Publish({broker::kAlertTopic, e.seq, AlertToJson(a).dump()});
    }
  }
}

ReloadReport RulesService::Reload(const config::RulesConfig& config) {
  std::lock_guard<std::mutex> lock(mu_);
  ReloadReport report = engine_.Reload(config);
  std::vector<std::string> retired = report.changed;
  retired.insert(retired.end(), report.removed.begin(), report.removed.end());
  Publish(store_.Retire(retired, engine_.watermark()));

  // New watchlists start with the keys of the alerts open now.
  std::vector<std::string> fresh = report.added;
  fresh.insert(fresh.end(), report.changed.begin(), report.changed.end());
  AlertQuery open;
  open.limit = 1000000;
  for (const char* state : {"firing", "updated"}) {
    open.state = state;
    for (const Alert& alert : store_.List(open)) engine_.Brief(fresh, alert);
  }
  return report;
}

}  // namespace slagboom::rules
