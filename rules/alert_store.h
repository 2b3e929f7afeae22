// The rules part's own state in SQLite: correlation windows, alerts, the
// numbered stream of alert events, the cursor into the incident stream and
// the watermark.  Written with synchronous=NORMAL: a crashed process loses
// nothing, and after a power loss the cursor falls back with the state, so
// replay from ingest restores both.  Thread-safe.
#ifndef SLAGBOOM_RULES_ALERT_STORE_H_
#define SLAGBOOM_RULES_ALERT_STORE_H_

#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/bus.h"
#include "core/sqlite.h"
#include "rules/alert.h"
#include "rules/engine.h"

namespace slagboom::rules {

struct AlertQuery {
  std::string state;  // firing, updated, resolved; empty: any
  std::string rule;   // empty: any
  size_t limit = 100;
};

class AlertStore : public broker::ReplaySource {
 public:
  // Opens or creates the file.  Throws std::runtime_error (start-up).
  explicit AlertStore(const std::string& path);

  struct Saved {
    uint64_t cursor = 0;
    core::Instant watermark{};
    uint64_t late = 0;
    bool has_watermark = false;
  };
  Saved LoadState();
  // Feeds every stored window entry and open alert back into `engine`.
  void LoadInto(Engine& engine);

  // Records what incident `incident_seq` did, in one transaction, and
  // returns the alert events it made, numbered.
  std::vector<AlertEvent> Apply(uint64_t incident_seq, const Engine& engine,
                                const Outcome& outcome);
  // The same for several incidents, as (seq, outcome) in the order the
  // engine processed them, in one transaction.
  std::vector<AlertEvent> Apply(
      const Engine& engine,
      const std::vector<std::pair<uint64_t, Outcome>>& outcomes);

  // After a reload: forgets the entries of `rule_ids` (changed or removed
  // rules) and resolves their open alerts at `at`; returns the events.
  std::vector<AlertEvent> Retire(const std::vector<std::string>& rule_ids,
                                 core::Instant at);

  std::vector<Alert> List(const AlertQuery& query);
  std::optional<Alert> Get(const std::string& id);
  uint64_t LastEventSeq();
  size_t AlertCount();

  // broker::ReplaySource
  std::vector<broker::Event> ReadFrom(uint64_t from_seq, size_t max) override;

 private:
  // REQUIRES (these three): mu_ held, inside a transaction.
  void ApplyLocked(const Engine& engine, const Outcome& outcome,
                   std::vector<AlertEvent>* events);
  void SaveState(uint64_t incident_seq, const Engine& engine);
  void Prune(const Engine& engine);

  std::mutex mu_;
  core::Database db_;
  core::WalCheckpointer checkpointer_;  // commits never wait for one
  uint64_t applies_ = 0;
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_ALERT_STORE_H_
