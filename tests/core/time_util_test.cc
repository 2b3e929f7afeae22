#include "core/time_util.h"

#include <catch2/catch.hpp>

namespace slagboom::core {
namespace {

std::string Utc(const std::string& text, const std::string& zone) {
  std::string error;
  auto t = ParseTimestamp(text, zone, &error);
  return t ? FormatInstant(t->instant) : "error: " + error;
}

TEST_CASE("rfc 3339 with an offset is taken as given", "[core]") {
  CHECK(Utc("2025-02-14T23:51:00+01:00", "America/Chicago") ==
        "2025-02-14T22:51:00Z");
  CHECK(Utc("2025-02-14T23:51:00Z", "Europe/Amsterdam") ==
        "2025-02-14T23:51:00Z");
  CHECK(Utc("2025-02-14T23:51:00.250Z", "UTC") == "2025-02-14T23:51:00.250Z");
}

TEST_CASE("a local time is read in the named zone, not the server's",
          "[core]") {
  CHECK(Utc("2025-02-14T23:51:00", "Europe/Amsterdam") ==
        "2025-02-14T22:51:00Z");
  CHECK(Utc("2025-07-14T23:51:00", "Europe/Amsterdam") ==
        "2025-07-14T21:51:00Z");
}

TEST_CASE("a chicago portal time turns into a utc instant", "[core]") {
  std::string error;
  auto t = ParseLocalTime("02/14/2025 11:51:00 PM", "%m/%d/%Y %I:%M:%S %p",
                          "America/Chicago", &error);
  REQUIRE(t);
  CHECK(FormatInstant(t->instant) == "2025-02-15T05:51:00Z");
}

TEST_CASE("the autumn and spring changes are flagged", "[core]") {
  auto twice =
      ParseTimestamp("2025-10-26T02:30:00", "Europe/Amsterdam", nullptr);
  REQUIRE(twice);
  CHECK(twice->fit == LocalTimeFit::kAmbiguous);
  CHECK(FormatInstant(twice->instant) == "2025-10-26T00:30:00Z");
  auto never =
      ParseTimestamp("2025-03-30T02:30:00", "Europe/Amsterdam", nullptr);
  REQUIRE(never);
  CHECK(never->fit == LocalTimeFit::kNonexistent);
}

TEST_CASE("garbage is not a time", "[core]") {
  CHECK(Utc("14-02-2025", "UTC").rfind("error:", 0) == 0);
  CHECK(Utc("2025-02-14T23:51:00+01:00 extra", "UTC").rfind("error:", 0) == 0);
  CHECK(Utc("2025-02-14T23:51:00", "Mars/Olympus").rfind("error:", 0) == 0);
}

TEST_CASE("durations read as configuration writes them", "[core]") {
  CHECK(ParseDuration("48h") == std::chrono::hours(48));
  CHECK(ParseDuration("1h30m") == std::chrono::minutes(90));
  CHECK(ParseDuration("7d") == std::chrono::hours(168));
  CHECK(ParseDuration("500ms") == Duration(500));
  CHECK_FALSE(ParseDuration("48 hours"));
  CHECK_FALSE(ParseDuration("h"));
  CHECK(FormatDuration(std::chrono::hours(48)) == "2d");
  CHECK(FormatDuration(std::chrono::minutes(90)) == "90m");
}

}  // namespace
}  // namespace slagboom::core
