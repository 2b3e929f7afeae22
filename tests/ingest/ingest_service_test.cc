#include "ingest/ingest_service.h"

#include <catch2/catch.hpp>

#include "core/plate.h"
#include "core/time_util.h"
#include "tests/support/child_process.h"

namespace slagboom::ingest {
namespace {

using nlohmann::json;

struct Fixture {
  testing::TempDir dir;
  IncidentStore store{dir.path + "/ingest.db"};
  core::ManualClock clock{
      core::ParseTimestamp("2025-06-12T12:00:00Z", "UTC", nullptr)->instant};
  IngestService service{config::IngestConfig{}, store, nullptr, clock,
                        "secret-key-of-32-bytes-for-tests"};

  json Report(const std::string& id) const {
    return {{"report_id", id},
            {"occurred_at", "2025-06-12T10:00:00+02:00"},
            {"offence", "shoplifting"},
            {"location", {{"municipality", "Utrecht"}}},
            {"vehicle", {{"plate", "12-zzx-4"}, {"country", "NL"}}}};
  }
};

TEST_CASE_METHOD(Fixture, "a plate is stored with its keyed hash", "[ingest]") {
  Submitted s = service.Submit({Report("a")}, "shop-1", "api");
  REQUIRE(s.status.ok());
  auto inc = store.Get(s.results[0].id);
  CHECK(inc->vehicle->plate == "NL:12ZZX4");
  CHECK(inc->vehicle->plate_key ==
        core::KeyedHash("secret-key-of-32-bytes-for-tests", "NL:12ZZX4"));
  CHECK(inc->reporter == "shop-1");
  CHECK(inc->received_at == clock.Now());
}

TEST_CASE_METHOD(Fixture, "one bad element of an array stores nothing",
                 "[ingest]") {
  json bad = Report("b");
  bad.erase("occurred_at");
  Submitted s = service.Submit({Report("a"), bad}, "shop-1", "api");
  REQUIRE(s.status.code() == core::Status::Code::kInvalid);
  REQUIRE(s.status.details().size() == 1);
  CHECK(s.status.details()[0].field == "[1].occurred_at");
  CHECK(s.status.details()[0].problem == "required");
  CHECK(store.Count() == 0);
}

TEST_CASE_METHOD(Fixture, "a reused report id with another body is a conflict",
                 "[ingest]") {
  REQUIRE(service.Submit({Report("a")}, "shop-1", "api").status.ok());
  json changed = Report("a");
  changed["value_eur"] = 5;
  Submitted s = service.Submit({changed}, "shop-1", "api");
  CHECK(s.status.code() == core::Status::Code::kConflict);
  CHECK(store.Count() == 1);
}

}  // namespace
}  // namespace slagboom::ingest
