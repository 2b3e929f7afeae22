#include "core/plate.h"

#include <catch2/catch.hpp>

namespace slagboom::core {
namespace {

std::string Norm(const std::string& plate, const std::string& country) {
  std::string error;
  auto out = NormalisePlate(plate, country, &error);
  return out ? *out : "error: " + error;
}

TEST_CASE("C8 plates that look alike", "[core]") {
  SECTION("four Dutch spellings are one vehicle") {
    CHECK(Norm("12-zzx-4", "NL") == "NL:12ZZX4");
    CHECK(Norm("12 ZZX 4", "NL") == "NL:12ZZX4");
    CHECK(Norm("12ZZX4", "nl") == "NL:12ZZX4");
    CHECK(Norm(" 12\u2013ZZX\u20134 ", "NL") == "NL:12ZZX4");
  }
  SECTION("the Belgian plate is another vehicle") {
    CHECK(Norm("12-ZZX-4", "BE") == "BE:12ZZX4");
  }
  SECTION("the place of a German separator tells districts apart") {
    CHECK(Norm("B-NO-1234", "DE") == "DE:B-NO-1234");
    CHECK(Norm("BN-O-1234", "DE") == "DE:BN-O-1234");
  }
  SECTION("a plate without a country never merges with a Dutch one") {
    CHECK(Norm("12-ZZX-4", "") == "XX:12ZZX4");
  }
}

TEST_CASE("a plate with other characters is refused", "[core]") {
  CHECK(Norm("12/ZZX/4", "NL").rfind("error:", 0) == 0);
  CHECK(Norm("", "NL").rfind("error:", 0) == 0);
  CHECK(Norm("12ZZX4", "NLD").rfind("error:", 0) == 0);
}

TEST_CASE("the keyed hash depends on the key", "[core]") {
  CHECK(KeyedHash("k1", "NL:12ZZX4") == KeyedHash("k1", "NL:12ZZX4"));
  CHECK(KeyedHash("k1", "NL:12ZZX4") != KeyedHash("k2", "NL:12ZZX4"));
  CHECK(KeyedHash("k1", "NL:12ZZX4").size() == 32);
}

}  // namespace
}  // namespace slagboom::core
