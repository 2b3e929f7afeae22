// Exact semantics: any arrival order within the lateness gives the alerts
// of processing in order, and windows are UTC spans whatever the clocks do.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "core/time_util.h"
#include "rules/engine.h"

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

TEST_CASE("every arrival order within the lateness gives the same alerts",
          "[rules]") {
  const auto history = History();
  const auto expected = Final(Rules(), history);
  std::vector<size_t> order(history.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Every rotation and its reverse, and the reverse of time, plus a
  // sample of shuffles with a fixed seed.
  std::vector<std::vector<size_t>> orders;
  for (size_t r = 0; r < order.size(); ++r) {
    auto o = order;
    std::rotate(o.begin(), o.begin() + static_cast<long>(r), o.end());
    orders.push_back(o);
    std::reverse(o.begin(), o.end());
    orders.push_back(o);
  }
  uint32_t seed = 12345;
  for (int k = 0; k < 300; ++k) {
    auto o = order;
    for (size_t i = o.size() - 1; i > 0; --i) {
      seed = seed * 1664525u + 1013904223u;
      std::swap(o[i], o[seed % (i + 1)]);
    }
    orders.push_back(o);
  }
  for (const auto& o : orders) {
    std::vector<core::Incident> shuffled;
    for (size_t i : o) shuffled.push_back(history[i]);
    INFO("order starts with " << shuffled[0].id << shuffled[1].id
                              << shuffled[2].id);
    CHECK(Final(Rules(), shuffled) == expected);
  }
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
