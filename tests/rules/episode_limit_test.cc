// An alert lists at most max_incidents incidents; a key that never goes
// quiet gets a new alert, counted from fresh incidents, when one is full.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "core/time_util.h"
#include "rules/engine.h"
#include "tests/support/arrival_orders.h"

namespace slagboom::rules {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

using Listed = std::map<std::string, std::vector<std::string>>;

core::Instant At(const std::string& text) {
  return core::ParseTimestamp(text, "UTC", nullptr)->instant;
}

// A shoplifting report `after` past 10:00 on 10 June 2025.
core::Incident Theft(const std::string& id, minutes after,
                     const std::string& unit = "") {
  core::Incident inc;
  inc.id = id;
  inc.occurred_at = At("2025-06-10T10:00:00Z") + after;
  inc.offence = "shoplifting";
  inc.location.police_unit = unit;
  return inc;
}

// Two thefts of any kind within an hour, at most three to an alert.
config::RulesConfig Busy(core::Duration lateness) {
  config::RuleConfig r;
  r.id = "busy";
  r.key = "none";
  r.offences = {"shoplifting"};
  r.window = hours(1);
  r.min_count = 2;
  r.max_incidents = 3;
  config::RulesConfig rules;
  rules.lateness = lateness;
  rules.rules = {r};
  return rules;
}

// The alerts as they stand after all changes: id -> incident ids.
Listed Final(const config::RulesConfig& rules,
             const std::vector<core::Incident>& incidents) {
  Engine engine(rules);
  Listed alerts;
  for (const core::Incident& inc : incidents) {
    for (const Alert& a : engine.Process(inc).changes) {
      if (a.withdrawn) {
        alerts.erase(a.id);
        continue;
      }
      auto& ids = alerts[a.id];
      ids.clear();
      for (const AlertIncident& i : a.incidents) ids.push_back(i.id);
    }
  }
  return alerts;
}

// Every rotation of `history`, its reverse, and shuffles with a fixed seed.
std::vector<std::vector<core::Incident>> Orders(
    const std::vector<core::Incident>& history) {
  return testing::ArrivalOrders(history, 200, 4242);
}

// n thefts i1, i2, ... `apart` from each other.
std::vector<core::Incident> Every(minutes apart, int n) {
  std::vector<core::Incident> history;
  for (int i = 1; i <= n; ++i)
    history.push_back(Theft("i" + std::to_string(i), apart * (i - 1)));
  return history;
}

TEST_CASE("a full alert makes way for a new one from fresh incidents",
          "[episode-limit]") {
  // i3 fills the first alert; i4 alone is one theft, i5 makes two.
  const Listed expected = {{MakeAlertId("busy", "*", "i1"), {"i1", "i2", "i3"}},
                           {MakeAlertId("busy", "*", "i4"), {"i4", "i5", "i6"}},
                           {MakeAlertId("busy", "*", "i7"), {"i7", "i8"}}};
  const auto history = Every(minutes(10), 8);
  CHECK(Final(Busy(hours(24)), history) == expected);
  for (const auto& order : Orders(history)) {
    INFO("order starts with " << order[0].id << ' ' << order[1].id);
    CHECK(Final(Busy(hours(24)), order) == expected);
  }
}

TEST_CASE("a full alert resolves when its own time runs out",
          "[episode-limit]") {
  Engine engine(Busy(hours(24)));
  for (const core::Incident& inc : Every(minutes(10), 8)) engine.Process(inc);
  core::Incident burglary = Theft("x", minutes(120));
  burglary.offence = "burglary";
  auto out = engine.Process(burglary);
  // i3 + 1 h and i6 + 1 h have passed at 12:00; i8 + 1 h has not.
  REQUIRE(out.changes.size() == 2);
  CHECK(out.changes[0].id == MakeAlertId("busy", "*", "i1"));
  CHECK(out.changes[0].state == AlertState::kResolved);
  CHECK(core::FormatInstant(out.changes[0].resolved_at) ==
        "2025-06-10T11:20:00Z");
  CHECK(out.changes[1].id == MakeAlertId("busy", "*", "i4"));
  CHECK(out.changes[1].state == AlertState::kResolved);
}

TEST_CASE("a set larger than the limit lists its newest incidents",
          "[episode-limit]") {
  config::RulesConfig rules = Busy(hours(24));
  rules.rules[0].min_count = 3;
  rules.rules[0].min_regions = 3;
  rules.rules[0].region_level = "police_unit";
  // Three units first meet at e: the set is a..e, the alert lists c d e.
  const std::vector<core::Incident> history = {
      Theft("a", minutes(0), "RE01"), Theft("b", minutes(5), "RE01"),
      Theft("c", minutes(10), "RE01"), Theft("d", minutes(15), "RE02"),
      Theft("e", minutes(20), "RE03")};
  const Listed expected = {{MakeAlertId("busy", "*", "c"), {"c", "d", "e"}}};
  for (const auto& order : Orders(history)) {
    INFO("order starts with " << order[0].id << ' ' << order[1].id);
    CHECK(Final(rules, order) == expected);
  }
}

TEST_CASE("a busy key keeps its alerts exact across sweeps",
          "[episode-limit]") {
  // Eighteen hours of a theft every quarter of an hour with a lateness of
  // two hours, so entries and full alerts are swept while late ones
  // arrive: each pair is fed in reverse.  A sweep keeps the hour before
  // the first open alert, four thefts, which without the swept alert's
  // last incident would group one theft off.
  const auto history = Every(minutes(15), 72);
  Listed expected;
  for (int first = 1; first <= 72; first += 3) {
    std::vector<std::string> ids;
    for (int i = first; i < first + 3; ++i)
      ids.push_back("i" + std::to_string(i));
    expected[MakeAlertId("busy", "*", ids[0])] = ids;
  }
  CHECK(Final(Busy(hours(2)), history) == expected);
  auto swapped = history;
  for (size_t i = 0; i + 1 < swapped.size(); i += 2)
    std::swap(swapped[i], swapped[i + 1]);
  CHECK(Final(Busy(hours(2)), swapped) == expected);
}

}  // namespace
}  // namespace slagboom::rules
