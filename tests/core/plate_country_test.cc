// Plates per country: each country's shapes, in any separator spelling.
#include <catch2/catch.hpp>

#include "core/plate.h"

namespace slagboom::core {
namespace {

std::string Norm(const std::string& plate, const std::string& country) {
  std::string error;
  auto out = NormalisePlate(plate, country, &error);
  return out ? *out : "error: " + error;
}

bool Refused(const std::string& plate, const std::string& country) {
  return !NormalisePlate(plate, country, nullptr);
}

TEST_CASE("every dutch sidecode is accepted without separators", "[core]") {
  const char* sidecodes[][2] = {
      {"AB-12-34", "AB1234"}, {"12-34-AB", "1234AB"}, {"12-AB-34", "12AB34"},
      {"AB-12-CD", "AB12CD"}, {"AB-CD-12", "ABCD12"}, {"12-AB-CD", "12ABCD"},
      {"12-ABC-3", "12ABC3"}, {"1-ABC-23", "1ABC23"}, {"AB-123-C", "AB123C"},
      {"A-123-BC", "A123BC"}, {"ABC-12-D", "ABC12D"}, {"A-12-BCD", "A12BCD"},
      {"1-AB-234", "1AB234"}, {"123-AB-4", "123AB4"}};
  for (const auto& [written, stored] : sidecodes) {
    CHECK(Norm(written, "NL") == std::string("NL:") + stored);
    CHECK(Norm(stored, "NL") == std::string("NL:") + stored);
  }
  CHECK(Norm("12 zzx.4", "NL") == "NL:12ZZX4");
}

TEST_CASE("a dutch plate that fits no sidecode is refused", "[core]") {
  std::string error;
  CHECK_FALSE(NormalisePlate("1234567", "NL", &error));
  CHECK(error.find("sidecode") != std::string::npos);
  CHECK(Refused("ABCDEF", "NL"));
  CHECK(Refused("12-AB-3", "NL"));
}

TEST_CASE("german plates keep the place of the separator", "[core]") {
  CHECK(Norm("B NO 1234", "DE") == "DE:B-NO-1234");
  CHECK(Norm("B-NO1234", "de") == "DE:B-NO-1234");
  CHECK(Norm("BN-O 1234", "DE") == "DE:BN-O-1234");
  CHECK(Norm("M-AB 123E", "DE") == "DE:M-AB-123E");
  CHECK(Refused("BNO1234", "DE"));     // the district cannot be told
  CHECK(Refused("B-NOP-1234", "DE"));  // three recognition letters
  CHECK(Refused("B-NO-12345", "DE"));
}

TEST_CASE("belgian french and other plates", "[core]") {
  CHECK(Norm("1-ABC-123", "BE") == "BE:1ABC123");
  CHECK(Norm("1 abc 123", "BE") == "BE:1ABC123");
  CHECK(Norm("AB-123-CD", "FR") == "FR:AB123CD");
  CHECK(Norm("123 ABC 75", "FR") == "FR:123ABC75");
  CHECK(Norm("123 AB 2A", "FR") == "FR:123AB2A");
  CHECK(Refused("A-123-BC", "FR"));
  CHECK(Norm("WA 12345", "PL") == "PL:WA12345");
  CHECK(Norm("KRA 1234", "PL") == "PL:KRA1234");
  CHECK(Refused("WAABCDE", "PL"));
  CHECK(Norm("B-123-ABC", "RO") == "RO:B123ABC");
  CHECK(Norm("B 12 ABC", "RO") == "RO:B12ABC");
  CHECK(Norm("CJ-12-ABC", "RO") == "RO:CJ12ABC");
  CHECK(Refused("CJ-123-AB", "RO"));
  CHECK(Norm("CA 1234 AB", "BG") == "BG:CA1234AB");
  CHECK(Norm("\u0421\u0410 1234 \u0410\u0412", "BG") == "BG:CA1234AB");
  CHECK(Refused("CA 123 AB", "BG"));
  CHECK(Norm("ABC 123", "LT") == "LT:ABC123");
  CHECK(Refused("AB 1234", "LT"));
}

TEST_CASE("other countries keep letters and digits, never merging", "[core]") {
  CHECK(Norm("ab-123-cd", "IT") == "IT:AB123CD");
  CHECK(Norm("AB-123-CD", "") == "XX:AB123CD");
  CHECK(Norm("AB-123-CD", "FR") != Norm("AB-123-CD", ""));
  CHECK(Refused("ABCDEFGHIJK", "IT"));
}

}  // namespace
}  // namespace slagboom::core
