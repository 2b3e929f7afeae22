// `slagboom backtest` gives the alerts that `slagboom import` followed by
// `slagboom alerts` gives, over the bundled Chicago records.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/support/child_process.h"

namespace slagboom::testing {
namespace {

using nlohmann::json;

const std::string kConfig =
    std::string(SLAGBOOM_SOURCE_DIR) + "/config/slagboom.yaml";
const std::string kData = std::string(SLAGBOOM_SOURCE_DIR) +
                          "/data/chicago/chicago_crimes_2025-02-01_to_14.csv";
const std::string kProfiles =
    std::string(SLAGBOOM_SOURCE_DIR) + "/config/profiles";

std::set<std::string> IdsOfBacktest(const std::vector<std::string>& argv) {
  std::string out;
  REQUIRE(RunToEnd(argv, &out) == 0);
  json report = json::parse(out);
  std::set<std::string> ids;
  for (const json& a : report["alerts"]) ids.insert(a["id"]);
  CHECK(report["alerts"].size() == ids.size());
  return ids;
}

TEST_CASE("back-test over chicago csv gives the alerts of an import", "[e2e]") {
  TempDir dir;
  // The shipped configuration, with the profiles found from anywhere.
  const std::string config = dir.path + "/slagboom.yaml";
  {
    std::string out;
    REQUIRE(RunToEnd({"/bin/sh", "-c",
                      "sed -e 's|^profiles_dir:.*|profiles_dir: " + kProfiles +
                          "|' -e 's|^data_dir:.*|data_dir: " + dir.path +
                          "/data|' " + kConfig + " > " + config},
                     &out) == 0);
  }
  std::string out;
  REQUIRE(RunToEnd({SLAGBOOM_BINARY, "import", "--config", config, "--profile",
                    "chicago", "--data-dir", dir.path + "/data", kData},
                   &out) == 0);
  std::string listed;
  REQUIRE(RunToEnd({SLAGBOOM_BINARY, "alerts", "--config", config, "--json"},
                   &listed) == 0);
  std::set<std::string> imported;
  std::istringstream lines(listed);
  for (std::string line; std::getline(lines, line);)
    imported.insert(json::parse(line)["id"].get<std::string>());
  REQUIRE(imported.size() > 20);

  CHECK(IdsOfBacktest({SLAGBOOM_BINARY, "backtest", "--config", config,
                       "--profile", "chicago", kData, "--json"}) == imported);
  CHECK(IdsOfBacktest({SLAGBOOM_BINARY, "backtest", "--config", config,
                       "--data-dir", dir.path + "/data", "--json"}) ==
        imported);
}

TEST_CASE("live ingest gives the alerts of a back-test", "[e2e]") {
  TempDir dir;
  const std::string config = dir.path + "/slagboom.yaml";
  std::string out;
  REQUIRE(RunToEnd({"/bin/sh", "-c",
                    "sed -e 's|^profiles_dir:.*|profiles_dir: " + kProfiles +
                        "|' -e 's|^data_dir:.*|data_dir: " + dir.path +
                        "/data|' -e 's|^  listen:.*|  listen: 127.0.0.1:0|' "
                        "-e 's|^ingest:|ingest:\\n  rate_limit_per_minute: "
                        "1000000|' " +
                        kConfig + " > " + config},
                   &out) == 0);
  // Reports posted under the name "import" are the incidents an import
  // into a data folder makes, ids included.
  auto token = [&](const std::string& role, const std::string& name) {
    std::string t;
    REQUIRE(RunToEnd({SLAGBOOM_BINARY, "token", "create", "--config", config,
                      "--role", role, "--name", name},
                     &t) == 0);
    t.pop_back();
    return t;
  };
  const std::string reporter = token("reporter", "import");
  const std::string admin = token("admin", "analyst");
  ChildProcess run({SLAGBOOM_BINARY, "run", "--config", config});
  std::string line = run.ReadLineStartingWith("slagboom listening on ");
  REQUIRE(!line.empty());
  const std::string url =
      line.substr(std::string("slagboom listening on ").size());
  std::string posted;
  REQUIRE(RunToEnd({SLAGBOOM_BINARY, "import", "--config", config, "--profile",
                    "chicago", "--server", url, "--token", reporter, kData},
                   &posted) == 0);
  CHECK(posted.find("imported=541 ") != std::string::npos);

  httplib::Client client(url);
  client.set_bearer_token_auth(admin.c_str());
  auto metric = [&](const std::string& name) {
    auto res = client.Get("/metrics");
    REQUIRE(res);
    auto at = res->body.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stoull(res->body.substr(at + name.size() + 2));
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (metric("slagboom_rules_cursor") < metric("slagboom_ingest_last_seq"))
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  auto res = client.Get("/api/v1/alerts?limit=1000");
  REQUIRE(res);
  std::set<std::string> live;
  const json listed = json::parse(res->body);
  for (const json& a : listed["alerts"]) live.insert(a["id"]);

  CHECK(IdsOfBacktest({SLAGBOOM_BINARY, "backtest", "--config", config,
                       "--profile", "chicago", kData, "--json"}) == live);
}

TEST_CASE("back-test prints a table per rule for people", "[e2e]") {
  TempDir dir;
  std::string out;
  REQUIRE(RunToEnd({"/bin/sh", "-c",
                    "cd " + std::string(SLAGBOOM_SOURCE_DIR) + " && " +
                        SLAGBOOM_BINARY + " backtest --config " + kConfig +
                        " --profile chicago " + kData},
                   &out) == 0);
  CHECK(out.find("block-repeat") != std::string::npos);
  CHECK(out.find("2025-W06") != std::string::npos);
}

TEST_CASE("every kind in docs/rule-kinds.yaml fires as docs/rules.md says",
          "[e2e]") {
  std::string out;
  REQUIRE(RunToEnd({"/bin/sh", "-c",
                    "cd " + std::string(SLAGBOOM_SOURCE_DIR) + " && " +
                        SLAGBOOM_BINARY +
                        " backtest --config docs/rule-kinds.yaml --profile "
                        "chicago --json " +
                        kData},
                   &out) == 0);
  std::map<std::string, int> alerts;
  const json report = json::parse(out);
  for (const json& r : report["rules"]) alerts[r["rule"]] = r["alerts"];
  CHECK(alerts == std::map<std::string, int>{{"block-repeat", 20},
                                             {"block-theft-no-trade", 266},
                                             {"block-watch", 17},
                                             {"district-spike", 4},
                                             {"park-theft-box", 0},
                                             {"theft-wave", 20}});
}

}  // namespace
}  // namespace slagboom::testing
