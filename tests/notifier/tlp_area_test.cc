// TLP on alerts, shopkeepers' areas and sectors (issue 5).
#include <fstream>

#include "config/config.h"
#include "notifier/area.h"
#include "notifier/audience.h"
#include "rules/engine.h"
#include "tests/notifier/notifier_test_support.h"

namespace slagboom::notifier {
namespace {

using testing::Hook;
using testing::NotifierFixture;
using testing::PlateAlert;
using testing::SigningReceiver;

// Utrecht Centraal and points around it.
constexpr double kLat = 52.0894;
constexpr double kLon = 5.1100;

rules::Alert WithTlps(std::vector<core::Tlp> tlps) {
  rules::Alert a = PlateAlert("r1", "NL:12ZZX4");
  for (size_t i = 0; i < a.incidents.size(); ++i)
    a.incidents[i].tlp = tlps[std::min(i, tlps.size() - 1)];
  return a;
}

bool Carries(const nlohmann::json& j, const std::string& text) {
  return j.dump().find(text) != std::string::npos;
}

config::AreaConfig Circle(double lat, double lon, double radius_m) {
  config::AreaConfig a;
  a.lat = lat;
  a.lon = lon;
  a.radius_m = radius_m;
  return a;
}

TEST_CASE("an alert's tlp is the most restrictive of its incidents",
          "[notifier]") {
  CHECK(rules::AlertTlp(WithTlps({core::Tlp::kClear, core::Tlp::kGreen})) ==
        core::Tlp::kGreen);
  CHECK(rules::AlertTlp(WithTlps({core::Tlp::kClear, core::Tlp::kRed,
                                  core::Tlp::kGreen})) == core::Tlp::kRed);
  rules::Alert none = PlateAlert("r1", "x");
  none.incidents.clear();
  CHECK(rules::AlertTlp(none) == core::Tlp::kAmber);

  // The mark travels with the alert and each incident, and reads back.
  nlohmann::json j = rules::AlertToJson(
      WithTlps({core::Tlp::kClear, core::Tlp::kAmberStrict}));
  CHECK(j["tlp"] == "AMBER+STRICT");
  CHECK(j["incidents"][0]["tlp"] == "CLEAR");
  rules::Alert back;
  REQUIRE(rules::AlertFromJson(j, &back).ok());
  CHECK(back.incidents[1].tlp == core::Tlp::kAmberStrict);
}

TEST_CASE(
    "an alert event without a tlp takes its incidents' most "
    "restrictive one",
    "[notifier]") {
  nlohmann::json j = rules::AlertToJson(
      WithTlps({core::Tlp::kClear, core::Tlp::kRed, core::Tlp::kGreen}));
  j.erase("tlp");
  CHECK(AlertTlp(j) == Tlp::kRed);
  CHECK_FALSE(AlertForAudience(j, "shopkeeper"));
  for (nlohmann::json& incident : j["incidents"]) incident.erase("tlp");
  CHECK(AlertTlp(j) == Tlp::kAmber);
}

TEST_CASE("the engine marks an alert with its incidents' tlp", "[notifier]") {
  config::RulesConfig rules;
  config::RuleConfig r;
  r.id = "twice";
  r.min_count = 2;
  r.window = std::chrono::hours(1);
  rules.rules = {r};
  rules::Engine engine(rules);
  std::vector<rules::Alert> changes;
  for (int i = 0; i < 2; ++i) {
    core::Incident inc;
    inc.id = fmt::format("inc_{}", i);
    inc.seq = uint64_t(i + 1);
    inc.occurred_at = testing::kT0 + std::chrono::minutes(i);
    inc.offence = "shoplifting";
    inc.location.region = "GM0344";
    inc.sector = "drugstore";
    inc.tlp = i == 0 ? core::Tlp::kClear : core::Tlp::kRed;
    for (rules::Alert& a : engine.Process(inc).changes)
      changes.push_back(std::move(a));
  }
  REQUIRE(changes.size() == 1);
  nlohmann::json j = rules::AlertToJson(changes[0]);
  CHECK(j["tlp"] == "RED");
  CHECK(j["incidents"][0]["sector"] == "drugstore");
}

TEST_CASE(
    "a shopkeeper gets a clear or green alert as its profile allows and "
    "nothing of a red one",
    "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  f.config.subscribers = {Hook("shop", hook.Url(), "shopkeeper"),
                          Hook("police", hook.Url(), "police")};
  f.Open();
  rules::Alert green = WithTlps({core::Tlp::kClear, core::Tlp::kGreen});
  rules::Alert red = WithTlps({core::Tlp::kClear, core::Tlp::kRed});
  red.id = "alr_red";
  red.key = "pk_other";
  f.Handle(1, green);
  f.Handle(2, red);
  f.service->DeliverDue();

