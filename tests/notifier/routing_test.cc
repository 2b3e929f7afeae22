#include <fstream>

#include "tests/notifier/notifier_test_support.h"

namespace slagboom::notifier {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::Hook;
using testing::NotifierFixture;
using testing::PlateAlert;
using testing::SigningReceiver;

std::string WriteSecret(const testing::TempDir& dir, const std::string& text) {
  std::string path = (dir.path / "hook.secret").string();
  std::ofstream(path) << text << "\n";
  return path;
}

std::vector<std::string> Subscribers(SigningReceiver& receiver) {
  std::vector<std::string> ids;
  for (const testing::Call& c : receiver.calls())
    ids.push_back(c.body["subscriber"]);
  return ids;
}

TEST_CASE("a signed webhook carries an hmac the receiver verifies",
          "[notifier]") {
  SigningReceiver police("s3cret-key");
  NotifierFixture f;
  f.config.subscribers = {Hook("police", police.Url())};
  f.config.subscribers[0].secret_file = WriteSecret(f.dir, "s3cret-key");
  f.Open();
  f.Handle(1, PlateAlert("r1", "van"));

  REQUIRE(f.service->DeliverDue() == 1);
  std::vector<testing::Call> calls = police.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].signature_valid);
  CHECK(calls[0].signature.rfind("sha256=", 0) == 0);
  CHECK(calls[0].signature.size() == 7 + 64);
  CHECK(f.outbox->Counts().delivered == 1);
}

TEST_CASE("a retry carries the same delivery id and signature", "[notifier]") {
  SigningReceiver police("s3cret-key");
  NotifierFixture f;
  f.config.retry_initial = std::chrono::seconds(1);
  f.config.subscribers = {Hook("police", police.Url())};
  f.config.subscribers[0].secret_file = WriteSecret(f.dir, "s3cret-key");
  f.Open();
  f.Handle(1, PlateAlert("r1", "van"));
  police.FailNext(1);

  REQUIRE(f.service->DeliverDue() == 1);
  f.clock.Advance(f.config.retry_max);
  REQUIRE(f.service->DeliverDue() == 1);
  std::vector<testing::Call> calls = police.calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].delivery_id == calls[0].delivery_id);
  CHECK(calls[1].signature == calls[0].signature);
  CHECK(calls[1].signature_valid);
}

TEST_CASE("a receiver holding another secret refuses the delivery",
          "[notifier]") {
  SigningReceiver police("the-real-key");
  NotifierFixture f;
  f.config.subscribers = {Hook("police", police.Url())};
  f.config.subscribers[0].secret_file = WriteSecret(f.dir, "a-wrong-key");
  f.Open();
  f.Handle(1, PlateAlert("r1", "van"));

  REQUIRE(f.service->DeliverDue() == 1);
  CHECK_FALSE(police.calls()[0].signature_valid);
  CHECK(f.outbox->Counts().dead == 1);  // 401 is not retried
}

TEST_CASE("an unreadable secret file fails the attempt, not the process",
          "[notifier]") {
  SigningReceiver police("key");
  NotifierFixture f;
  f.config.subscribers = {Hook("police", police.Url())};
  f.config.subscribers[0].secret_file = (f.dir.path / "missing").string();
  f.Open();
  rules::Alert alert = PlateAlert("r1", "van");
  f.Handle(1, alert);

  REQUIRE(f.service->DeliverDue() == 1);
  CHECK(police.calls().empty());
  std::optional<Delivery> d =
      f.outbox->Get(MakeDeliveryId("police", alert.id, 1));
  REQUIRE(d);
  CHECK(d->state == DeliveryState::kPending);
  CHECK(d->last_error.find("secret_file") != std::string::npos);
}

TEST_CASE("routing follows min_severity, regions and steps", "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  config::SubscriberConfig severe = Hook("severe", hook.Url());
  severe.min_severity = "critical";
  config::SubscriberConfig utrecht = Hook("utrecht", hook.Url());
  utrecht.regions = {"midden-nederland"};
  config::SubscriberConfig limburg = Hook("limburg", hook.Url());
  limburg.regions = {"limburg"};
  config::SubscriberConfig storage = Hook("storage", hook.Url());
  storage.steps = {"storage"};
  f.config.subscribers = {severe, utrecht, limburg, storage};
  f.Open();
  f.Handle(1, PlateAlert("r1", "van", 1, "high"));
  f.Handle(2, PlateAlert("r1", "car", 1, "critical"));

  f.service->DeliverDue();
  std::vector<std::string> got = Subscribers(hook);
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{"severe", "utrecht", "utrecht"});
}

