#include "rules/packed_string.h"

#include <absl/hash/hash.h>

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "rules/packed_key.h"

namespace slagboom::rules {
namespace {

// `n` random lowercase hex digits.
std::string RandomHex(std::mt19937& rng, int n) {
  const char kHex[] = "0123456789abcdef";
  std::string digits;
  for (int d = 0; d < n; ++d) digits += kHex[rng() % 16];
  return digits;
}

// Texts of every form: short, ingest ids, and long ones that are not ids
// (wrong prefix, upper-case digit, one digit too many or too few).
std::vector<std::string> Texts() {
  std::vector<std::string> texts = {
      "",
      "a",
      "Amsterdam",
      "exactly15chars!",
      "sixteen chars!!!",
      "inc_0000000000000000000a",
      "inc_000000000000000000a0",
      "inc_ffffffffffffffffffff",
      "inc_0123456789abcdef0123",
      "inc_0123456789ABCDEF0123",
      "inc_0123456789abcdef012",
      "inc_0123456789abcdef01234",
      "idx_0123456789abcdef0123",
      "Súdwest-Fryslân municipality",
  };
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    const std::string id = "inc_" + RandomHex(rng, 20);
    texts.push_back(id);
    texts.push_back(id.substr(0, 4 + rng() % 12));
  }
  return texts;
}

TEST_CASE("packed strings read back as the text they were made from",
          "[rules][packed]") {
  for (const std::string& text : Texts()) {
    INFO(text);
    CHECK(PackedString(text).str() == text);
    CHECK(PackedString(text).empty() == text.empty());
  }
  CHECK(PackedString().str().empty());
}

TEST_CASE("packed strings compare and order exactly as their texts",
          "[rules][packed]") {
  const std::vector<std::string> texts = Texts();
  for (const std::string& a : texts) {
    for (const std::string& b : texts) {
      INFO(a << " / " << b);
      CHECK((PackedString(a) == PackedString(b)) == (a == b));
      CHECK((PackedString(a) < PackedString(b)) == (a < b));
    }
  }
}

// Keys of every form: short, exactly 31 and 32 characters, plate keys (32
// hex digits) and near misses (upper case, 31 or 33 digits), long names.
std::vector<std::string> Keys() {
  std::vector<std::string> keys = {
      "",
      "*",
      "051XX S LAKE PARK AVE",
      "thirty-one characters, exactly!",
      "thirty-two characters, exactly!!",
      "0123456789abcdef0123456789abcdef",
      "0123456789ABCDEF0123456789abcdef",
      "0123456789abcdef0123456789abcde",
      "0123456789abcdef0123456789abcdef0",
      "a reporter whose name runs on well beyond the inline bytes",
  };
  std::mt19937 rng(11);
  for (int i = 0; i < 200; ++i) keys.push_back(RandomHex(rng, 32));
  return keys;
}

TEST_CASE("packed keys read back as their text and are equal exactly when "
          "their texts are, hashes alike",
          "[rules][packed]") {
  const std::vector<std::string> keys = Keys();
  for (const std::string& a : keys) {
    INFO(a);
    CHECK(PackedKey(a).str() == a);
    CHECK(absl::Hash<PackedKey>()(PackedKey(a)) ==
          absl::Hash<PackedKey>()(PackedKey(std::string(a))));
    for (const std::string& b : keys) {
      INFO(b);
      CHECK((PackedKey(a) == PackedKey(b)) == (a == b));
    }
  }
}

}  // namespace
}  // namespace slagboom::rules
