// The fields of the rule kinds beside `count`, read and checked with
// their lines.
#include <catch2/catch.hpp>
#include <string>

#include "config/config.h"

namespace slagboom::config {
namespace {

struct Loaded {
  bool ok = false;
  Config config;
  std::vector<ConfigError> errors;
};

Loaded Load(std::string yaml) {
  if (!yaml.empty() && yaml.front() == '\n') yaml.erase(0, 1);
  Loaded l;
  l.ok = ParseConfig(yaml, "kinds.yaml", &l.config, &l.errors);
  return l;
}

bool Has(const Loaded& l, int line, std::string_view text) {
  for (const ConfigError& e : l.errors) {
    if (e.line == line && e.message.find(text) != std::string::npos)
      return true;
  }
  return false;
}

TEST_CASE("every rule kind reads its own fields", "[config]") {
  Loaded l = Load(R"(
rules:
  - id: park-theft-box
    kind: sequence
    key: plate
    steps_in_order: [stay, offence, storage]
    within: 7d
  - id: theft-no-trade
    kind: sequence
    key: plate
    steps_in_order: [offence]
    then_not: trade
    within: 3d
  - id: anpr-watch
    kind: watchlist
    key: plate
    steps: [infrastructure]
    tags: [anpr]
    watch_rules: [park-theft-box]
  - id: district-spike
    kind: spike
    window: 1d
    baseline_windows: 14
    factor: 2.5
    min_count: 4
  - id: foil-bag-wave
    kind: wave
    offences: [shoplifting]
    tags: [foil_bag]
    horizon: 90m
)");
  INFO(FormatErrors(l.errors));
  REQUIRE(l.ok);
  const auto& r = l.config.rules.rules;
  REQUIRE(r.size() == 5);
  CHECK(r[0].steps_in_order ==
        std::vector<std::string>{"stay", "offence", "storage"});
  CHECK(r[0].within == std::chrono::hours(24 * 7));
  CHECK(r[1].then_not == "trade");
  CHECK(r[2].watch_rules == std::vector<std::string>{"park-theft-box"});
  CHECK(r[3].baseline_windows == 14);
  CHECK(r[3].factor == 2.5);
  CHECK(r[4].horizon == std::chrono::minutes(90));
}

TEST_CASE("a rule kind's fields are checked with their lines", "[config]") {
  Loaded l = Load(R"(
rules:
  - id: seq
    kind: sequence
    key: none
    steps_in_order: [stay, loitering]
  - id: short
    kind: sequence
    key: plate
    steps_in_order: [offence]
  - id: watch
    kind: watchlist
    key: plate
    watch_rules: [nothing-here]
  - id: spike
    kind: spike
    factor: many
  - id: counting
    then_not: trade
)");
  REQUIRE_FALSE(l.ok);
  INFO(FormatErrors(l.errors));
  CHECK(Has(l, 4, "a sequence needs a key other than none"));
  CHECK(Has(l, 5, "unknown step 'loitering'"));
  CHECK(Has(l, 9, "a sequence needs steps_in_order with at least 2 steps"));
  CHECK(Has(l, 13, "'nothing-here' names no other rule"));
  CHECK(Has(l, 16, "factor: expected a number greater than 0"));
  CHECK(Has(l, 18, "steps_in_order and then_not are for kind sequence"));
  CHECK(l.errors.size() == 6);
}

}  // namespace
}  // namespace slagboom::config