TEST_CASE("a silence mutes matching alerts until it expires", "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  f.config.subscribers = {Hook("police", hook.Url())};
  f.Open();
  Silence silence;
  silence.rule = "r1";
  silence.region = "oost-nederland";
  silence.until = testing::kT0 + hours(1);
  f.outbox->store().AddSilence(silence);

  f.Handle(1, PlateAlert("r1", "van"));
  f.Handle(2, PlateAlert("r2", "car"));
  f.service->DeliverDue();
  CHECK(Subscribers(hook).size() == 1);  // only r2

  f.clock.Advance(hours(1));
  f.Handle(3, PlateAlert("r1", "van", 2));
  f.service->DeliverDue();
  REQUIRE(hook.calls().size() == 2);
  CHECK(hook.calls()[1].body["alert"]["rule"] == "r1");
}

TEST_CASE("a higher alert on the same key inhibits a lower one", "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  f.config.subscribers = {Hook("police", hook.Url())};
  f.Open();
  f.Handle(1, PlateAlert("r-critical", "van", 1, "critical"));
  f.Handle(2, PlateAlert("r-medium", "van", 1, "medium"));
  f.Handle(3, PlateAlert("r-medium", "car", 1, "medium"));
  f.service->DeliverDue();

  std::vector<std::string> rules;
  for (const testing::Call& c : hook.calls())
    rules.push_back(std::string(c.body["alert"]["rule"]) + "/" +
                    std::string(c.body["alert"]["key"]));
  CHECK(rules ==
        std::vector<std::string>{"r-critical/pk_van", "r-medium/pk_car"});
}

TEST_CASE("an unchanged alert is not sent again within repeat_interval",
          "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  f.config.subscribers = {Hook("police", hook.Url())};
  f.config.subscribers[0].repeat_interval = hours(6);
  f.Open();
  rules::Alert updated = PlateAlert("r1", "van", 2);  // a new incident
  rules::Alert same = updated;
  same.version = 3;  // republished, nothing new

  f.Handle(1, PlateAlert("r1", "van", 1));
  f.Handle(2, updated);
  f.Handle(3, same);
  f.service->DeliverDue();
  CHECK(hook.calls().size() == 2);

  f.clock.Advance(hours(6));
  same.version = 4;
  f.Handle(4, same);
  f.service->DeliverDue();
  CHECK(hook.calls().size() == 3);
}

TEST_CASE(
    "C1 reload and restart send nothing twice, a new subscriber gets "
    "the firing alert once",
    "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  f.clock.Set(testing::kT0);
  for (int i = 1; i <= 40; ++i) {
    config::SubscriberConfig shop =
        Hook(fmt::format("shop-{}", i), hook.Url(), "shopkeeper");
    shop.repeat_interval = hours(6);
    f.config.subscribers.push_back(shop);
  }
  f.config.subscribers.push_back(Hook("police", hook.Url()));
  f.config.subscribers.back().repeat_interval = hours(6);
  f.Open();
  rules::Alert r1 = PlateAlert("r1", "NL:12ZZX4");
  f.Handle(1, r1);
  f.service->DeliverDue();
  REQUIRE(hook.calls().size() == 41);

  // 10:30: the same configuration again; 11:00: killed and started again,
  // and the bus offers the event once more.
  f.clock.Advance(minutes(30));
  f.service->Reconfigure(f.config);
  CHECK(f.service->DeliverDue() == 0);
  f.clock.Advance(minutes(30));
  f.Restart();
  CHECK(f.service->HandleAlertEvent(testing::EventOf(1, r1)).ok());
  CHECK(f.service->DeliverDue() == 0);
  CHECK(hook.calls().size() == 41);

  SECTION("a reload that adds one subscriber sends only to it") {
    config::NotifyConfig more = f.config;
    more.subscribers.push_back(Hook("shop-41", hook.Url(), "shopkeeper"));
    f.service->Reconfigure(more);
    f.service->Reconfigure(more);
    CHECK(f.service->DeliverDue() == 1);
    REQUIRE(hook.calls().size() == 42);
    CHECK(hook.calls().back().body["subscriber"] == "shop-41");
    f.Restart();
    CHECK(f.service->DeliverDue() == 0);
  }
}

