#include "rules/count_rule.h"

#include <catch2/catch.hpp>

#include "core/time_util.h"
#include "rules/engine.h"

namespace slagboom::rules {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

core::Instant At(const std::string& text) {
  return core::ParseTimestamp(text, "UTC", nullptr)->instant;
}

// R1 of the cases: one plate in 3 police units within 48 h.
config::RulesConfig PlateRule() {
  config::RuleConfig r;
  r.id = "plate-multi-unit";
  r.steps = {"offence"};
  r.key = "plate";
  r.window = hours(48);
  r.min_count = 3;
  r.min_regions = 3;
  r.region_level = "police_unit";
  config::RulesConfig rules;
  rules.lateness = hours(24);
  rules.rules = {r};
  return rules;
}

core::Incident Sighting(const std::string& id, const std::string& when,
                        const std::string& unit,
                        const std::string& plate_key = "k1") {
  core::Incident inc;
  inc.id = id;
  inc.occurred_at = At(when);
  inc.offence = "shoplifting";
  inc.location.police_unit = unit;
  inc.vehicle = core::Vehicle{};
  inc.vehicle->plate_key = plate_key;
  return inc;
}

std::vector<std::string> Ids(const Alert& a) {
  std::vector<std::string> out;
  for (const AlertIncident& i : a.incidents) out.push_back(i.id);
  return out;
}

TEST_CASE("three units within 48 hours fire one alert", "[rules]") {
  Engine engine(PlateRule());
  CHECK(engine.Process(Sighting("a", "2025-06-10T10:00:00Z", "RE01"))
            .changes.empty());
  CHECK(engine.Process(Sighting("b", "2025-06-11T10:00:00Z", "RE03"))
            .changes.empty());
  auto out = engine.Process(Sighting("c", "2025-06-12T09:00:00Z", "RE05"));
  REQUIRE(out.changes.size() == 1);
  const Alert& alert = out.changes[0];
  CHECK(alert.state == AlertState::kFiring);
  CHECK(alert.id == MakeAlertId("plate-multi-unit", "k1", "a"));
  CHECK(Ids(alert) == std::vector<std::string>{"a", "b", "c"});
  CHECK(alert.regions == std::vector<std::string>{"RE01", "RE03", "RE05"});
}

TEST_CASE("the end of the window is inclusive", "[rules]") {
  Engine engine(PlateRule());
  engine.Process(Sighting("a", "2025-06-10T10:00:00Z", "RE01"));
  engine.Process(Sighting("b", "2025-06-11T10:00:00Z", "RE03"));
  SECTION("exactly 48 h after the first counts") {
    auto out = engine.Process(Sighting("c", "2025-06-12T10:00:00Z", "RE05"));
    CHECK(out.changes.size() == 1);
  }
  SECTION("one millisecond later does not") {
    auto out =
        engine.Process(Sighting("c", "2025-06-12T10:00:00.001Z", "RE05"));
    CHECK(out.changes.empty());
  }
}

TEST_CASE("two units are not three", "[rules]") {
  Engine engine(PlateRule());
  engine.Process(Sighting("a", "2025-06-10T10:00:00Z", "RE01"));
  engine.Process(Sighting("b", "2025-06-10T11:00:00Z", "RE03"));
  auto out = engine.Process(Sighting("c", "2025-06-10T12:00:00Z", "RE03"));
  CHECK(out.changes.empty());
}

TEST_CASE("a duplicate can never complete a threshold", "[rules]") {
  Engine engine(PlateRule());
  engine.Process(Sighting("a", "2025-06-10T10:00:00Z", "RE01"));
  engine.Process(Sighting("b", "2025-06-10T11:00:00Z", "RE03"));
  auto again = engine.Process(Sighting("b", "2025-06-10T11:00:00Z", "RE03"));
  CHECK(again.added.empty());
  CHECK(engine.Process(Sighting("c", "2025-06-10T12:00:00Z", "RE03"))
            .changes.empty());
}

TEST_CASE("a new sighting updates the firing alert", "[rules]") {
  Engine engine(PlateRule());
  engine.Process(Sighting("a", "2025-06-10T10:00:00Z", "RE01"));
  engine.Process(Sighting("b", "2025-06-10T11:00:00Z", "RE03"));
  engine.Process(Sighting("c", "2025-06-10T12:00:00Z", "RE05"));
  auto out = engine.Process(Sighting("d", "2025-06-11T12:00:00Z", "RE07"));
  REQUIRE(out.changes.size() == 1);
  CHECK(out.changes[0].state == AlertState::kUpdated);
  CHECK(out.changes[0].version == 2);
  CHECK(out.changes[0].id == MakeAlertId("plate-multi-unit", "k1", "a"));
  CHECK(Ids(out.changes[0]) == std::vector<std::string>{"a", "b", "c", "d"});
}

TEST_CASE("an alert resolves when its window has run out", "[rules]") {
  Engine engine(PlateRule());
  engine.Process(Sighting("a", "2025-06-10T10:00:00Z", "RE01"));
  engine.Process(Sighting("b", "2025-06-10T11:00:00Z", "RE03"));
  engine.Process(Sighting("c", "2025-06-10T12:00:00Z", "RE05"));
  auto out =
      engine.Process(Sighting("x", "2025-06-12T12:00:01Z", "RE09", "other"));
  REQUIRE(out.changes.size() == 1);
  CHECK(out.changes[0].state == AlertState::kResolved);
  CHECK(core::FormatInstant(out.changes[0].resolved_at) ==
        "2025-06-12T12:00:00Z");
}

TEST_CASE("other plates and other steps stay apart", "[rules]") {
  Engine engine(PlateRule());
  engine.Process(Sighting("a", "2025-06-10T10:00:00Z", "RE01", "k1"));
  engine.Process(Sighting("b", "2025-06-10T11:00:00Z", "RE03", "k2"));
  core::Incident stay = Sighting("c", "2025-06-10T12:00:00Z", "RE05", "k1");
  stay.step = core::Step::kStay;
  CHECK(engine.Process(stay).changes.empty());
}

TEST_CASE("an incident later than the lateness is counted, not correlated",
          "[rules]") {
  Engine engine(PlateRule());
  engine.Process(Sighting("a", "2025-06-12T10:00:00Z", "RE01"));
  auto out = engine.Process(Sighting("b", "2025-06-11T09:59:59Z", "RE03"));
  CHECK(out.late);
  CHECK(engine.late_count() == 1);
  CHECK(engine.Process(Sighting("c", "2025-06-11T10:00:00Z", "RE03"))
            .added.size() == 1);
}

TEST_CASE("incidents out of order fire the same alert as in order", "[rules]") {
  Engine in_order(PlateRule()), reversed(PlateRule());
  auto a = Sighting("a", "2025-06-10T10:00:00Z", "RE01");
  auto b = Sighting("b", "2025-06-10T20:00:00Z", "RE03");
  auto c = Sighting("c", "2025-06-11T10:00:00Z", "RE05");
  in_order.Process(a);
  in_order.Process(b);
  auto one = in_order.Process(c).changes;
  reversed.Process(c);
  reversed.Process(b);
  auto two = reversed.Process(a).changes;
  REQUIRE(one.size() == 1);
  REQUIRE(two.size() == 1);
  CHECK(one[0].id == two[0].id);
  CHECK(Ids(one[0]) == Ids(two[0]));
}

}  // namespace
}  // namespace slagboom::rules

namespace slagboom::rules {
namespace {

TEST_CASE("a place key matches whatever its case", "[rules]") {
  config::RuleConfig r;
  r.id = "block-repeat";
  r.key = "block";
  r.window = std::chrono::hours(72);
  r.min_count = 2;
  config::RulesConfig rules;
  rules.rules = {r};
  Engine engine(rules);
  core::Incident a;
  a.id = "a";
  a.occurred_at = At("2025-02-03T10:00:00Z");
  a.location.block = "051XX S Lake Park Ave";
  core::Incident b = a;
  b.id = "b";
  b.location.block = "051XX S LAKE PARK AVE";
  engine.Process(a);
  auto out = engine.Process(b);
  REQUIRE(out.changes.size() == 1);
  CHECK(out.changes[0].key == "051XX S LAKE PARK AVE");
}

}  // namespace
}  // namespace slagboom::rules