  std::map<std::string, std::vector<nlohmann::json>> got;
  for (const testing::Call& call : hook.calls())
    got[call.body["subscriber"]].push_back(call.body["alert"]);
  CHECK(got["police"].size() == 2);
  REQUIRE(got["shop"].size() == 1);
  const nlohmann::json& seen = got["shop"][0];
  CHECK(seen["id"] == green.id);
  CHECK(seen["tlp"] == "GREEN");
  CHECK(seen["incident_count"] == 3);
  for (const char* forbidden : {"key", "description", "incidents"})
    CHECK_FALSE(seen.contains(forbidden));
  CHECK_FALSE(Carries(seen, "pk_"));
  CHECK_FALSE(Carries(seen, "12ZZX4"));
  CHECK_FALSE(Carries(seen, "Grey van"));
}

TEST_CASE("a report's sector is folded, kept and refused when not text",
          "[notifier]") {
  core::ValidationContext ctx;
  ctx.now = testing::kT0;
  nlohmann::json body = {{"occurred_at", "2025-06-15T10:00:00+02:00"},
                         {"offence", "shoplifting"},
                         {"location", {{"municipality", "GM0344"}}},
                         {"sector", " Drugstore "}};
  core::Incident inc;
  REQUIRE(core::ParseIncident(body, ctx, &inc).ok());
  CHECK(inc.sector == "drugstore");
  core::Incident back;
  REQUIRE(core::IncidentFromJson(core::IncidentToJson(inc), &back).ok());
  CHECK(back.sector == "drugstore");

  body["sector"] = 7;
  core::Status status = core::ParseIncident(body, ctx, &inc);
  REQUIRE_FALSE(status.ok());
  CHECK(status.details().at(0).field == "sector");
}

TEST_CASE("a circle holds the points within its radius", "[notifier]") {
  config::AreaConfig area = Circle(kLat, kLon, 1000);
  CHECK(InArea(area, kLat, kLon));
  CHECK(InArea(area, kLat + 0.008, kLon));        // about 890 m north
  CHECK_FALSE(InArea(area, kLat + 0.010, kLon));  // about 1,110 m
  CHECK_FALSE(InArea(area, 51.9225, 4.4792));     // Rotterdam
}

TEST_CASE("a polygon holds the points inside it and on its edge",
          "[notifier]") {
  config::AreaConfig area;
  // Clockwise or not, closed or not: both are read.
  area.polygon = {{52.08, 5.10}, {52.08, 5.13}, {52.10, 5.13}, {52.10, 5.10}};
  CHECK(InArea(area, 52.09, 5.12));
  CHECK(InArea(area, 52.08, 5.12));
  CHECK_FALSE(InArea(area, 52.11, 5.12));
}

TEST_CASE(
    "an alert is in a shopkeeper's area by an incident or a wave's "
    "predicted point",
    "[notifier]") {
  config::SubscriberConfig shop = Hook("shop", "http://x/", "shopkeeper");
  shop.areas = {Circle(kLat, kLon, 2000)};
  rules::Alert alert = PlateAlert("wave", "none");
  CHECK_FALSE(InPlace(shop, alert));  // no incident has a position

  alert.incidents[1].lat = kLat + 0.005;
  alert.incidents[1].lon = kLon;
  CHECK(InPlace(shop, alert));

  alert.incidents[1].lat = 51.9225;  // Rotterdam, heading for Utrecht
  alert.motion = rules::Motion{45, 30, kLat, kLon + 0.01, testing::kT0, ""};
  CHECK(InPlace(shop, alert));
  alert.motion->predicted_lat = 51.5;
  CHECK_FALSE(InPlace(shop, alert));

  // A predicted municipality counts as a region of the alert.
  shop.regions = {"GM0344"};
  alert.motion->predicted_region = "GM0344";
  CHECK(InPlace(shop, alert));
}

TEST_CASE("a shopkeeper's sectors pick alerts with an incident of one",
          "[notifier]") {
  config::SubscriberConfig shop = Hook("shop", "http://x/", "shopkeeper");
  rules::Alert alert = PlateAlert("r1", "k");
  CHECK(Wants(shop, alert));
  shop.sectors = {"drugstore"};
  CHECK_FALSE(Wants(shop, alert));
  alert.incidents[2].sector = "Drugstore";
  CHECK(Wants(shop, alert));
}

struct ConfigFile {
  testing::TempDir dir;
  std::vector<config::ConfigError> errors;
  bool Load(const std::string& yaml, config::Config* out) {
    std::string path = (dir.path / "slagboom.yaml").string();
    std::ofstream(path) << yaml;
    return config::LoadConfig(path, out, &errors);
  }
  std::string Errors() const {
    std::string all;
    for (const config::ConfigError& e : errors) all += e.ToString() + "\n";
    return all;
  }
};

TEST_CASE("areas, sectors and grouping are read from the configuration",
          "[notifier]") {
  ConfigFile file;
  config::Config config;
  REQUIRE(file.Load(R"(notify:
  subscribers:
    - id: shop
      channel: log
      audience: shopkeeper
      sectors: [Drugstore]
      group_by: [rule, region]
      group_wait: 1m
      areas:
        - {lat: 52.09, lon: 5.11, radius_m: 1500}
        - polygon: [[52.08, 5.10], [52.08, 5.13], [52.10, 5.13]]
)",
                    &config));
  const config::SubscriberConfig& s = config.notify.subscribers.at(0);
  REQUIRE(s.areas.size() == 2);
  CHECK(s.areas[0].radius_m == 1500);
  CHECK(s.areas[1].polygon.size() == 3);
  CHECK(s.sectors == std::vector<std::string>{"drugstore"});
  CHECK(s.group_by == std::vector<std::string>{"rule", "region"});
  CHECK(s.group_wait == std::chrono::minutes(1));
}

TEST_CASE("a bad area is refused naming the field and its line", "[notifier]") {
  ConfigFile file;
  config::Config config;
  CHECK_FALSE(file.Load(R"(notify:
  subscribers:
    - id: shop
      channel: log
      areas:
        - {lat: 52.09, lon: 5.11}
        - {lat: 95, lon: 5.11, radius_m: 10}
        - polygon: [[52.08, 5.10], [52.08, 5.13]]
      group_by: [plate]
)",
                        &config));
  std::string errors = file.Errors();
  CHECK_THAT(errors, Catch::Contains(":6: notify.subscribers[0].areas[0]: "
                                     "a circle needs lat, lon and radius_m"));
  CHECK_THAT(errors, Catch::Contains(":7: notify.subscribers[0].areas[1].lat: "
                                     "expected degrees between -90 and 90"));
  CHECK_THAT(errors, Catch::Contains(":8: notify.subscribers[0].areas[2]"
                                     ".polygon: expected a list of at least "
                                     "3"));
  CHECK_THAT(errors, Catch::Contains(":9: notify.subscribers[0].group_by[0]: "
                                     "cannot group by 'plate'"));
}

}  // namespace
}  // namespace slagboom::notifier
