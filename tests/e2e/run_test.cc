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

  std::string config = dir.path + "/slagboom.yaml";

  // Starts `slagboom run` with an admin token made by `slagboom token
  // create` beforehand; `client` sends it.
  Service() {
    std::ofstream(config) << Config(dir.path + "/data", hook.Url());
    const std::string admin = Token("admin", "e2e-admin");
    process = std::make_unique<ChildProcess>(
        std::vector<std::string>{SLAGBOOM_BINARY, "run", "--config", config});
    std::string line = process->ReadLineStartingWith("slagboom listening on ");
    REQUIRE(!line.empty());
    url = line.substr(std::string("slagboom listening on ").size());
    client = Client(admin);
  }

  // A new token from the command line, which prints only the token.
  std::string Token(const std::string& role, const std::string& name,
                    const std::string& steps = "") {
    std::vector<std::string> argv = {
        SLAGBOOM_BINARY, "token", "create", "--config", config,
        "--role",        role,    "--name", name};
    if (!steps.empty()) argv.insert(argv.end(), {"--steps", steps});
    std::string out;
    REQUIRE(RunToEnd(argv, &out) == 0);
    REQUIRE(out.size() > 1);
    REQUIRE(out.find('\n') == out.size() - 1);
    return out.substr(0, out.size() - 1);
  }

  std::unique_ptr<httplib::Client> Client(const std::string& token) const {
    auto c = std::make_unique<httplib::Client>(url);
    if (!token.empty()) c->set_bearer_token_auth(token.c_str());
    return c;
  }

  std::string url;

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

TEST_CASE("C9 a retry counts once toward R1 and correlation goes on",
          "[e2e]") {
  Service s;
  auto post = [&](const json& body, const std::string& key) {
    httplib::Headers headers = {{"Idempotency-Key", key}};
    auto res = s.client->Post("/api/v1/incidents", headers, body.dump(),
                              "application/json");
    REQUIRE(res);
    return res;
  };
  json first = Report("", "2025-06-10T10:00:00+02:00", "12-ZZX-4", "RE01");
  first.erase("report_id");
  auto a = post(first, "k-1");
  REQUIRE(a->status == 201);
  auto again = post(first, "k-1");
  REQUIRE(again->status == 201);
  CHECK(json::parse(again->body)["incidents"][0]["duplicate"] == true);
  json changed = first;
  changed["value_eur"] = 99;
  CHECK(post(changed, "k-1")->status == 409);
  // Neither the retry nor the refused report may hold up what follows.
  std::vector<std::string> ids = {
      json::parse(a->body)["incidents"][0]["id"].get<std::string>()};
  for (const auto& [key, unit] : {std::pair{"k-2", "RE03"}, {"k-3", "RE05"}}) {
    json next = Report("", "2025-06-11T10:00:00+02:00", "12-ZZX-4", unit);
    next.erase("report_id");
    auto res = post(next, key);
    REQUIRE(res->status == 201);
    ids.push_back(json::parse(res->body)["incidents"][0]["id"]);
  }
  auto calls = s.hook.WaitFor(1);
  REQUIRE(calls.size() == 1);
  CHECK(Ids(calls[0]["alert"]) == ids);
  CHECK(s.process->Terminate() == 0);
}

