#include "notifier/audience.h"

#include "tests/notifier/notifier_test_support.h"

namespace slagboom::notifier {
namespace {

using testing::Hook;
using testing::NotifierFixture;
using testing::PlateAlert;
using testing::SigningReceiver;

constexpr char kPlate[] = "12ZZX4";
constexpr char kPerson[] = "tall man, red jacket";

// An alert event whose incidents carry what only police may see, as a
// richer alert format might: a plate in clear and a person's description.
broker::Event RichEvent(uint64_t seq, const std::string& tlp) {
  nlohmann::json j = rules::AlertToJson(PlateAlert("r1", "NL:12ZZX4"));
  for (nlohmann::json& incident : j["incidents"]) {
    incident["vehicle"] = {{"plate", std::string("NL:") + kPlate}};
    incident["suspects"] = {{"descriptions", {kPerson}}};
    incident["description"] = kPerson;
  }
  if (!tlp.empty()) j["tlp"] = tlp;
  return {broker::kAlertTopic, seq, j.dump()};
}

bool Carries(const nlohmann::json& payload, const std::string& text) {
  return payload.dump().find(text) != std::string::npos;
}

TEST_CASE("no shopkeeper payload carries a plate, a key or a description",
          "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  f.config.subscribers = {Hook("shop", hook.Url(), "shopkeeper"),
                          Hook("police", hook.Url(), "police")};
  f.Open();
  std::string tlp = GENERATE(std::string(""), std::string("AMBER"),
                             std::string("GREEN"), std::string("CLEAR"));
  REQUIRE(f.service->HandleAlertEvent(RichEvent(1, tlp)).ok());
  f.service->DeliverDue();

  std::vector<testing::Call> calls = hook.calls();
  REQUIRE(calls.size() == 2);
  for (const testing::Call& call : calls) {
    const nlohmann::json& alert = call.body["alert"];
    if (call.body["subscriber"] == "police") {
      CHECK(Carries(alert, kPlate));
      CHECK(Carries(alert, kPerson));
      continue;
    }
    CHECK_FALSE(Carries(call.body, kPlate));
    CHECK_FALSE(Carries(call.body, kPerson));
    CHECK_FALSE(Carries(call.body, "Grey van"));
    CHECK_FALSE(alert.contains("key"));
    CHECK_FALSE(alert.contains("incidents"));
    CHECK(alert["regions"].size() == 2);
    CHECK(alert["incident_count"] == 3);
    CHECK(alert["counts"]["by_offence"]["shoplifting"] == 3);
  }
}

TEST_CASE("a red or amber+strict alert reaches police only", "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  f.config.subscribers = {Hook("shop", hook.Url(), "shopkeeper"),
                          Hook("partner", hook.Url(), "partner"),
                          Hook("police", hook.Url(), "police")};
  f.Open();
  std::string tlp = GENERATE(std::string("RED"), std::string("AMBER+STRICT"));
  REQUIRE(f.service->HandleAlertEvent(RichEvent(1, tlp)).ok());

  CHECK(f.service->DeliverDue() == 1);
  REQUIRE(hook.calls().size() == 1);
  CHECK(hook.calls()[0].body["subscriber"] == "police");
}

TEST_CASE("a partner sees incidents without plates or descriptions",
          "[notifier]") {
  nlohmann::json event = nlohmann::json::parse(RichEvent(1, "").payload);
  std::optional<nlohmann::json> seen = AlertForAudience(event, "partner");
  REQUIRE(seen);
  CHECK_FALSE(Carries(*seen, kPlate));
  CHECK_FALSE(Carries(*seen, kPerson));
  CHECK_FALSE(seen->contains("key"));  // a plate rule's key
  REQUIRE((*seen)["incidents"].size() == 3);
  CHECK((*seen)["incidents"][0] ==
        nlohmann::json{{"occurred_at", event["incidents"][0]["occurred_at"]},
                       {"region", "oost-nederland"},
                       {"step", "offence"},
                       {"offence", "shoplifting"}});
  CHECK((*seen)["tlp"] == "AMBER");
}

TEST_CASE("an unknown audience is treated as a shopkeeper", "[notifier]") {
  nlohmann::json event = nlohmann::json::parse(RichEvent(1, "").payload);
  CHECK(AlertForAudience(event, "press") ==
        AlertForAudience(event, "shopkeeper"));
  CHECK(AlertTlp(event) == Tlp::kAmber);
  event["tlp"] = "GREEN";
  CHECK(AlertTlp(event) == Tlp::kGreen);
}

}  // namespace
}  // namespace slagboom::notifier
