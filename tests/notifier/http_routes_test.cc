#include "notifier/http_routes.h"

#include <sqlite3.h>

#include "tests/notifier/notifier_test_support.h"

namespace slagboom::notifier {
namespace {

using testing::PlateAlert;

// Tokens "police", "admin" and "shop" stand for principals of those roles.
class FakeAuthenticator : public core::Authenticator {
 public:
  std::optional<core::Principal> Authenticate(
      std::string_view header) override {
    if (header == "Bearer police")
      return core::Principal{"unit-7", core::Role::kPolice, {}};
    if (header == "Bearer admin")
      return core::Principal{"ops", core::Role::kAdmin, {}};
    if (header == "Bearer shop")
      return core::Principal{"shop-3", core::Role::kShopkeeper, {}};
    return std::nullopt;
  }
};

struct RoutesFixture {
  explicit RoutesFixture(bool with_auth = true) {
    RegisterRoutes(server, outbox, clock, with_auth ? &auth : nullptr);
    port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { server.listen_after_bind(); });
    store.PutAlert(alert, rules::AlertToJson(alert).dump(), testing::kT0);
  }
  ~RoutesFixture() {
    server.stop();
    thread.join();
  }

  httplib::Result Post(const std::string& path, const std::string& body,
                       const std::string& token = "police") {
    httplib::Client client("127.0.0.1", port);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Post(path.c_str(), headers, body, "application/json");
  }

  testing::TempDir dir;
  Outbox outbox{(dir.path / "notify.db").string()};
  NotifyStore& store = outbox.store();
  core::ManualClock clock{testing::kT0};
  FakeAuthenticator auth;
  rules::Alert alert = PlateAlert("r1", "van");
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

TEST_CASE("police acknowledge an alert; the first acknowledgement stays",
          "[notifier]") {
  RoutesFixture f;
  httplib::Result res =
      f.Post("/api/v1/alerts/" + f.alert.id + "/ack", R"({"by": "x"})");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(nlohmann::json::parse(res->body)["acknowledged_by"] == "unit-7");

  f.clock.Advance(std::chrono::minutes(5));
  res = f.Post("/api/v1/alerts/" + f.alert.id + "/ack", "", "admin");
  CHECK(nlohmann::json::parse(res->body)["acknowledged_by"] == "unit-7");
  std::optional<Ack> ack = f.store.GetAck(f.alert.id);
  REQUIRE(ack);
  CHECK(ack->at == testing::kT0);
}

TEST_CASE("ack and feedback need a police or admin token", "[notifier]") {
  RoutesFixture f;
  std::string path = "/api/v1/alerts/" + f.alert.id;
  CHECK(f.Post(path + "/ack", "", "")->status == 401);
  CHECK(f.Post(path + "/ack", "", "forged")->status == 401);
  CHECK(f.Post(path + "/ack", "", "shop")->status == 403);
  CHECK(f.Post(path + "/feedback", R"({"verdict":"confirmed"})", "shop")
            ->status == 403);
  CHECK_FALSE(f.store.GetAck(f.alert.id));
  CHECK(f.Post("/api/v1/alerts/alr_unknown/ack", "")->status == 404);
}

TEST_CASE("without an authenticator the acknowledger comes from the body",
          "[notifier]") {
  RoutesFixture f(false);
  httplib::Result res =
      f.Post("/api/v1/alerts/" + f.alert.id + "/ack", R"({"by": "desk"})", "");
  REQUIRE(res->status == 200);
  CHECK(f.store.GetAck(f.alert.id)->by == "desk");
}

TEST_CASE("feedback is stored in the table the back-test reads", "[notifier]") {
  RoutesFixture f;
  std::string path = "/api/v1/alerts/" + f.alert.id + "/feedback";
  CHECK(f.Post(path, R"({"verdict": "maybe"})")->status == 422);
  CHECK(f.Post(path, "not json")->status == 400);
  CHECK(f.Post(path, R"({"verdict": "confirmed"})")->status == 200);
  CHECK(f.Post(path, R"({"verdict": "false_positive"})")->status == 200);

  // Read it as the back-test does: its own connection, plain SQL.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((f.dir.path / "notify.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT alert_id, verdict, by, at FROM feedback", -1,
                     &s, nullptr);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) ==
        f.alert.id);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 1))) ==
        "false_positive");
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 2))) ==
        "unit-7");
  CHECK(sqlite3_column_int64(s, 3) == testing::kT0.time_since_epoch().count());
  CHECK(sqlite3_step(s) == SQLITE_DONE);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST_CASE("silences are set, listed, expire and are removed through the api",
          "[notifier]") {
  RoutesFixture f;
  CHECK(f.Post("/api/v1/silences", R"({"until": "2h"})")->status == 422);
  CHECK(f.Post("/api/v1/silences", R"({"rule": "r1", "until": "yesterday"})")
            ->status == 422);
  CHECK(f.Post("/api/v1/silences", R"({"rule": "r1"})", "shop")->status == 403);
  httplib::Result res = f.Post(
      "/api/v1/silences", R"({"rule": "r1", "until": "2025-06-15T18:00:00Z"})");
  REQUIRE(res->status == 201);
  std::string id = nlohmann::json::parse(res->body)["id"];
  REQUIRE(f.Post("/api/v1/silences", R"({"key": "pk_x", "until": "30m"})")
              ->status == 201);
  CHECK(f.store.Silenced(f.alert, f.clock.Now()));

  httplib::Client client("127.0.0.1", f.port);
  client.set_bearer_token_auth("police");
  nlohmann::json list =
      nlohmann::json::parse(client.Get("/api/v1/silences")->body);
  CHECK(list["silences"].size() == 2);
  f.clock.Advance(std::chrono::minutes(30));
  list = nlohmann::json::parse(client.Get("/api/v1/silences")->body);
  REQUIRE(list["silences"].size() == 1);
  CHECK(list["silences"][0]["until"] == "2025-06-15T18:00:00Z");

  CHECK(client.Delete(("/api/v1/silences/" + id).c_str())->status == 204);
  CHECK(client.Delete(("/api/v1/silences/" + id).c_str())->status == 404);
  CHECK_FALSE(f.store.Silenced(f.alert, f.clock.Now()));
}

}  // namespace
}  // namespace slagboom::notifier

