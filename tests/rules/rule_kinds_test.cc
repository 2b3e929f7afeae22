// The kinds beside `count`: sequence (and absence), watchlist, spike and
// wave, each with the alerts it must give written out.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/time_util.h"
#include "rules/engine.h"
#include "rules/wave_rule.h"

namespace slagboom::rules {
namespace {

using std::chrono::hours;

core::Instant At(const std::string& text) {
  return core::ParseTimestamp(text, "UTC", nullptr)->instant;
}

core::Incident Report(const std::string& id, const std::string& when,
                      core::Step step, const std::string& plate_key = "k1") {
  core::Incident inc;
  inc.id = id;
  inc.occurred_at = At(when);
  inc.step = step;
  inc.offence = step == core::Step::kOffence ? "shoplifting" : "";
  inc.location.municipality = "GM0344";
  inc.vehicle = core::Vehicle{};
  inc.vehicle->plate_key = plate_key;
  return inc;
}

config::RulesConfig One(const config::RuleConfig& rule) {
  config::RulesConfig rules;
  rules.lateness = hours(24);
  rules.rules = {rule};
  return rules;
}

std::vector<std::string> Ids(const Alert& a) {
  std::vector<std::string> out;
  for (const AlertIncident& i : a.incidents) out.push_back(i.id);
  return out;
}

config::RuleConfig StayOffenceStorage() {
  config::RuleConfig r;
  r.id = "park-theft-box";
  r.kind = "sequence";
  r.key = "plate";
  r.steps_in_order = {"stay", "offence", "storage"};
  r.within = hours(24 * 7);
  r.region_level = "municipality";
  return r;
}

TEST_CASE("a sequence fires when the steps come in order within the span",
          "[rules]") {
  Engine engine(One(StayOffenceStorage()));
  using S = core::Step;
  CHECK(engine.Process(Report("s", "2025-06-01T10:00:00Z", S::kStay))
            .changes.empty());
  CHECK(engine.Process(Report("o", "2025-06-03T10:00:00Z", S::kOffence))
            .changes.empty());
  auto out = engine.Process(Report("b", "2025-06-08T10:00:00Z", S::kStorage));
  REQUIRE(out.changes.size() == 1);
  CHECK(out.changes[0].id == MakeAlertId("park-theft-box", "k1", "s"));
  CHECK(out.changes[0].state == AlertState::kFiring);
  CHECK(Ids(out.changes[0]) == std::vector<std::string>{"s", "o", "b"});
  CHECK(out.changes[0].steps ==
        std::vector<std::string>{"offence", "stay", "storage"});
}

TEST_CASE("a sequence out of order or beyond its span does not fire",
          "[rules]") {
  Engine engine(One(StayOffenceStorage()));
  using S = core::Step;
  SECTION("storage before the offence") {
    engine.Process(Report("s", "2025-06-01T10:00:00Z", S::kStay));
    engine.Process(Report("b", "2025-06-02T10:00:00Z", S::kStorage));
    CHECK(engine.Process(Report("o", "2025-06-03T10:00:00Z", S::kOffence))
              .changes.empty());
  }
  SECTION("storage a millisecond after seven days") {
    engine.Process(Report("s", "2025-06-01T10:00:00Z", S::kStay));
    engine.Process(Report("o", "2025-06-03T10:00:00Z", S::kOffence));
    CHECK(engine.Process(Report("b", "2025-06-08T10:00:00.001Z", S::kStorage))
              .changes.empty());
  }
}

config::RuleConfig NoTrade() {
  config::RuleConfig r;
  r.id = "theft-no-trade";
  r.kind = "sequence";
  r.key = "plate";
  r.steps_in_order = {"offence"};
  r.then_not = "trade";
  r.within = hours(24 * 7);
  return r;
}

TEST_CASE("an absence fires when the watermark passes the span", "[rules]") {
  Engine engine(One(NoTrade()));
  using S = core::Step;
  engine.Process(Report("o", "2025-06-01T10:00:00Z", S::kOffence));
  // Exactly seven days later the span has not passed yet.
  CHECK(
      engine.Process(Report("x", "2025-06-08T10:00:00Z", S::kOffence, "other"))
          .changes.empty());
  auto out =
      engine.Process(Report("y", "2025-06-08T10:00:01Z", S::kOffence, "other"));
  REQUIRE(out.changes.size() == 1);
  CHECK(out.changes[0].id == MakeAlertId("theft-no-trade", "k1", "o"));
  CHECK(out.changes[0].state == AlertState::kFiring);
  CHECK(Ids(out.changes[0]) == std::vector<std::string>{"o"});
}

TEST_CASE("a trade within the span keeps an absence from firing", "[rules]") {
  config::RulesConfig rules = One(NoTrade());
  rules.lateness = hours(24 * 7);
  Engine engine(rules);
  using S = core::Step;
  engine.Process(Report("o", "2025-06-01T10:00:00Z", S::kOffence));
  SECTION("in order") {
    engine.Process(Report("t", "2025-06-08T10:00:00Z", S::kTrade));
    CHECK(
        engine
            .Process(Report("y", "2025-06-09T10:00:00Z", S::kOffence, "other"))
            .changes.empty());
  }
  SECTION("arriving late, it withdraws the alert that fired") {
    auto fired =
        engine.Process(Report("y", "2025-06-08T12:00:00Z", S::kOffence, "x"));
    REQUIRE(fired.changes.size() == 1);
    auto out = engine.Process(Report("t", "2025-06-05T10:00:00Z", S::kTrade));
    REQUIRE(out.changes.size() == 1);
    CHECK(out.changes[0].id == MakeAlertId("theft-no-trade", "k1", "o"));
    CHECK(out.changes[0].withdrawn);
    CHECK(out.changes[0].state == AlertState::kResolved);
  }
}

config::RulesConfig PlateAndWatchlist() {
  config::RuleConfig count;
  count.id = "plate-multi-unit";
  count.steps = {"offence"};
  count.key = "plate";
  count.window = hours(48);
  count.min_count = 3;
  count.min_regions = 3;
  count.region_level = "police_unit";
  config::RuleConfig watch;
  watch.id = "anpr-watch";
  watch.kind = "watchlist";
  watch.severity = "critical";
  watch.key = "plate";
  watch.steps = {"infrastructure"};
  watch.tags = {"anpr"};
  watch.region_level = "municipality";
  config::RulesConfig rules;
  rules.lateness = hours(24);
  rules.rules = {count, watch};
  return rules;
}

core::Incident Theft(const std::string& id, const std::string& when,
                     const std::string& unit) {
  core::Incident inc = Report(id, when, core::Step::kOffence);
  inc.location.police_unit = unit;
  return inc;
}

core::Incident Read(const std::string& id, const std::string& when,
                    const std::string& plate_key = "k1") {
  core::Incident inc = Report(id, when, core::Step::kInfrastructure, plate_key);
  inc.tags = {"anpr"};
  inc.location.municipality = "GM0363";
  return inc;
}

TEST_CASE("an anpr read of a plate in a firing alert fires the watchlist",
          "[rules]") {
  Engine engine(PlateAndWatchlist());
  CHECK(engine.Process(Read("r0", "2025-06-10T09:00:00Z")).changes.empty());
  engine.Process(Theft("a", "2025-06-10T10:00:00Z", "RE01"));
  engine.Process(Theft("b", "2025-06-10T11:00:00Z", "RE03"));
  REQUIRE(engine.Process(Theft("c", "2025-06-10T12:00:00Z", "RE05"))
              .changes.size() == 1);
  CHECK(
      engine.Process(Read("r1", "2025-06-10T13:00:00Z", "k2")).changes.empty());

  auto out = engine.Process(Read("r2", "2025-06-10T14:00:00Z"));
  REQUIRE(out.changes.size() == 1);
  const Alert& hit = out.changes[0];
  CHECK(hit.id == MakeAlertId("anpr-watch", "k1", "r2"));
  CHECK(hit.severity == "critical");
  CHECK(hit.regions == std::vector<std::string>{"GM0363"});
  CHECK(core::FormatInstant(hit.incidents[0].occurred_at) ==
        "2025-06-10T14:00:00Z");

  auto again = engine.Process(Read("r3", "2025-06-10T15:00:00Z"));
  REQUIRE(again.changes.size() == 1);
  CHECK(again.changes[0].state == AlertState::kUpdated);
  CHECK(Ids(again.changes[0]) == std::vector<std::string>{"r2", "r3"});
}

TEST_CASE(
    "the watchlist alert resolves with the alert that put the plate on it",
    "[rules]") {
  Engine engine(PlateAndWatchlist());
  engine.Process(Theft("a", "2025-06-10T10:00:00Z", "RE01"));
  engine.Process(Theft("b", "2025-06-10T11:00:00Z", "RE03"));
  engine.Process(Theft("c", "2025-06-10T12:00:00Z", "RE05"));
  engine.Process(Read("r2", "2025-06-10T14:00:00Z"));
  auto out = engine.Process(Read("r9", "2025-06-12T12:00:01Z", "k2"));
  REQUIRE(out.changes.size() == 2);
  CHECK(out.changes[0].rule_id == "plate-multi-unit");
  CHECK(out.changes[0].state == AlertState::kResolved);
  CHECK(out.changes[1].id == MakeAlertId("anpr-watch", "k1", "r2"));
  CHECK(out.changes[1].state == AlertState::kResolved);
  CHECK(engine.Process(Read("r10", "2025-06-12T13:00:00Z")).changes.empty());
}

config::RuleConfig DailySpike() {
  config::RuleConfig r;
  r.id = "district-spike";
  r.kind = "spike";
  r.region_level = "region";
  r.window = hours(24);
  r.baseline_windows = 3;
  r.factor = 2.0;
  r.min_count = 3;
  return r;
}

core::Incident InRegion(const std::string& id, const std::string& when,
                        const std::string& region) {
  core::Incident inc = Report(id, when, core::Step::kOffence);
  inc.location.region = region;
  return inc;
}

TEST_CASE("a spike fires at factor times the region's own baseline",
          "[rules]") {
  Engine engine(One(DailySpike()));
  // Region 001: one a day for three days, then three on the fourth day.
  // Region 002: three a day throughout, which is its normal.
  int n = 0;
  auto feed = [&](const std::string& day, const std::string& region,
                  int count) {
    std::vector<Alert> changes;
    for (int i = 0; i < count; ++i) {
      auto out = engine.Process(
          InRegion(region + "-" + std::to_string(++n),
                   day + "T1" + std::to_string(i) + ":00:00Z", region));
      changes.insert(changes.end(), out.changes.begin(), out.changes.end());
    }
    return changes;
  };
  for (std::string day : {"2025-02-01", "2025-02-02", "2025-02-03"}) {
    CHECK(feed(day, "001", 1).empty());
    CHECK(feed(day, "002", 3).empty());
  }
  CHECK(feed("2025-02-04", "002", 3).empty());
  auto fired = feed("2025-02-04", "001", 3);
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].id ==
        MakeAlertId("district-spike", "001", "window 2025-02-04T00:00:00Z"));
  CHECK(fired[0].incidents.size() == 3);
  CHECK(fired[0].regions == std::vector<std::string>{"001"});

