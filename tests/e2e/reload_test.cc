// SIGHUP makes `slagboom run` read its configuration again: a valid file
// replaces the rules, keeping the state of unchanged ones; an invalid one
// (case C5) leaves the running rules in force.
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"

namespace slagboom::testing {
namespace {

using nlohmann::json;

const char kPlateRule[] = R"(
    - id: plate-multi-unit
      steps: [offence]
      key: plate
      window: 48h
      min_count: 3
      min_regions: 3
      region_level: police_unit
)";

const char kPairRule[] = R"(
    - id: plate-pair
      key: plate
      window: 48h
      min_count: 2
)";

// Case C5: a repeated key and a repeated rule id.
const char kBrokenRules[] = R"(
    - id: plate-multi-region
      key: plate
      min_regions: 3
      window: 48h
      window: 4h
    - id: plate-multi-region
      key: plate
      min_regions: 2
      window: 24h
)";

std::string Config(const std::string& data_dir, const std::string& rules) {
  return "data_dir: " + data_dir +
         "\nhttp:\n  listen: 127.0.0.1:0\nrules:\n  lateness: 24h\n"
         "  rules:" +
         rules + "notify:\n  subscribers:\n    - id: ops\n      channel: log\n";
}

json Report(const std::string& id, const std::string& at,
            const std::string& plate, const std::string& unit) {
  return {{"report_id", id},
          {"occurred_at", at},
          {"offence", "shoplifting"},
          {"location", {{"police_unit", unit}}},
          {"vehicle", {{"plate", plate}, {"country", "NL"}}}};
}

struct Running {
  TempDir dir;
  std::string config = dir.path + "/slagboom.yaml";
  std::unique_ptr<ChildProcess> process;
  std::unique_ptr<httplib::Client> client;

  explicit Running(const std::string& rules) {
    Write(rules);
    std::string token;
    REQUIRE(RunToEnd({SLAGBOOM_BINARY, "token", "create", "--config", config,
                      "--role", "admin", "--name", "reload-test"},
                     &token) == 0);
    token.pop_back();
    process = std::make_unique<ChildProcess>(
        std::vector<std::string>{SLAGBOOM_BINARY, "run", "--config", config});
    std::string line = process->ReadLineStartingWith("slagboom listening on ");
    REQUIRE(!line.empty());
    client = std::make_unique<httplib::Client>(
        line.substr(std::string("slagboom listening on ").size()));
    client->set_bearer_token_auth(token.c_str());
  }

  void Write(const std::string& rules) {
    std::ofstream(config) << Config(dir.path + "/data", rules);
  }

  void Post(const json& body) {
    auto res =
        client->Post("/api/v1/incidents", body.dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 201);
  }

  uint64_t Metric(const std::string& name) {
    auto res = client->Get("/metrics");
    REQUIRE(res);
    auto at = res->body.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stoull(res->body.substr(at + name.size() + 2));
  }

  // Sends SIGHUP and waits until `counter` has moved.
  void Hangup(const std::string& counter) {
    const uint64_t before = Metric(counter);
    REQUIRE(::kill(process->pid(), SIGHUP) == 0);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (Metric(counter) == before)
      REQUIRE(std::chrono::steady_clock::now() < deadline);
  }

  // The alerts of `rule` once there are `n` with `incidents` in the last.
  json AlertsOf(const std::string& rule, size_t n, size_t incidents) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (true) {
      auto res = client->Get(("/api/v1/alerts?rule=" + rule).c_str());
      REQUIRE(res);
      json alerts = json::parse(res->body)["alerts"];
      if (alerts.size() == n &&
          (n == 0 || alerts.back()["incidents"].size() == incidents))
        return alerts;
      REQUIRE(std::chrono::steady_clock::now() < deadline);
    }
  }
};

TEST_CASE("sighup replaces the rules and keeps the state of unchanged ones",
          "[e2e]") {
  Running s(kPlateRule);
  s.Post(Report("a1", "2025-06-10T10:00:00Z", "12-ZZX-4", "RE01"));
  s.Post(Report("a2", "2025-06-10T11:00:00Z", "12-ZZX-4", "RE03"));

  s.Write(std::string(kPlateRule) + kPairRule);
  s.Hangup("slagboom_config_reloads_total");
  s.Post(Report("a3", "2025-06-10T12:00:00Z", "12-ZZX-4", "RE05"));
  // The kept rule remembers a1 and a2; the new one starts empty.
  json fired = s.AlertsOf("plate-multi-unit", 1, 3);
  CHECK(fired[0]["state"] == "firing");
  s.Post(Report("a4", "2025-06-10T13:00:00Z", "12-ZZX-4", "RE07"));
  json pair = s.AlertsOf("plate-pair", 1, 2);
  CHECK(pair[0]["incidents"][0]["occurred_at"] == "2025-06-10T12:00:00Z");
  CHECK(pair[0]["incidents"][1]["occurred_at"] == "2025-06-10T13:00:00Z");
}

TEST_CASE("C5 duplicate keys in yaml are an error on a live reload", "[e2e]") {
  Running s(kPlateRule);
  s.Write(kBrokenRules);
  s.Hangup("slagboom_config_reload_failures_total");
  CHECK(s.Metric("slagboom_config_reloads_total") == 0);
  // The running rule is still in force.
  s.Post(Report("b1", "2025-06-10T10:00:00Z", "34-XY-56", "RE01"));
  s.Post(Report("b2", "2025-06-10T11:00:00Z", "34-XY-56", "RE03"));
  s.Post(Report("b3", "2025-06-10T12:00:00Z", "34-XY-56", "RE05"));
  CHECK(s.AlertsOf("plate-multi-unit", 1, 3).size() == 1);
}

}  // namespace
}  // namespace slagboom::testing
