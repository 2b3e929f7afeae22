// Ingest fills in municipality, safety region and police unit from the
// shipped region data.
#include <catch2/catch.hpp>

#include "core/regions.h"
#include "core/time_util.h"
#include "ingest/ingest_service.h"
#include "tests/support/child_process.h"

namespace slagboom::ingest {
namespace {

using nlohmann::json;

const core::RegionIndex& Regions() {
  static const std::string dir =
      std::string(SLAGBOOM_SOURCE_DIR) + "/data/regions/";
  static const core::RegionIndex index(
      core::RegionFiles{dir + "gemeente_2025.geojson", dir + "nl_hierarchy.csv",
                        dir + "nl_municipality_aliases.csv",
                        dir + "chicago_police_districts_2012.geojson"});
  return index;
}

struct Fixture {
  testing::TempDir dir;
  IncidentStore store{dir.path + "/ingest.db"};
  core::ManualClock clock{
      core::ParseTimestamp("2025-06-12T12:00:00Z", "UTC", nullptr)->instant};
  IngestService service{config::IngestConfig{}, store, nullptr, clock,
                        "secret-key-of-32-bytes-for-tests"};

  Fixture() { service.set_regions(&Regions()); }

  core::Status Check(const json& location, core::Incident* out) const {
    json body = {{"occurred_at", "2025-06-12T10:00:00+02:00"},
                 {"offence", "shoplifting"},
                 {"location", location}};
    return service.Validate(body, "shop-1", "api", "", out);
  }
};

TEST_CASE_METHOD(Fixture, "a point is resolved to municipality and units",
                 "[ingest]") {
  core::Incident inc;
  REQUIRE(Check({{"lat", 52.0907}, {"lon", 5.1214}}, &inc).ok());
  CHECK(inc.location.municipality == "GM0344");
  CHECK(inc.location.safety_region == "VR09");
  CHECK(inc.location.police_unit == "RE03");
  CHECK(inc.location.region_status == "");
}

TEST_CASE_METHOD(Fixture, "a municipality name is resolved to its code",
                 "[ingest]") {
  core::Incident inc;
  REQUIRE(Check({{"municipality", "maastricht"}}, &inc).ok());
  CHECK(inc.location.municipality == "GM0935");
  CHECK(inc.location.safety_region == "VR24");
  CHECK(inc.location.police_unit == "RE10");

  REQUIRE(Check({{"municipality", "Den Haag"}}, &inc).ok());
  CHECK(inc.location.municipality == "GM0518");
  CHECK(inc.location.police_unit == "RE06");
}

TEST_CASE_METHOD(Fixture, "units the report gives are kept", "[ingest]") {
  core::Incident inc;
  REQUIRE(
      Check({{"municipality", "GM0344"}, {"police_unit", "RE01"}}, &inc).ok());
  CHECK(inc.location.police_unit == "RE01");
  CHECK(inc.location.safety_region == "VR09");
}

TEST_CASE_METHOD(Fixture, "an unknown municipality is refused on its field",
                 "[ingest]") {
  core::Incident inc;
  core::Status s = Check({{"municipality", "Atlantis"}}, &inc);
  REQUIRE(s.code() == core::Status::Code::kInvalid);
  REQUIRE(s.details().size() == 1);
  CHECK(s.details()[0].field == "location.municipality");
  CHECK(s.details()[0].problem == "unknown municipality 'Atlantis'");

  json body = {{"occurred_at", "2025-06-12T10:00:00+02:00"},
               {"offence", "shoplifting"},
               {"location", {{"municipality", "Atlantis"}}}};
  Submitted sub = service.Submit({body, body}, "shop-1", "api");
  REQUIRE(sub.status.details().size() == 2);
  CHECK(sub.status.details()[1].field == "[1].location.municipality");
  CHECK(store.Count() == 0);
}

TEST_CASE_METHOD(Fixture, "a point in the north sea is stored as outside",
                 "[ingest]") {
  json body = {{"occurred_at", "2025-06-12T10:00:00+02:00"},
               {"offence", "shoplifting"},
               {"location", {{"lat", 52.6}, {"lon", 3.5}}}};
  Submitted s = service.Submit({body}, "shop-1", "api");
  REQUIRE(s.status.ok());
  auto inc = store.Get(s.results[0].id);
  CHECK(inc->location.region_status == "outside");
  CHECK(inc->location.municipality == "");
  CHECK(core::IncidentToJson(*inc)["location"]["region_status"] == "outside");
}

TEST_CASE_METHOD(Fixture, "a region status in a report is refused",
                 "[ingest]") {
  core::Incident inc;
  core::Status s =
      Check({{"municipality", "GM0344"}, {"region_status", "inside"}}, &inc);
  REQUIRE(s.code() == core::Status::Code::kInvalid);
  CHECK(s.details()[0].field == "location.region_status");
}

TEST_CASE_METHOD(Fixture, "a chicago record keeps the district it names",
                 "[ingest]") {
  core::Incident inc;
  REQUIRE(
      Check({{"lat", 41.974472035}, {"lon", -87.717196908}, {"region", "016"}},
            &inc)
          .ok());
  CHECK(inc.location.region == "016");
  CHECK(inc.location.municipality == "");

  REQUIRE(Check({{"lat", 41.974472035}, {"lon", -87.717196908}}, &inc).ok());
  CHECK(inc.location.region == "017");
  CHECK(inc.location.region_status == "");
}

}  // namespace
}  // namespace slagboom::ingest
