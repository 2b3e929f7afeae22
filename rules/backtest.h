// The back-test: the rules over a history, with no store and no bus, and a
// report of what would have fired, per rule, per region and per ISO week,
// with precision per rule where police feedback exists.
//
// Feed the incidents in the order live ingest would have committed them
// (by occurred_at, ties in commit order) and the alerts are those of
// `slagboom run` and `slagboom import` for the same incidents.
#ifndef SLAGBOOM_RULES_BACKTEST_H_
#define SLAGBOOM_RULES_BACKTEST_H_

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "core/incident.h"
#include "rules/alert.h"
#include "rules/engine.h"

namespace slagboom::rules {

// The incident ids a back-test has seen.  Ids as ingest makes them
// ("inc_" and 20 hex digits) are kept as 80-bit numbers in an open hash
// table, 16 bytes each; any other id as a string.  Each id lands in a
// random place of a table that reaches hundreds of megabytes, so the table
// asks the kernel for huge pages, which spare most lookups a page walk.
class SeenIds {
 public:
  // True when `id` is new (and now held), false when held before.
  bool Insert(const std::string& id);
  // Asks the memory for the slot where `id` would go, ahead of Insert.
  void Prefetch(const std::string& id) const;
  // Makes room for `n` ids in all, so that Insert need not grow the table.
  void Reserve(size_t n);

 private:
  struct Packed {
    uint64_t low = 0;
    uint64_t high = 0;  // bit 63 set: the slot holds an id
  };
  struct FreeSlots {
    void operator()(Packed* p) const { std::free(p); }
  };
  // False when `id` is not as ingest makes it.
  static bool Parse(const std::string& id, Packed* p);
  static size_t Home(const Packed& p, size_t mask);
  void Resize(size_t size);

  std::unique_ptr<Packed[], FreeSlots> slots_;
  size_t size_ = 0;  // slots, a power of two
  size_t used_ = 0;
  std::unordered_set<std::string> others_;
};

class Backtest {
 public:
  // `regions` (may be null) must outlive the back-test.
  explicit Backtest(const config::RulesConfig& config,
                    const core::RegionIndex* regions = nullptr);

  // Feeds one incident; a second one with an id seen before is counted as
  // a duplicate and left out, as the store would.
  void Feed(const core::Incident& incident);
  // Feeds them all, in order, as one Feed each, and faster; calls
  // `progress` (may be empty) with the number fed so far after each.
  void Feed(const std::vector<core::Incident>& incidents,
            const std::function<void(size_t)>& progress = {});

  // The alerts as they stand at the end, by id; withdrawn ones left out.
  const std::map<std::string, Alert>& alerts() const { return alerts_; }
  uint64_t incidents() const { return incidents_; }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t late() const { return engine_.late_count(); }

 private:
  Engine engine_;
  SeenIds seen_;
  std::map<std::string, Alert> alerts_;
  uint64_t incidents_ = 0;
  uint64_t duplicates_ = 0;
};

// Police feedback by alert id: "confirmed" or "false_positive".
using Feedback = std::map<std::string, std::string>;

// "2025-W06": the ISO week of an instant, on UTC days.
std::string IsoWeek(core::Instant t);

// The report: {"incidents", "late", "duplicates", "alerts": [...],
// "rules": [{"rule", "alerts", "confirmed", "false_positive",
// "precision" (null without feedback)}], "regions": [{"rule", "region",
// "alerts"}], "weeks": [{"rule", "week", "alerts"}]}.  Rules without
// alerts are listed with 0.  An alert counts once for each of its regions.
nlohmann::json BacktestReport(const Backtest& backtest,
                              const config::RulesConfig& config,
                              const Feedback& feedback);

// The report as a few aligned tables for people.
std::string FormatBacktestReport(const nlohmann::json& report);

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_BACKTEST_H_
