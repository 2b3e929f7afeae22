#include <catch2/catch.hpp>

#include "core/time_util.h"
#include "rules/engine.h"

namespace slagboom::rules {
namespace {

using std::chrono::hours;

core::Incident Theft(const std::string& id, const std::string& when,
                     const std::string& unit) {
  core::Incident inc;
  inc.id = id;
  inc.occurred_at = core::ParseTimestamp(when, "UTC", nullptr)->instant;
  inc.offence = "shoplifting";
  inc.location.police_unit = unit;
  inc.vehicle = core::Vehicle{};
  inc.vehicle->plate_key = "k1";
  return inc;
}

config::RuleConfig PlateRule() {
  config::RuleConfig r;
  r.id = "plate-multi-unit";
  r.key = "plate";
  r.window = hours(48);
  r.min_count = 3;
  r.min_regions = 3;
  r.region_level = "police_unit";
  return r;
}

config::RuleConfig PairRule() {
  config::RuleConfig r;
  r.id = "plate-pair";
  r.key = "plate";
  r.window = hours(48);
  r.min_count = 2;
  return r;
}

config::RulesConfig With(std::vector<config::RuleConfig> rules) {
  config::RulesConfig c;
  c.rules = std::move(rules);
  return c;
}

TEST_CASE("a reload keeps unchanged rules and starts new ones empty",
          "[rules]") {
  Engine engine(With({PlateRule()}));
  engine.Process(Theft("a", "2025-06-10T10:00:00Z", "RE01"));
  engine.Process(Theft("b", "2025-06-10T11:00:00Z", "RE03"));

  ReloadReport r = engine.Reload(With({PlateRule(), PairRule()}));
  CHECK(r.kept == std::vector<std::string>{"plate-multi-unit"});
  CHECK(r.added == std::vector<std::string>{"plate-pair"});
  CHECK(r.changed.empty());
  CHECK(r.removed.empty());

  auto out = engine.Process(Theft("c", "2025-06-10T12:00:00Z", "RE05"));
  REQUIRE(out.changes.size() == 1);
  CHECK(out.changes[0].rule_id == "plate-multi-unit");
  auto next = engine.Process(Theft("d", "2025-06-10T13:00:00Z", "RE07"));
  REQUIRE(next.changes.size() == 2);
  CHECK(next.changes[1].id == MakeAlertId("plate-pair", "k1", "c"));
}

TEST_CASE("a reload names changed and removed rules", "[rules]") {
  Engine engine(With({PlateRule(), PairRule()}));
  config::RuleConfig stricter = PlateRule();
  stricter.min_count = 4;
  ReloadReport r = engine.Reload(With({stricter}));
  CHECK(r.kept.empty());
  CHECK(r.changed == std::vector<std::string>{"plate-multi-unit"});
  CHECK(r.removed == std::vector<std::string>{"plate-pair"});
  REQUIRE(engine.rules().size() == 1);
  CHECK(engine.rules()[0]->config().min_count == 4);
}

}  // namespace
}  // namespace slagboom::rules
