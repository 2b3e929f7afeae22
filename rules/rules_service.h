// The rules part: follows the incident stream from its cursor, runs the
// engine, keeps its state in its own store, and publishes the alert
// events it makes, which it also serves for replay.
#ifndef SLAGBOOM_RULES_RULES_SERVICE_H_
#define SLAGBOOM_RULES_RULES_SERVICE_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <zmq.hpp>

#include "broker/bus.h"
#include "config/config.h"
#include "rules/alert_store.h"
#include "rules/engine.h"

namespace slagboom::rules {

class RulesService {
 public:
  // Loads the saved state of `store` into a new engine for `config`.
  RulesService(const config::RulesConfig& config, AlertStore& store,
               broker::Publisher* publisher);

  // Starts following the incident stream and serving alert replay on the
  // endpoints of `bus`.  Throws zmq::error_t when binding fails (start-up).
  void Start(zmq::context_t& context, const config::BusConfig& bus);
  void Stop();

  // Handles incident events in order, committing what they did in one
  // transaction; public so tests can drive it directly.
  void Handle(const broker::Event& event);
  void Handle(const std::vector<broker::Event>& events);

  // Replaces the rules (Engine::Reload); the alerts of changed and removed
  // rules resolve and their events go out.  Thread-safe.
  ReloadReport Reload(const config::RulesConfig& config);

  // Lets waves name the municipality ahead; `regions` (may be null) must
  // outlive the service.  Thread-safe.
  void set_regions(const core::RegionIndex* regions) {
    std::lock_guard<std::mutex> lock(mu_);
    engine_.set_regions(regions);
  }

  // The last incident sequence number handled.
  uint64_t cursor() const { return cursor_; }
  uint64_t processed() const { return processed_; }
  uint64_t late() const { return late_; }
  uint64_t alerts_fired() const { return fired_; }

 private:
  // Logs and publishes alert events.  REQUIRES: mu_ held.
  void Publish(const std::vector<AlertEvent>& events);

  std::mutex mu_;  // guards engine_
  Engine engine_;
  AlertStore& store_;
  broker::Publisher* publisher_;
  std::atomic<uint64_t> cursor_{0};
  std::atomic<uint64_t> processed_{0};
  std::atomic<uint64_t> late_{0};
  std::atomic<uint64_t> fired_{0};
  std::unique_ptr<broker::ReplayServer> replay_;
  std::unique_ptr<broker::Subscriber> subscriber_;
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_RULES_SERVICE_H_