TEST_CASE("the rate limit holds deliveries back, it does not drop them",
          "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  f.config.subscribers = {Hook("shop", hook.Url(), "shopkeeper")};
  f.config.subscribers[0].max_per_hour = 2;
  f.Open();
  for (int i = 1; i <= 3; ++i)
    f.Handle(i, PlateAlert("r1", fmt::format("van-{}", i)));

  CHECK(f.service->DeliverDue() == 2);
  f.clock.Advance(minutes(59));
  CHECK(f.service->DeliverDue() == 0);
  f.clock.Advance(minutes(1));
  CHECK(f.service->DeliverDue() == 1);
  CHECK(hook.calls().size() == 3);
}

TEST_CASE(
    "quiet hours hold a shopkeeper's warning until they end in its "
    "zone, police are never muted",
    "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  // 23:30 in Amsterdam (summer time, UTC+2).
  f.clock.Set(core::Instant(core::Duration(1'750'023'000'000)));
  config::SubscriberConfig shop = Hook("shop", hook.Url(), "shopkeeper");
  shop.quiet_hours = "22:00-07:00";
  shop.zone = "Europe/Amsterdam";
  config::SubscriberConfig police = shop;
  police.id = "police";
  police.audience = "police";
  f.config.subscribers = {shop, police};
  f.Open();
  f.Handle(1, PlateAlert("r1", "van"));

  CHECK(f.service->DeliverDue() == 1);
  CHECK(Subscribers(hook) == std::vector<std::string>{"police"});
  f.clock.Advance(hours(7) + minutes(29));  // 06:59 local
  CHECK(f.service->DeliverDue() == 0);
  f.clock.Advance(minutes(1));  // 07:00 local
  CHECK(f.service->DeliverDue() == 1);
  CHECK(Subscribers(hook).back() == "shop");
}

TEST_CASE("quiet hours end in the subscriber's own zone", "[notifier]") {
  config::SubscriberConfig s;
  s.audience = "shopkeeper";
  s.quiet_hours = "22:00-07:00";
  s.zone = "America/Chicago";
  // 2025-06-15 15:06:40Z is 10:06 in Chicago: not quiet.
  CHECK_FALSE(QuietUntil(s, testing::kT0));
  // 04:00Z on 2025-06-16 is 23:00 in Chicago; quiet until 12:00Z.
  core::Instant late = core::Instant(core::Duration(1'750'046'400'000));
  std::optional<core::Instant> until = QuietUntil(s, late);
  REQUIRE(until);
  CHECK(*until == late + hours(8));
}

TEST_CASE("an unacknowledged alert escalates to the next subscriber",
          "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  config::SubscriberConfig first = Hook("unit-a", hook.Url());
  first.escalate_after = minutes(10);
  first.escalate_to = "unit-b";
  config::SubscriberConfig next = Hook("unit-b", hook.Url());
  next.rules = {"another-rule"};  // would not get r1 by routing
  f.config.subscribers = {first, next};
  f.Open();
  rules::Alert acked = PlateAlert("r1", "car");
  f.Handle(1, PlateAlert("r1", "van"));
  f.Handle(2, acked);
  f.service->DeliverDue();
  REQUIRE(hook.calls().size() == 2);
  Ack ack;
  REQUIRE(
      f.outbox->store().AddAck(acked.id, "officer", f.clock.Now(), &ack).ok());

  f.clock.Advance(minutes(9));
  CHECK(f.service->DeliverDue() == 0);
  f.clock.Advance(minutes(1));
  CHECK(f.service->DeliverDue() == 1);
  std::vector<testing::Call> calls = hook.calls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[2].body["subscriber"] == "unit-b");
  CHECK(calls[2].body["escalated_from"] == "unit-a");
  CHECK(calls[2].body["alert"]["id"] == PlateAlert("r1", "van").id);
  f.clock.Advance(hours(1));
  CHECK(f.service->DeliverDue() == 0);
}

}  // namespace
}  // namespace slagboom::notifier
