// Exact semantics: any arrival order within the lateness gives the alerts
// of processing in order, and windows are UTC spans whatever the clocks do.
#include <algorithm>
#include <catch2/catch.hpp>
#include <iomanip>
#include <map>
#include <sstream>

#include "core/time_util.h"
#include "rules/engine.h"
#include "tests/support/arrival_orders.h"

namespace slagboom::rules {
namespace {

using std::chrono::hours;

core::Instant At(const std::string& text) {
  return core::ParseTimestamp(text, "UTC", nullptr)->instant;
}

// The alerts as they stand after all changes, by id; withdrawn ones gone.
std::map<std::string, std::vector<std::string>> Final(
    const config::RulesConfig& rules,
    const std::vector<core::Incident>& incidents) {
  Engine engine(rules);
  std::map<std::string, std::vector<std::string>> alerts;
  auto apply = [&](const std::vector<Alert>& changes) {
    for (const Alert& a : changes) {
      if (a.withdrawn) {
        alerts.erase(a.id);
        continue;
      }
      std::vector<std::string> ids;
      for (const AlertIncident& i : a.incidents) ids.push_back(i.id);
      alerts[a.id] = ids;
    }
  };
  for (const core::Incident& inc : incidents)
    apply(engine.Process(inc).changes);
  return alerts;
}

core::Incident Theft(const std::string& id, const std::string& when,
                     const std::string& unit, core::Step step) {
  core::Incident inc;
  inc.id = id;
  inc.occurred_at = At(when);
  inc.step = step;
  inc.offence = "shoplifting";
  inc.location.police_unit = unit;
  inc.vehicle = core::Vehicle{};
  inc.vehicle->plate_key = "k1";
  return inc;
}

config::RuleConfig Count() {
  config::RuleConfig r;
  r.id = "plate-multi-unit";
  r.key = "plate";
  r.steps = {"offence"};
  r.window = hours(48);
  r.min_count = 3;
  r.min_regions = 3;
  r.region_level = "police_unit";
  return r;
}

config::RuleConfig Sequence() {
  config::RuleConfig r;
  r.id = "park-theft-box";
  r.kind = "sequence";
  r.key = "plate";
  r.steps_in_order = {"stay", "offence", "storage"};
  r.within = hours(72);
  return r;
}

config::RulesConfig Rules() {
  config::RulesConfig rules;
  rules.lateness = hours(24 * 6);  // every order below stays within it
  rules.rules = {Count(), Sequence()};
  return rules;
}

// Two bursts of one plate, the second close enough to its first alert's
// end to test joining and resolving, and a stay-offence-storage chain.
std::vector<core::Incident> History() {
  using S = core::Step;
  return {Theft("a", "2025-06-10T10:00:00Z", "RE01", S::kOffence),
          Theft("b", "2025-06-10T20:00:00Z", "RE03", S::kOffence),
          Theft("c", "2025-06-11T10:00:00Z", "RE05", S::kOffence),
          Theft("s", "2025-06-11T12:00:00Z", "RE02", S::kStay),
          Theft("d", "2025-06-12T09:00:00Z", "RE07", S::kOffence),
          Theft("e", "2025-06-14T09:00:00Z", "RE02", S::kOffence),
          Theft("f", "2025-06-14T11:00:00Z", "RE04", S::kOffence),
          Theft("g", "2025-06-14T12:00:00Z", "RE06", S::kStorage),
          Theft("h", "2025-06-15T08:00:00Z", "RE08", S::kOffence)};
}

TEST_CASE("in order the history gives these alerts", "[rules]") {
  auto alerts = Final(Rules(), History());
  std::map<std::string, std::vector<std::string>> expected = {
      {MakeAlertId("plate-multi-unit", "k1", "a"), {"a", "b", "c", "d"}},
      {MakeAlertId("plate-multi-unit", "k1", "e"), {"e", "f", "h"}},
      {MakeAlertId("park-theft-box", "k1", "s"), {"s", "d", "g"}}};
  CHECK(alerts == expected);
}

// Arrival orders of n incidents, as indexes.
std::vector<std::vector<size_t>> Orders(size_t n, int shuffles) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  return testing::ArrivalOrders(order, shuffles, 12345);
}

TEST_CASE("every arrival order within the lateness gives the same alerts",
          "[rules]") {
  const auto history = History();
  const auto expected = Final(Rules(), history);
  for (const auto& o : Orders(history.size(), 300)) {
    std::vector<core::Incident> shuffled;
    for (size_t i : o) shuffled.push_back(history[i]);
    INFO("order starts with " << shuffled[0].id << shuffled[1].id
                              << shuffled[2].id);
    CHECK(Final(Rules(), shuffled) == expected);
  }
}

// A shoplifting report with a position, for the keyless kinds.
core::Incident Placed(const std::string& id, const std::string& when,
                      const std::string& municipality, double lat, double lon) {
  core::Incident inc;
  inc.id = id;
  inc.occurred_at = At(when);
  inc.offence = "shoplifting";
  inc.tags = {"foil_bag"};
  inc.location.municipality = municipality;
  inc.location.lat = lat;
  inc.location.lon = lon;
  return inc;
}

// What the alerts are in the end, the motion of a wave included.
std::map<std::string, std::string> Summary(
    const config::RulesConfig& rules,
    const std::vector<core::Incident>& incidents) {
  Engine engine(rules);
  std::map<std::string, std::string> alerts;
  for (const core::Incident& inc : incidents) {
    for (const Alert& a : engine.Process(inc).changes) {
      if (a.withdrawn) {
        alerts.erase(a.id);
        continue;
      }
      std::ostringstream text;
      for (const AlertIncident& i : a.incidents) text << i.id << ' ';
      if (a.motion) {
        text << std::fixed << std::setprecision(6) << a.motion->bearing_deg
             << ' ' << a.motion->speed_kmh << ' ' << a.motion->predicted_lat
             << ' ' << a.motion->predicted_lon;
      }
      alerts[a.id] = text.str();
    }
  }
  return alerts;
}

// Checks that every order of `history` gives what time order gives, and
// returns that.
std::map<std::string, std::string> SameInEveryOrder(
    const config::RulesConfig& rules,
    const std::vector<core::Incident>& history) {
  const auto expected = Summary(rules, history);
  for (const auto& o : Orders(history.size(), 200)) {
    std::vector<core::Incident> shuffled;
    for (size_t i : o) shuffled.push_back(history[i]);
    INFO("order starts with " << shuffled[0].id << ' ' << shuffled[1].id << ' '
                              << shuffled[2].id);
    CHECK(Summary(rules, shuffled) == expected);
  }
  return expected;
}

TEST_CASE("a spike fires the same alerts in any arrival order", "[rules]") {
  config::RuleConfig spike;
  spike.id = "town-spike";
  spike.kind = "spike";
  spike.offences = {"shoplifting"};
  spike.region_level = "municipality";
  spike.window = hours(1);
  spike.baseline_windows = 3;
  spike.factor = 2;
  spike.min_count = 3;
  config::RulesConfig rules;
  rules.lateness = hours(24);
  rules.rules = {spike};
  // Utrecht: a theft or two an hour, none at 13:00, four at 14:00 and
  // four at 16:00; Zeist: one an hour, never a spike.
  std::vector<core::Incident> history;
  auto add = [&](const std::string& id, const std::string& when,
                 const std::string& gm) {
    history.push_back(
        Placed(id, "2025-06-10T" + when + ":00Z", gm, 52.09, 5.12));
  };
  add("u1", "10:10", "GM0344");
  add("u2", "11:20", "GM0344");
  add("u3", "12:30", "GM0344");
  add("u4", "12:40", "GM0344");
  for (const char* id : {"u5", "u6", "u7", "u8"}) add(id, "14:05", "GM0344");
  add("u9", "15:50", "GM0344");
  for (const char* id : {"ua", "ub", "uc", "ud"}) add(id, "16:15", "GM0344");
  for (const char* id : {"z1", "z2", "z3", "z4", "z5"})
    add(id, "1" + std::string(1, id[1]) + ":30", "GM0355");

  // 14:00 against 1 an hour before it; 16:00 against 5/3 an hour.
  const auto alerts = SameInEveryOrder(rules, history);
  CHECK(alerts ==
        std::map<std::string, std::string>{
            {MakeAlertId("town-spike", "GM0344", "window 2025-06-10T14:00:00Z"),
             "u5 u6 u7 u8 "},
            {MakeAlertId("town-spike", "GM0344", "window 2025-06-10T16:00:00Z"),
             "ua ub uc ud "}});
}

TEST_CASE("a wave fires the same alerts in any arrival order", "[rules]") {
  config::RuleConfig wave;
  wave.id = "foil-bag-wave";
  wave.kind = "wave";
  wave.offences = {"shoplifting"};
  wave.tags = {"foil_bag"};
  wave.window = hours(24);
  wave.min_count = 4;
  wave.min_regions = 3;
  wave.region_level = "municipality";
  wave.horizon = hours(2);
  config::RulesConfig rules;
  rules.lateness = hours(72);  // more than the history spans
  rules.rules = {wave};
  // A group going north up the A2 on one day, and again two days later
  // going east along the A12; between them a lone theft with no position.
  std::vector<core::Incident> history = {
      Placed("a1", "2025-06-10T09:00:00Z", "GM0935", 50.85, 5.69),
      Placed("a2", "2025-06-10T10:30:00Z", "GM1883", 51.00, 5.87),
      Placed("a3", "2025-06-10T12:00:00Z", "GM0957", 51.19, 5.99),
      Placed("a4", "2025-06-10T13:30:00Z", "GM0988", 51.25, 5.71),
      Placed("a5", "2025-06-10T15:00:00Z", "GM0772", 51.44, 5.48),
      Placed("b1", "2025-06-12T09:00:00Z", "GM0518", 52.08, 4.31),
      Placed("b2", "2025-06-12T10:00:00Z", "GM0513", 52.01, 4.71),
      Placed("b3", "2025-06-12T11:00:00Z", "GM0344", 52.09, 5.12),
      Placed("b4", "2025-06-12T12:30:00Z", "GM0228", 52.04, 5.67),
      Placed("b5", "2025-06-12T14:00:00Z", "GM0202", 51.98, 5.91)};
  core::Incident lone = Placed("x", "2025-06-11T12:00:00Z", "GM0344", 0, 0);
  lone.location.lat.reset();
  lone.location.lon.reset();
  history.push_back(lone);

  const auto alerts = SameInEveryOrder(rules, history);
  REQUIRE(alerts.size() == 2);
  CHECK(alerts.at(MakeAlertId("foil-bag-wave", "shoplifting", "a1"))
            .starts_with("a1 a2 a3 a4 a5 "));
  CHECK(alerts.at(MakeAlertId("foil-bag-wave", "shoplifting", "b1"))
            .starts_with("b1 b2 b3 b4 b5 "));
}

TEST_CASE("an earlier incident arriving late takes over the alert", "[rules]") {
  config::RulesConfig rules;
  rules.lateness = hours(48);
  rules.rules = {Count()};
  Engine engine(rules);
  using S = core::Step;
  engine.Process(Theft("b", "2025-06-10T20:00:00Z", "RE03", S::kOffence));
  engine.Process(Theft("c", "2025-06-11T10:00:00Z", "RE05", S::kOffence));
  auto first =
      engine.Process(Theft("d", "2025-06-11T11:00:00Z", "RE07", S::kOffence));
  REQUIRE(first.changes.size() == 1);
  CHECK(first.changes[0].id == MakeAlertId("plate-multi-unit", "k1", "b"));

  auto late =
      engine.Process(Theft("a", "2025-06-10T10:00:00Z", "RE01", S::kOffence));
  REQUIRE(late.changes.size() == 2);
  CHECK(late.changes[0].id == MakeAlertId("plate-multi-unit", "k1", "a"));
  CHECK(late.changes[0].state == AlertState::kFiring);
  CHECK(late.changes[0].incidents.size() == 4);
  CHECK(late.changes[1].id == MakeAlertId("plate-multi-unit", "k1", "b"));
  CHECK(late.changes[1].withdrawn);
  CHECK(late.changes[1].replaced_by == late.changes[0].id);
}

TEST_CASE("a late incident joins an alert that already resolved", "[rules]") {
  config::RulesConfig rules;
  rules.rules = {Count()};
  Engine engine(rules);
  using S = core::Step;
  engine.Process(Theft("a", "2025-06-10T10:00:00Z", "RE01", S::kOffence));
  engine.Process(Theft("b", "2025-06-10T11:00:00Z", "RE03", S::kOffence));
  engine.Process(Theft("c", "2025-06-10T12:00:00Z", "RE05", S::kOffence));
  core::Incident other =
      Theft("x", "2025-06-13T00:00:00Z", "RE01", S::kOffence);
  other.vehicle->plate_key = "k2";
  REQUIRE(engine.Process(other).changes.size() == 1);  // resolved

  auto late =
      engine.Process(Theft("d", "2025-06-12T11:00:00Z", "RE07", S::kOffence));
  REQUIRE(late.changes.size() == 1);
  CHECK(late.changes[0].id == MakeAlertId("plate-multi-unit", "k1", "a"));
  // Joined in order, d would have kept the alert open until d + 48 h.
  CHECK(late.changes[0].state == AlertState::kUpdated);
  CHECK(late.changes[0].incidents.size() == 4);
  other.id = "y";
  other.occurred_at = At("2025-06-14T11:00:01Z");
  auto later = engine.Process(other);
  REQUIRE(later.changes.size() == 1);
  CHECK(later.changes[0].state == AlertState::kResolved);
  CHECK(core::FormatInstant(later.changes[0].resolved_at) ==
        "2025-06-14T11:00:00Z");
}

TEST_CASE("a daylight saving change never stretches a window", "[rules]") {
  // Europe/Amsterdam leaves summer time on 26 October 2025 at 03:00, so
  // 48 hours of wall clock across it are 49 hours of real time.
  auto local = [](const std::string& text) {
    return core::ParseTimestamp(text, "Europe/Amsterdam", nullptr)->instant;
  };
  config::RulesConfig rules;
  rules.rules = {Count()};
  auto run = [&](const std::string& third) {
    Engine engine(rules);
    using S = core::Step;
    auto a = Theft("a", "2025-10-25T10:00:00Z", "RE01", S::kOffence);
    a.occurred_at = local("2025-10-25T10:00:00");
    auto b = Theft("b", "2025-10-26T10:00:00Z", "RE03", S::kOffence);
    b.occurred_at = local("2025-10-26T10:00:00");
    auto c = Theft("c", "2025-10-27T10:00:00Z", "RE05", S::kOffence);
    c.occurred_at = local(third);
    engine.Process(a);
    engine.Process(b);
    return engine.Process(c).changes.size();
  };
  CHECK(core::FormatInstant(local("2025-10-27T09:00:00")) ==
        "2025-10-27T08:00:00Z");
  CHECK(run("2025-10-27T09:00:00") == 1);  // 48 h after the first
  CHECK(run("2025-10-27T10:00:00") == 0);  // 48 h on the wall, 49 h in fact
}

}  // namespace
}  // namespace slagboom::rules
