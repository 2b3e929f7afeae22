#include "rules/backtest.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "core/time_util.h"

namespace slagboom::rules {
namespace {

core::Incident Theft(const std::string& id, const std::string& when,
                     const std::string& block) {
  core::Incident inc;
  inc.id = id;
  inc.occurred_at = core::ParseTimestamp(when, "UTC", nullptr)->instant;
  inc.offence = "shoplifting";
  inc.location.block = block;
  inc.location.region = "017";
  return inc;
}

config::RulesConfig BlockRule() {
  config::RuleConfig r;
  r.id = "block-repeat";
  r.key = "block";
  r.window = std::chrono::hours(72);
  r.min_count = 2;
  config::RulesConfig rules;
  rules.rules = {r};
  return rules;
}

TEST_CASE("iso weeks follow the iso calendar on utc days", "[rules]") {
  auto at = [](const char* t) {
    return core::ParseTimestamp(t, "UTC", nullptr)->instant;
  };
  CHECK(IsoWeek(at("2025-02-03T00:00:00Z")) == "2025-W06");
  CHECK(IsoWeek(at("2025-02-09T23:59:59Z")) == "2025-W06");
  CHECK(IsoWeek(at("2024-12-30T12:00:00Z")) == "2025-W01");
}

TEST_CASE("the back-test reports per rule, region and week with precision",
          "[rules]") {
  Backtest bt(BlockRule());
  bt.Feed(Theft("a", "2025-02-03T10:00:00Z", "001XX A ST"));
  bt.Feed(Theft("b", "2025-02-03T11:00:00Z", "001XX A ST"));
  bt.Feed(Theft("b", "2025-02-03T11:00:00Z", "001XX A ST"));
  bt.Feed(Theft("c", "2025-02-12T10:00:00Z", "002XX B ST"));
  bt.Feed(Theft("d", "2025-02-12T11:00:00Z", "002XX B ST"));
  REQUIRE(bt.alerts().size() == 2);
  CHECK(bt.duplicates() == 1);

  const std::string first = MakeAlertId("block-repeat", "001XX A ST", "a");
  const std::string second = MakeAlertId("block-repeat", "002XX B ST", "c");
  auto report = BacktestReport(
      bt, BlockRule(), {{first, "confirmed"}, {second, "false_positive"}});
  CHECK(report["incidents"] == 4);
  CHECK(report["rules"][0]["alerts"] == 2);
  CHECK(report["rules"][0]["precision"] == 0.5);
  CHECK(report["weeks"] == nlohmann::json::parse(R"([
          {"rule": "block-repeat", "week": "2025-W06", "alerts": 1},
          {"rule": "block-repeat", "week": "2025-W07", "alerts": 1}])"));
  CHECK(report["regions"] ==
        nlohmann::json::parse(
            R"([{"rule": "block-repeat", "region": "017", "alerts": 2}])"));
  CHECK(BacktestReport(bt, BlockRule(), {})["rules"][0]["precision"].is_null());
}

TEST_CASE("feeding a batch counts duplicates as feeding one by one, "
          "within and across batches and among ids of other shapes",
          "[rules]") {
  // Ingest-shaped ids (held as numbers, prefetched), the odd one kept as
  // a string, and enough of them that the table grows between batches.
  std::vector<core::Incident> first, second;
  for (int i = 0; i < 3000; ++i) {
    const std::string id = fmt::format("inc_{:020x}", i * 7919);
    first.push_back(Theft(id, "2025-02-03T10:00:00Z", "001XX A ST"));
  }
  first.push_back(first[5]);                       // within the batch
  first.push_back(Theft("report-9", "2025-02-03T10:00:00Z", "001XX A ST"));
  second.push_back(first[17]);                     // across batches
  second.push_back(Theft("report-9", "2025-02-03T10:00:00Z", "001XX A ST"));
  second.push_back(Theft("inc_0000000000000000000Z", "2025-02-03T10:00:00Z",
                         "001XX A ST"));           // not hex: a string
  second.push_back(second.back());

  Backtest one_by_one(BlockRule()), batched(BlockRule());
  for (const auto* batch : {&first, &second}) {
    for (const core::Incident& inc : *batch) one_by_one.Feed(inc);
  }
  size_t ticks = 0;
  batched.Feed(first, [&](size_t done) { CHECK(done == ++ticks); });
  batched.Feed(second);
  CHECK(ticks == first.size());
  CHECK(one_by_one.duplicates() == 4);
  CHECK(batched.duplicates() == 4);
  CHECK(batched.incidents() == one_by_one.incidents());
  CHECK(batched.incidents() == 3002);
  REQUIRE(batched.alerts().size() == one_by_one.alerts().size());
  CHECK(batched.alerts().begin()->second.incidents.size() ==
        one_by_one.alerts().begin()->second.incidents.size());
}

}  // namespace
}  // namespace slagboom::rules
