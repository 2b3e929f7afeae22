#include "core/incident.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/time_util.h"

namespace slagboom::core {
namespace {

using nlohmann::json;

struct Fixture {
  ValidationContext ctx;
  Fixture() {
    ctx.offences = {"shoplifting", "burglary"};
    ctx.now = ParseTimestamp("2025-06-12T12:00:00Z", "UTC", nullptr)->instant;
  }
  json Valid() const {
    return json{{"occurred_at", "2025-06-12T10:05:00+02:00"},
                {"offence", "shoplifting"},
                {"location", {{"municipality", "GM0344"}}},
                {"vehicle", {{"plate", "12-zzx-4"}, {"country", "nl"}}}};
  }
  std::vector<std::string> Fields(const Status& s) const {
    std::vector<std::string> out;
    for (const FieldError& e : s.details()) out.push_back(e.field);
    return out;
  }
};

TEST_CASE_METHOD(Fixture, "a valid report parses with its defaults", "[core]") {
  Incident inc;
  REQUIRE(ParseIncident(Valid(), ctx, &inc).ok());
  CHECK(FormatInstant(inc.occurred_at) == "2025-06-12T08:05:00Z");
  CHECK(inc.step == Step::kOffence);
  CHECK(inc.tlp == Tlp::kAmber);
  CHECK(inc.vehicle->plate == "NL:12ZZX4");
  CHECK_FALSE(inc.time_assumed);
}

TEST_CASE_METHOD(Fixture, "every bad field is named", "[core]") {
  json body = Valid();
  body["occurred_at"] = "yesterday";
  body["step"] = "shopping";
  body["location"] = {{"lat", 95.0}, {"lon", 5.0}};
  body["value_eur"] = "12";
  body["colour"] = "red";
  Incident inc;
  Status s = ParseIncident(body, ctx, &inc);
  REQUIRE(s.code() == Status::Code::kInvalid);
  CHECK(Fields(s) == std::vector<std::string>{"colour", "occurred_at", "step",
                                              "location.lat", "value_eur"});
}

TEST_CASE_METHOD(Fixture, "the reporter is never taken from the body",
                 "[core]") {
  json body = Valid();
  body["reporter"] = "someone-else";
  Incident inc;
  Status s = ParseIncident(body, ctx, &inc);
  CHECK(Fields(s) == std::vector<std::string>{"reporter"});
}

TEST_CASE_METHOD(Fixture, "an offence outside the taxonomy is refused",
                 "[core]") {
  json body = Valid();
  body["offence"] = "jaywalking";
  Incident inc;
  CHECK(Fields(ParseIncident(body, ctx, &inc)) ==
        std::vector<std::string>{"offence"});
}

TEST_CASE_METHOD(Fixture, "a time far in the future is refused", "[core]") {
  json body = Valid();
  body["occurred_at"] = "2025-06-12T12:06:00Z";
  Incident inc;
  CHECK(Fields(ParseIncident(body, ctx, &inc)) ==
        std::vector<std::string>{"occurred_at"});
  body["occurred_at"] = "2025-06-12T12:04:00Z";
  CHECK(ParseIncident(body, ctx, &inc).ok());
}

TEST_CASE_METHOD(Fixture, "a local time is read in the configured zone",
                 "[core]") {
  json body = Valid();
  body["occurred_at"] = "2025-06-12T10:05:00";
  Incident inc;
  REQUIRE(ParseIncident(body, ctx, &inc).ok());
  CHECK(FormatInstant(inc.occurred_at) == "2025-06-12T08:05:00Z");
  CHECK(inc.time_assumed);
}

TEST_CASE_METHOD(Fixture, "an incident survives the trip through json",
                 "[core]") {
  Incident inc;
  REQUIRE(ParseIncident(Valid(), ctx, &inc).ok());
  inc.id = "inc_1";
  inc.seq = 7;
  Incident back;
  REQUIRE(IncidentFromJson(IncidentToJson(inc), &back).ok());
  CHECK(IncidentToJson(back) == IncidentToJson(inc));
}

}  // namespace
}  // namespace slagboom::core
