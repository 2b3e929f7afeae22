// Grouping: one wave is one message, not fifty (issue 5).
#include "notifier/grouping.h"

#include "tests/notifier/notifier_test_support.h"

namespace slagboom::notifier {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::Hook;
using testing::NotifierFixture;
using testing::PlateAlert;
using testing::SigningReceiver;

// A wave alert after `n` incidents: version n - 2, one more per incident.
rules::Alert Wave(int n) {
  rules::Alert a = PlateAlert("wave", "none", n - 2);
  a.key_kind = "none";
  a.key = "";
  return a;
}

config::SubscriberConfig Grouped(const std::string& url) {
  config::SubscriberConfig s = Hook("shop", url, "shopkeeper");
  s.group_by = {"rule"};
  s.group_wait = seconds(30);
  s.group_interval = minutes(5);
  return s;
}

TEST_CASE(
    "50 incidents of one wave over four minutes are one message and "
    "one update",
    "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  f.config.subscribers = {Grouped(hook.Url())};
  f.Open();

  // The alert fires with the third incident and changes with every
  // further one, five seconds apart.
  uint64_t seq = 0;
  for (int n = 3; n <= 50; ++n) {
    f.Handle(++seq, Wave(n));
    f.service->DeliverDue();
    f.clock.Advance(seconds(5));
  }
  REQUIRE(hook.calls().size() == 1);
  CHECK(hook.calls()[0].body["alert_count"] == 1);
  // At 30 s, with the ninth incident: version 7.
  CHECK(hook.calls()[0].body["alerts"][0]["version"] == 7);

  // The rest goes out as one update once the interval has passed.
  f.clock.Set(testing::kT0 + seconds(30) + minutes(5));
  f.service->DeliverDue();
  std::vector<testing::Call> calls = hook.calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].body["group"]["message"] == 2);
  CHECK(calls[1].body["alerts"][0]["version"] == 48);
  CHECK(calls[1].body["alerts"][0]["incident_count"] == 50);

  // Nothing changed since: nothing more.
  f.clock.Advance(minutes(30));
  f.service->DeliverDue();
  CHECK(hook.calls().size() == 2);
}

TEST_CASE(
    "alerts of one rule within the group wait go out as one message "
    "listing them",
    "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  config::SubscriberConfig police = Hook("police", hook.Url(), "police");
  f.config.subscribers = {Grouped(hook.Url()), police};
  f.Open();
  f.Handle(1, PlateAlert("r1", "a"));
  f.Handle(2, PlateAlert("r1", "b"));
  f.Handle(3, PlateAlert("r2", "c"));
  f.clock.Advance(seconds(10));
  f.Handle(4, PlateAlert("r1", "d"));
  f.service->DeliverDue();
  CHECK(hook.calls().size() == 4);  // police ungrouped, the shop waits

  f.clock.Advance(seconds(20));
  f.service->DeliverDue();
  std::map<std::string, size_t> by_key;
  for (const testing::Call& call : hook.calls()) {
    if (call.body["subscriber"] == "shop")
      by_key[call.body["group"]["key"]] = call.body["alerts"].size();
  }
  CHECK(by_key ==
        std::map<std::string, size_t>{{"rule=r1", 3}, {"rule=r2", 1}});
}

TEST_CASE("a group waiting at a crash goes out after the restart, once",
          "[notifier]") {
  SigningReceiver hook;
  NotifierFixture f;
  f.config.subscribers = {Grouped(hook.Url())};
  f.Open();
  f.Handle(1, PlateAlert("r1", "a"));
  f.Restart();
  f.Handle(1, PlateAlert("r1", "a"));  // the bus replays what it sent
  f.clock.Advance(seconds(30));
  f.service->DeliverDue();
  f.Restart();
  f.service->DeliverDue();
  REQUIRE(hook.calls().size() == 1);
  CHECK(hook.calls()[0].body["alert_count"] == 1);
}

TEST_CASE("the group key names each group_by field's value", "[notifier]") {
  config::SubscriberConfig s;
  rules::Alert a = PlateAlert("r1", "k");
  CHECK(GroupKey(s, a).empty());
  s.group_by = {"rule", "region", "severity"};
  CHECK(GroupKey(s, a) ==
        "rule=r1;region=midden-nederland,oost-nederland;severity=high");
}

}  // namespace
}  // namespace slagboom::notifier
