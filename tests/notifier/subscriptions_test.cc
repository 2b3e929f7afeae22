// Subscribers added through the API (issue 5).
#include "notifier/subscriptions.h"

#include "tests/notifier/notifier_test_support.h"

namespace slagboom::notifier {
namespace {

using testing::Hook;
using testing::NotifierFixture;
using testing::PlateAlert;
using testing::SigningReceiver;

// The subscription routes on a real server on 127.0.0.1.
struct Api {
  explicit Api(NotifierService& service) {
    RegisterSubscriptionRoutes(server, service, nullptr);
    port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    // The socket listens from bind on; requests wait for the accept loop.
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~Api() {
    server.stop();
    thread.join();
  }
  httplib::Client Client() const {
    return httplib::Client(fmt::format("http://127.0.0.1:{}", port));
  }
  httplib::Server server;
  int port = 0;
  std::thread thread;
};

nlohmann::json ShopJson(const std::string& url) {
  return {{"id", "shop-7"},
          {"channel", "webhook"},
          {"url", url},
          {"audience", "shopkeeper"},
          {"areas", {{{"lat", 52.09}, {"lon", 5.11}, {"radius_m", 1500}}}}};
}

TEST_CASE(
    "an api subscriber gets what is firing now once and survives a "
    "restart",
    "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  f.config.subscribers = {Hook("police", hook.Url())};
  f.Open();
  f.Handle(1, PlateAlert("r1", "a"));
  f.service->DeliverDue();
  REQUIRE(hook.calls().size() == 1);

  config::SubscriberConfig shop;
  nlohmann::json j = ShopJson(hook.Url());
  j.erase("areas");
  REQUIRE(SubscriberFromJson(j, &shop).ok());
  REQUIRE(f.service->AddSubscription(shop).ok());
  f.service->DeliverDue();
  REQUIRE(hook.calls().size() == 2);
  CHECK(hook.calls()[1].body["subscriber"] == "shop-7");

  // After a restart it is still there, and greets nobody again.
  f.Restart();
  f.service->DeliverDue();
  CHECK(hook.calls().size() == 2);
  REQUIRE(f.service->ApiSubscriptions().size() == 1);
  f.Handle(2, PlateAlert("r1", "b"));
  f.service->DeliverDue();
  CHECK(hook.calls().size() == 4);  // police and the shop
}

TEST_CASE("an api subscriber cannot take an id of the configuration file",
          "[notifier]") {
  NotifierFixture f;
  f.config.subscribers = {Hook("police", "http://127.0.0.1:9/")};
  f.Open();
  config::SubscriberConfig s = Hook("police", "http://127.0.0.1:9/");
  CHECK(f.service->AddSubscription(s).code() == core::Status::Code::kConflict);
}

TEST_CASE("the subscription routes add, list and remove subscribers",
          "[notifier]") {
  NotifierFixture f;
  f.config.subscribers = {Hook("police", "http://127.0.0.1:9/")};
  f.Open();
  Api api(*f.service);
  httplib::Client client = api.Client();

  auto created =
      client.Post("/api/v1/subscriptions",
                  ShopJson("http://127.0.0.1:9/").dump(), "application/json");
  REQUIRE(created);
  CHECK(created->status == 201);
  auto listed = client.Get("/api/v1/subscriptions");
  REQUIRE(listed);
  nlohmann::json list = nlohmann::json::parse(listed->body);
  REQUIRE(list["subscriptions"].size() == 1);
  CHECK(list["subscriptions"][0]["areas"][0]["radius_m"] == 1500);

  nlohmann::json taken = ShopJson("http://127.0.0.1:9/");
  taken["id"] = "police";
  CHECK(client.Post("/api/v1/subscriptions", taken.dump(), "application/json")
            ->status == 409);
  CHECK(client.Delete("/api/v1/subscriptions/shop-7")->status == 204);
  CHECK(client.Delete("/api/v1/subscriptions/shop-7")->status == 404);
}

TEST_CASE("a bad subscription is refused naming each field", "[notifier]") {
  nlohmann::json j = ShopJson("ftp://nowhere");
  j["areas"][0].erase("radius_m");
  j["group_by"] = {"plate"};
  j["group_wait"] = "soon";
  config::SubscriberConfig s;
  core::Status status = SubscriberFromJson(j, &s);
  REQUIRE_FALSE(status.ok());
  std::vector<std::string> fields;
  for (const core::FieldError& e : status.details()) fields.push_back(e.field);
  CHECK(fields == std::vector<std::string>{"url", "areas[0].radius_m",
                                           "group_by", "group_wait"});
}

}  // namespace
}  // namespace slagboom::notifier
