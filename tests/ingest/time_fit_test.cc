// Local times on the 2025 changes of Europe/Amsterdam: the rule of
// core/time_util.h, flagged on the incident, whatever the process's TZ.
#include <stdlib.h>
#include <time.h>

#include <catch2/catch.hpp>

#include "core/time_util.h"
#include "ingest/ingest_service.h"
#include "tests/support/child_process.h"

namespace slagboom::ingest {
namespace {

using nlohmann::json;

struct Fixture {
  testing::TempDir dir;
  IncidentStore store{dir.path + "/ingest.db"};
  core::ManualClock clock{
      core::ParseTimestamp("2025-12-01T12:00:00Z", "UTC", nullptr)->instant};
  IngestService service{config::IngestConfig{}, store, nullptr, clock,
                        "secret-key-of-32-bytes-for-tests"};

  json Stored(const std::string& local) {
    json body = {{"occurred_at", local},
                 {"offence", "shoplifting"},
                 {"location", {{"municipality", "Utrecht"}}}};
    Submitted s = service.Submit({body}, "shop-1", "api");
    REQUIRE(s.status.ok());
    return core::IncidentToJson(*store.Get(s.results[0].id));
  }
};

TEST_CASE_METHOD(Fixture, "a local time on the autumn change is flagged",
                 "[ingest]") {
  json inc = Stored("2025-10-26T02:30:00");
  CHECK(inc["occurred_at"] == "2025-10-26T00:30:00Z");  // the earlier one
  CHECK(inc["time_assumed"] == true);
  CHECK(inc["time_fit"] == "ambiguous");
}

TEST_CASE_METHOD(Fixture, "a local time skipped in spring is flagged",
                 "[ingest]") {
  json inc = Stored("2025-03-30T02:30:00");
  CHECK(inc["occurred_at"] == "2025-03-30T01:30:00Z");  // 03:30 CEST
  CHECK(inc["time_fit"] == "nonexistent");
}

TEST_CASE_METHOD(Fixture, "an ordinary local time carries no fit flag",
                 "[ingest]") {
  json inc = Stored("2025-10-26T03:30:00");
  CHECK(inc["occurred_at"] == "2025-10-26T02:30:00Z");
  CHECK(inc["time_assumed"] == true);
  CHECK_FALSE(inc.contains("time_fit"));
  json exact = Stored("2025-10-26T02:30:00+01:00");
  CHECK(exact["occurred_at"] == "2025-10-26T01:30:00Z");
  CHECK_FALSE(exact.contains("time_assumed"));
  CHECK_FALSE(exact.contains("time_fit"));
}

TEST_CASE_METHOD(Fixture, "a body names the zone of its local time",
                 "[ingest]") {
  json body = {{"occurred_at", "2025-06-12T09:00:00"},
               {"time_zone", "Europe/London"},
               {"offence", "shoplifting"},
               {"location", {{"region", "E01014399"}}}};
  core::Incident inc;
  REQUIRE(service.Validate(body, "shop-1", "api", "", &inc).ok());
  CHECK(core::FormatInstant(inc.occurred_at) == "2025-06-12T08:00:00Z");
  body["time_zone"] = "Mars/Olympus";
  core::Status bad = service.Validate(body, "shop-1", "api", "", &inc);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.details()[0].field == "time_zone");
}

TEST_CASE_METHOD(Fixture, "the stored instant does not depend on the tz",
                 "[ingest]") {
  const char* before = getenv("TZ");
  const std::string saved = before ? before : "";
  std::vector<std::string> seen;
  for (const char* tz : {"UTC", "Asia/Tokyo", "America/Los_Angeles"}) {
    setenv("TZ", tz, 1);
    tzset();
    seen.push_back(Stored("2025-03-30T02:30:00")["occurred_at"]);
  }
  if (before) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  CHECK(seen == std::vector<std::string>(3, "2025-03-30T01:30:00Z"));
}

}  // namespace
}  // namespace slagboom::ingest
