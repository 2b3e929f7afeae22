// The Dutch test-data generator's tours are found by the shipped rules:
// scripts/generate_nl.py writes a small data set with a fixed seed, and
// scripts/score_backtest.py scores `slagboom backtest --json` on it against
// the ground truth (docs/generator.md).
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/child_process.h"

namespace slagboom::testing {
namespace {

using nlohmann::json;

const std::string kSource = SLAGBOOM_SOURCE_DIR;

// Six weeks of background and ten tours, seed 11.
void Generate(const std::string& dir, const std::string& name) {
  std::string out;
  REQUIRE(
      RunToEnd(
          {"/usr/bin/env", "python3", kSource + "/scripts/generate_nl.py",
           "--seed", "11", "--days", "42", "--tours", "10", "--out",
           dir + "/" + name + ".csv", "--truth", dir + "/" + name + ".json"},
          &out) == 0);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("the generator writes the same files for the same seed", "[e2e]") {
  TempDir dir;
  Generate(dir.path, "a");
  Generate(dir.path, "b");
  const std::string csv = Slurp(dir.path + "/a.csv");
  CHECK(csv.size() > 100000);
  CHECK(csv == Slurp(dir.path + "/b.csv"));
  CHECK(Slurp(dir.path + "/a.json") == Slurp(dir.path + "/b.json"));
}

TEST_CASE("the shipped rules find the generated tours", "[e2e]") {
  TempDir dir;
  Generate(dir.path, "nl");
  std::string out;
  REQUIRE(
      RunToEnd(
          {"/usr/bin/env", "python3", kSource + "/scripts/score_backtest.py",
           "--slagboom", SLAGBOOM_BINARY, "--config",
           kSource + "/config/slagboom.yaml", "--truth", dir.path + "/nl.json",
           "--csv", dir.path + "/nl.csv", "--json"},
          &out) == 0);
  const json score = json::parse(out);
  const json truth = json::parse(Slurp(dir.path + "/nl.json"));
  std::map<std::string, json> rules;
  for (const json& r : score["rules"]) rules[r["rule"]] = r;

  // Every row imports: the back-test saw every incident of the file.
  CHECK(score["incidents"] == truth["incidents"]);
  CHECK(score["tours"] == 10);
  // The tour rule finds every tour, and little else.
  CHECK(rules["park-theft-box"]["recall"] == 1.0);
  CHECK(rules["park-theft-box"]["precision"].get<double>() >= 0.9);
  // Same van in three police units in 48 h: most tours, and a regional
  // thief now and then (docs/generator.md states the measured values).
  CHECK(rules["plate-multi-unit"]["recall"].get<double>() >= 0.5);
  CHECK(rules["plate-multi-unit"]["precision"].get<double>() >= 0.5);
  CHECK(rules["any"]["recall"] == 1.0);
  // The Chicago rules need blocks and districts, which Dutch reports lack.
  CHECK(rules["block-repeat"]["alerts"] == 0);
  CHECK(rules["district-spread"]["alerts"] == 0);
}

}  // namespace
}  // namespace slagboom::testing
