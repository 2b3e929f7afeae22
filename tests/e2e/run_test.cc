// Starts `slagboom run` as a user would and follows reports through to a
// webhook receiver.
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/child_process.h"
#include "tests/support/webhook_receiver.h"

namespace slagboom::testing {
namespace {

using nlohmann::json;

std::string Config(const std::string& data_dir, const std::string& hook) {
  return R"(data_dir: )" + data_dir + R"(
http:
  listen: 127.0.0.1:0
ingest:
  offences: [shoplifting, burglary]
rules:
  lateness: 24h
  rules:
    - id: plate-multi-unit
      steps: [offence]
      key: plate
      window: 48h
      min_count: 3
      min_regions: 3
      region_level: police_unit
notify:
  subscribers:
    - id: police
      channel: webhook
      url: )" +
         hook + R"(
    - id: ops
      channel: log
)";
}

json Report(const std::string& id, const std::string& at,
            const std::string& plate, const std::string& unit) {
  return {{"report_id", id},
          {"occurred_at", at},
          {"offence", "shoplifting"},
          {"location", {{"police_unit", unit}, {"municipality", "GM0344"}}},
          {"vehicle", {{"plate", plate}, {"country", "NL"}}}};
}

struct Service {
  TempDir dir;
  WebhookReceiver hook;
  std::unique_ptr<ChildProcess> process;
  std::unique_ptr<httplib::Client> client;

  Service() {
    const std::string config = dir.path + "/slagboom.yaml";
    std::ofstream(config) << Config(dir.path + "/data", hook.Url());
    process = std::make_unique<ChildProcess>(
        std::vector<std::string>{SLAGBOOM_BINARY, "run", "--config", config});
    std::string line = process->ReadLineStartingWith("slagboom listening on ");
    REQUIRE(!line.empty());
    client = std::make_unique<httplib::Client>(
        line.substr(std::string("slagboom listening on ").size()));
  }

  httplib::Result Post(const json& body) {
    return client->Post("/api/v1/incidents", body.dump(), "application/json");
  }
};

std::vector<std::string> Ids(const json& alert) {
  std::vector<std::string> ids;
  for (const json& i : alert["incidents"]) ids.push_back(i["id"]);
  return ids;
}

TEST_CASE("reports that must fire reach the police webhook, others do not",
          "[e2e]") {
  Service s;
  std::vector<std::string> fired;
  auto post = [&](const json& body) {
    auto res = s.Post(body);
    REQUIRE(res);
    REQUIRE(res->status == 201);
    return json::parse(res->body)["incidents"][0]["id"].get<std::string>();
  };
  // Two units only, and three units spread over more than 48 h: no alert.
  post(Report("b1", "2025-06-10T09:00:00+02:00", "99-XX-11", "RE01"));
  post(Report("b2", "2025-06-10T10:00:00+02:00", "99-XX-11", "RE02"));
  post(Report("c1", "2025-06-10T08:00:00+02:00", "88-YY-22", "RE01"));
  post(Report("c2", "2025-06-11T08:00:00+02:00", "88-YY-22", "RE02"));
  // Three units within 48 h, the plate written three ways: one alert.
  fired.push_back(
      post(Report("a1", "2025-06-10T10:00:00+02:00", "12-zzx-4", "RE01")));
  fired.push_back(
      post(Report("a2", "2025-06-11T10:00:00+02:00", "12 ZZX 4", "RE03")));
  post(Report("c3", "2025-06-12T08:00:01+02:00", "88-YY-22", "RE03"));
  fired.push_back(
      post(Report("a3", "2025-06-12T09:00:00+02:00", "12ZZX4", "RE05")));

  // A last alert that must arrive after the first: deliveries to one
  // subscriber keep event order, so nothing else can still be on its way.
  post(Report("z1", "2025-06-12T09:10:00+02:00", "77-ZZ-77", "RE06"));
  post(Report("z2", "2025-06-12T09:20:00+02:00", "77-ZZ-77", "RE07"));
  std::string sentinel =
      post(Report("z3", "2025-06-12T09:30:00+02:00", "77-ZZ-77", "RE08"));

  auto calls = s.hook.WaitFor(2);
  REQUIRE(calls.size() == 2);
  const json& alert = calls[0]["alert"];
  CHECK(alert["rule"] == "plate-multi-unit");
  CHECK(alert["state"] == "firing");
  CHECK(Ids(alert) == fired);
  CHECK(alert["regions"] == json::array({"RE01", "RE03", "RE05"}));
  CHECK(Ids(calls[1]["alert"]).back() == sentinel);

  // The API shows the same alert with its incidents in full.
  auto one = s.client->Get(
      ("/api/v1/alerts/" + alert["id"].get<std::string>()).c_str());
  REQUIRE(one);
  REQUIRE(one->status == 200);
  json shown = json::parse(one->body);
  CHECK(Ids(shown) == fired);
  CHECK(shown["incidents"][0]["vehicle"]["plate"] == "NL:12ZZX4");
  auto list = s.client->Get("/api/v1/alerts");
  REQUIRE(list);
  CHECK(json::parse(list->body)["alerts"].size() == 2);
  CHECK(s.process->Terminate() == 0);
}

TEST_CASE("an invalid report gets 422 naming each bad field", "[e2e]") {
  Service s;
  json bad = Report("x1", "not a time", "12-ZZX-4", "RE01");
  bad["step"] = "shopping";
  auto res = s.Post(json::array(
      {Report("ok", "2025-06-10T10:00:00Z", "12-ZZX-4", "RE01"), bad}));
  REQUIRE(res);
  CHECK(res->status == 422);
  json body = json::parse(res->body);
  CHECK(body["details"][0]["field"] == "[1].occurred_at");
  CHECK(body["details"][1]["field"] == "[1].step");
  auto list = s.client->Get("/api/v1/incidents");
  REQUIRE(list);
  CHECK(json::parse(list->body)["incidents"].empty());

  auto broken = s.client->Post("/api/v1/incidents", "{", "application/json");
  REQUIRE(broken);
  CHECK(broken->status == 400);
}

TEST_CASE("a retry with the same report id is not a second incident", "[e2e]") {
  Service s;
  json report = Report("r-1", "2025-06-10T10:00:00Z", "12-ZZX-4", "RE01");
  auto first = s.Post(report);
  auto again = s.Post(report);
  REQUIRE(first);
  REQUIRE(again);
  CHECK(again->status == 201);
  CHECK(json::parse(first->body)["incidents"][0]["id"] ==
        json::parse(again->body)["incidents"][0]["id"]);
  CHECK(json::parse(again->body)["incidents"][0]["duplicate"] == true);
  report["value_eur"] = 12.5;
  auto changed = s.Post(report);
  REQUIRE(changed);
  CHECK(changed->status == 409);
  auto list = s.client->Get("/api/v1/incidents");
  CHECK(json::parse(list->body)["incidents"].size() == 1);
}

}  // namespace
}  // namespace slagboom::testing