namespace slagboom::notifier {
namespace {

httplib::Result GetAs(int port, const std::string& path,
                      const std::string& token) {
  httplib::Client client("127.0.0.1", port);
  client.set_bearer_token_auth(token.c_str());
  return client.Get(path.c_str());
}

TEST_CASE("the cap of an alert is full for police, public for others",
          "[notifier]") {
  RoutesFixture f;
  std::string path = "/api/v1/alerts/" + f.alert.id + "/cap";
  httplib::Result police = GetAs(f.port, path, "police");
  httplib::Result shop = GetAs(f.port, path, "shop");
  REQUIRE(police->status == 200);
  REQUIRE(shop->status == 200);
  CHECK(police->get_header_value("Content-Type") == "application/cap+xml");
  CHECK(police->body.find("pk_van") != std::string::npos);
  CHECK(shop->body.find("pk_van") == std::string::npos);
  CHECK(GetAs(f.port, path, "forged")->status == 401);
  CHECK(GetAs(f.port, "/api/v1/alerts/alr_none/cap", "police")->status == 404);
}

TEST_CASE("a red alert has no cap for shopkeepers and is not in the feed",
          "[notifier]") {
  RoutesFixture f;
  rules::Alert green = PlateAlert("r2", "car");
  nlohmann::json red_json = rules::AlertToJson(f.alert);
  red_json["tlp"] = "RED";
  nlohmann::json green_json = rules::AlertToJson(green);
  green_json["tlp"] = "GREEN";
  rules::Alert red = f.alert;
  red.version = 2;
  red_json["version"] = 2;
  f.store.PutAlert(red, red_json.dump(), testing::kT0);
  f.store.PutAlert(green, green_json.dump(), testing::kT0);

  std::string path = "/api/v1/alerts/" + f.alert.id + "/cap";
  CHECK(GetAs(f.port, path, "shop")->status == 404);
  CHECK(GetAs(f.port, path, "police")->status == 200);
  httplib::Result feed = GetAs(f.port, "/api/v1/cap", "shop");
  REQUIRE(feed->status == 200);
  CHECK(feed->body.find(green.id + "-v1") != std::string::npos);
  CHECK(feed->body.find(f.alert.id) == std::string::npos);
  CHECK(feed->body.find("<alerts xmlns=\"urn:slagboom:cap-feed\">") !=
        std::string::npos);
  size_t begin = feed->body.find("<alert xmlns=");
  size_t end = feed->body.find("</alert>");
  REQUIRE(end != std::string::npos);
  CHECK(testing::ValidCap(f.dir, feed->body.substr(begin, end + 8 - begin)));
}

TEST_CASE("an operator lists dead letters and replays one", "[notifier]") {
  RoutesFixture f;
  NewDelivery d;
  d.id = MakeDeliveryId("police", f.alert.id, 1);
  d.subscriber_id = "police";
  d.alert_id = f.alert.id;
  d.payload = "{}";
  f.outbox.Enqueue(1, {d}, testing::kT0);
  f.outbox.MarkRetry(d.id, testing::kT0, "HTTP 503", testing::kT0);
  f.outbox.MarkDead(d.id, "HTTP 410", testing::kT0);

  CHECK(GetAs(f.port, "/api/v1/deliveries/dead", "shop")->status == 403);
  CHECK(GetAs(f.port, "/api/v1/deliveries/dead?limit=x", "police")->status ==
        400);
  nlohmann::json dead = nlohmann::json::parse(
      GetAs(f.port, "/api/v1/deliveries/dead", "police")->body);
  REQUIRE(dead["deliveries"].size() == 1);
  CHECK(dead["deliveries"][0]["id"] == d.id);
  CHECK(dead["deliveries"][0]["last_error"] == "HTTP 410");
  CHECK(dead["deliveries"][0]["attempts"] == 2);

  f.clock.Advance(std::chrono::hours(1));
  httplib::Result res = f.Post("/api/v1/deliveries/" + d.id + "/replay", "");
  REQUIRE(res->status == 200);
  CHECK(nlohmann::json::parse(res->body)["state"] == "pending");
  std::vector<Delivery> due = f.outbox.Due("police", f.clock.Now(), 10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].attempts == 0);
  CHECK(f.Post("/api/v1/deliveries/" + d.id + "/replay", "")->status == 404);
  CHECK(f.outbox.DeadLetters(10).empty());
}

}  // namespace
}  // namespace slagboom::notifier