TEST_CASE("roles without personal data read alerts through their profile",
          "[e2e]") {
  Service s;
  for (const auto& [id, unit] : {std::pair{"k1", "RE01"}, {"k2", "RE03"},
                                  {"k3", "RE05"}}) {
    auto res =
        s.Post(Report(id, "2025-06-10T10:00:00+02:00", "12-ZZX-4", unit));
    REQUIRE(res);
    REQUIRE(res->status == 201);
  }
  auto calls = s.hook.WaitFor(1);
  REQUIRE(calls.size() == 1);
  const std::string path =
      "/api/v1/alerts/" + calls[0]["alert"]["id"].get<std::string>();

  // A shopkeeper (and a reporter, a shop) gets the shopkeeper profile:
  // the rule, times, regions and counts; no key, no description, no
  // incidents.
  auto get = [](httplib::Client& c, const std::string& at) {
    auto res = c.Get(at.c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return json::parse(res->body);
  };
  for (const char* role : {"shopkeeper", "reporter"}) {
    INFO(role);
    auto reader = s.Client(s.Token(role, std::string("r-") + role));
    json one = get(*reader, path);
    CHECK(one["rule"] == "plate-multi-unit");
    CHECK(one["regions"] == json::array({"RE01", "RE03", "RE05"}));
    CHECK_FALSE(one.contains("key"));
    CHECK_FALSE(one.contains("description"));
    CHECK_FALSE(one.contains("incidents"));
    json list = get(*reader, "/api/v1/alerts");
    REQUIRE(list["alerts"].size() == 1);
    CHECK_FALSE(list["alerts"][0].contains("key"));
    CHECK_FALSE(list["alerts"][0].contains("incidents"));
  }
  auto police = s.Client(s.Token("police", "desk"));
  json full = get(*police, path);
  CHECK(full["key"].get<std::string>().size() == 32);
  CHECK(full["incidents"].size() == 3);
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
  CHECK(json::parse(changed->body)["details"][0]["field"] == "report_id");
  auto list = s.client->Get("/api/v1/incidents");
  CHECK(json::parse(list->body)["incidents"].size() == 1);
}

TEST_CASE("every api route needs a live bearer token", "[e2e]") {
  Service s;
  auto anonymous = s.Client("");
  for (const char* path : {"/api/v1/incidents", "/api/v1/alerts",
                           "/api/v1/incidents/inc_x", "/api/v1/alerts/a_x"}) {
    auto res = anonymous->Get(path);
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(json::parse(res->body)["details"][0]["field"] == "Authorization");
  }
  auto post = anonymous->Post(
      "/api/v1/incidents",
      Report("a", "2025-06-10T10:00:00Z", "12-ZZX-4", "RE01").dump(),
      "application/json");
  REQUIRE(post);
  CHECK(post->status == 401);
  CHECK(anonymous->Get("/healthz")->status == 200);
  CHECK(anonymous->Get("/metrics")->status == 200);
  CHECK(s.Client("sbt_0000")->Get("/api/v1/alerts")->status == 401);

  const std::string shop = s.Token("reporter", "shop-7");
  CHECK(s.Client(shop)->Get("/api/v1/alerts")->status == 200);
  std::string out;
  REQUIRE(RunToEnd({SLAGBOOM_BINARY, "token", "revoke", "--config", s.config,
                    "--name", "shop-7"},
                   &out) == 0);
  CHECK(s.Client(shop)->Get("/api/v1/alerts")->status == 401);
}

TEST_CASE("the reporter is the token's name and only police see plates",
          "[e2e]") {
  Service s;
  auto shop = s.Client(s.Token("reporter", "shop-12"));
  json report = Report("p1", "2025-06-10T10:00:00Z", "12-ZZX-4", "RE01");
  report["suspects"] = {{"count", 1}, {"descriptions", {"red jacket"}}};
  auto res = shop->Post("/api/v1/incidents", report.dump(), "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 201);
  const std::string path =
      "/api/v1/incidents/" +
      json::parse(res->body)["incidents"][0]["id"].get<std::string>();

  json seen = json::parse(shop->Get(path.c_str())->body);
  CHECK(seen["reporter"] == "shop-12");
  CHECK_FALSE(seen["vehicle"].contains("plate"));
  CHECK(seen["vehicle"]["plate_key"].get<std::string>().size() == 32);
  CHECK_FALSE(seen["suspects"].contains("descriptions"));
  json listed = json::parse(shop->Get("/api/v1/incidents")->body);
  CHECK_FALSE(listed["incidents"][0]["vehicle"].contains("plate"));

  auto police = s.Client(s.Token("police", "dispatch"));
  json full = json::parse(police->Get(path.c_str())->body);
  CHECK(full["vehicle"]["plate"] == "NL:12ZZX4");
  CHECK(full["suspects"]["descriptions"][0] == "red jacket");
}

TEST_CASE("a partner reports only its steps and a shopkeeper nothing",
          "[e2e]") {
  Service s;
  auto partner = s.Client(s.Token("partner", "rental-co", "stay,storage"));
  json stay = Report("s1", "2025-06-10T10:00:00Z", "12-ZZX-4", "RE01");
  stay["step"] = "stay";
  auto ok = partner->Post("/api/v1/incidents", stay.dump(), "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 201);
  json offence = Report("s2", "2025-06-10T10:00:00Z", "12-ZZX-4", "RE01");
  auto denied =
      partner->Post("/api/v1/incidents", offence.dump(), "application/json");
  REQUIRE(denied);
  CHECK(denied->status == 403);
  CHECK(json::parse(denied->body)["details"][0]["field"] == "step");

  auto shopkeeper = s.Client(s.Token("shopkeeper", "bakery"));
  auto refused =
      shopkeeper->Post("/api/v1/incidents", stay.dump(), "application/json");
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(shopkeeper->Get("/api/v1/alerts")->status == 200);
}

TEST_CASE("a body over the size limit gets 413 naming the body", "[e2e]") {
  Service s;
  json report = Report("big", "2025-06-10T10:00:00Z", "12-ZZX-4", "RE01");
  report["description"] = std::string(2 << 20, 'x');
  auto res = s.Post(report);
  REQUIRE(res);
  CHECK(res->status == 413);
  json body = json::parse(res->body);
  CHECK(body["details"][0]["field"] == "body");
}

TEST_CASE("more reports than a token may post per minute get 429", "[e2e]") {
  Service s;
  json batch = json::array();
  for (int i = 0; i < 601; ++i) {
    batch.push_back(Report("b" + std::to_string(i), "2025-06-10T10:00:00Z",
                           "12-ZZX-4", "RE01"));
  }
  auto res = s.Post(batch);
  REQUIRE(res);
  CHECK(res->status == 429);
  CHECK(res->get_header_value("Retry-After") == "60");
  CHECK(json::parse(res->body)["details"][0]["field"] == "body");
}

}  // namespace
}  // namespace slagboom::testing