  auto next_day = engine.Process(InRegion("z", "2025-02-05T00:00:00Z", "003"));
  REQUIRE(next_day.changes.size() == 1);
  CHECK(next_day.changes[0].state == AlertState::kResolved);
  CHECK(core::FormatInstant(next_day.changes[0].resolved_at) ==
        "2025-02-05T00:00:00Z");
}

config::RuleConfig Wave() {
  config::RuleConfig r;
  r.id = "foil-bag-wave";
  r.kind = "wave";
  r.offences = {"shoplifting"};
  r.tags = {"foil_bag"};
  r.window = hours(24);
  r.min_count = 3;
  r.min_regions = 3;
  r.region_level = "municipality";
  r.horizon = hours(2);
  return r;
}

core::Incident At(const std::string& id, const std::string& when,
                  const std::string& place, double lat, double lon) {
  core::Incident inc = Report(id, when, core::Step::kOffence, "");
  inc.vehicle.reset();
  inc.tags = {"foil_bag"};
  inc.location.municipality = place;
  inc.location.lat = lat;
  inc.location.lon = lon;
  return inc;
}

TEST_CASE("a wave carries the direction, speed and position ahead", "[rules]") {
  Engine engine(One(Wave()));
  // Due north at 0.1 degree of latitude an hour: 11.1 km/h.
  engine.Process(At("a", "2025-06-10T10:00:00Z", "GM0001", 51.0, 5.0));
  engine.Process(At("b", "2025-06-10T11:00:00Z", "GM0002", 51.1, 5.0));
  core::Incident no_tag = At("n", "2025-06-10T11:30:00Z", "GM0009", 51.2, 5.0);
  no_tag.tags.clear();
  CHECK(engine.Process(no_tag).changes.empty());
  auto out =
      engine.Process(At("c", "2025-06-10T12:00:00Z", "GM0003", 51.2, 5.0));
  REQUIRE(out.changes.size() == 1);
  const Alert& wave = out.changes[0];
  CHECK(wave.id == MakeAlertId("foil-bag-wave", "shoplifting", "a"));
  REQUIRE(wave.motion);
  CHECK(wave.motion->speed_kmh == Approx(11.132).epsilon(0.001));
  CHECK((wave.motion->bearing_deg < 0.01 || wave.motion->bearing_deg > 359.99));
  CHECK(wave.motion->predicted_lat == Approx(51.4));
  CHECK(wave.motion->predicted_lon == Approx(5.0));
  CHECK(core::FormatInstant(wave.motion->predicted_at) ==
        "2025-06-10T14:00:00Z");
}

TEST_CASE("the fitted bearing of a group moving east is 90 degrees",
          "[rules]") {
  std::vector<AlertIncident> path;
  for (int h = 0; h < 3; ++h) {
    AlertIncident i;
    i.occurred_at = At("2025-06-10T10:00:00Z") + hours(h);
    i.lat = 52.0;
    i.lon = 4.0 + 0.2 * h;
    path.push_back(i);
  }
  auto m = FitMotion(path, hours(1));
  REQUIRE(m);
  CHECK(m->bearing_deg == Approx(90.0));
  CHECK(m->speed_kmh ==
        Approx(0.2 * 111.32 * std::cos(52.0 * 3.14159265358979 / 180)));
  CHECK(m->predicted_lon == Approx(4.6));
}

}  // namespace
}  // namespace slagboom::rules
