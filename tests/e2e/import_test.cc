// Imports a slice of the bundled Chicago records with `slagboom import`
// and checks the alerts against a count this test works out on its own.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/time_util.h"
#include "tests/support/child_process.h"
#include "tests/support/csv_line.h"

namespace slagboom::testing {
namespace {

using core::Instant;

const std::string kData = std::string(SLAGBOOM_SOURCE_DIR) +
                          "/data/chicago/chicago_crimes_2025-02-01_to_14.csv";

struct Theft {
  Instant at;
  std::string block;
  std::string district;
};

// The retail thefts of the slice, in the order of their time (ties in file
// order), as the import feeds them to the rules.
std::vector<Theft> ReadThefts(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<Theft> out;
  while (std::getline(in, line)) {
    auto f = SplitCsvLine(line);
    if (f[6] != "RETAIL THEFT") continue;
    auto t = core::ParseLocalTime(f[2], "%m/%d/%Y %I:%M:%S %p",
                                  "America/Chicago", nullptr);
    REQUIRE(t);
    out.push_back({t->instant, f[3], f[11]});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Theft& a, const Theft& b) { return a.at < b.at; });
  return out;
}

// How many alerts "at least n thefts sharing a key within w, in at least r
// districts" fires: an alert opens when a theft completes the threshold
// over the thefts of the last w, stays open while later ones keep meeting
// it, and closes once w has passed since its last theft.
int CountAlerts(const std::vector<Theft>& thefts,
                std::string (*key)(const Theft&), std::chrono::hours w,
                size_t n, size_t r) {
  std::map<std::string, std::vector<Theft>> seen;
  std::map<std::string, Instant> open_until;
  int alerts = 0;
  for (const Theft& t : thefts) {
    const std::string k = key(t);
    auto open = open_until.find(k);
    if (open != open_until.end() && t.at > open->second) open_until.erase(open);
    seen[k].push_back(t);
    size_t count = 0;
    std::set<std::string> districts;
    for (const Theft& s : seen[k]) {
      if (s.at < t.at - w) continue;
      ++count;
      districts.insert(s.district);
    }
    if (count < n || districts.size() < r) continue;
    if (!open_until.count(k)) ++alerts;
    open_until[k] = t.at + w;
  }
  return alerts;
}

std::string ByBlock(const Theft& t) {
  std::string block = t.block;
  for (char& c : block) c = static_cast<char>(std::toupper(c));
  return block;
}
std::string Everyone(const Theft&) { return "*"; }

TEST_CASE("importing real chicago records fires the alerts the rules imply",
          "[e2e]") {
  TempDir dir;
  const std::string slice = dir.path + "/slice.csv";
  {
    std::ifstream in(kData);
    std::ofstream out(slice);
    std::string line;
    for (int i = 0; i < 4001 && std::getline(in, line); ++i)
      out << line << '\n';
  }
  const std::string config = dir.path + "/slagboom.yaml";
  std::ofstream(config) << "data_dir: " << dir.path << "/data\n"
                        << "profiles_dir: " << SLAGBOOM_SOURCE_DIR
                        << "/config/profiles\n"
                        << R"(
rules:
  rules:
    - id: block-repeat
      offences: [shoplifting]
      key: block
      window: 72h
      min_count: 4
    - id: district-spread
      offences: [shoplifting]
      key: none
      window: 1h
      min_count: 5
      min_regions: 5
notify:
  subscribers:
    - id: ops
      channel: log
)";

  std::vector<Theft> thefts = ReadThefts(slice);
  int expected_block =
      CountAlerts(thefts, ByBlock, std::chrono::hours(72), 4, 1);
  int expected_spread =
      CountAlerts(thefts, Everyone, std::chrono::hours(1), 5, 5);
  REQUIRE(expected_block > 0);
  REQUIRE(expected_spread > 0);

  std::string out;
  int status =
      RunToEnd({SLAGBOOM_BINARY, "import", "--config", config, "--profile",
                "chicago", "--data-dir", dir.path + "/data", slice},
               &out);
  CHECK(status == 0);
  std::string last = out.substr(out.rfind('\n', out.size() - 2) + 1);
  CHECK(last == "imported=" + std::to_string(thefts.size()) +
                    " rejected=0 duplicates=0 skipped=" +
                    std::to_string(4000 - thefts.size()) + "\n");

  std::string listed;
  REQUIRE(RunToEnd({SLAGBOOM_BINARY, "alerts", "--config", config, "--data-dir",
                    dir.path + "/data", "--json"},
                   &listed) == 0);
  std::map<std::string, int> per_rule;
  std::istringstream lines(listed);
  for (std::string line; std::getline(lines, line);)
    ++per_rule[nlohmann::json::parse(line)["rule"].get<std::string>()];
  CHECK(per_rule["block-repeat"] == expected_block);
  CHECK(per_rule["district-spread"] == expected_spread);
}

}  // namespace
}  // namespace slagboom::testing
