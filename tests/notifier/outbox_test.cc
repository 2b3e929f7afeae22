#include "notifier/outbox.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>

#include "core/digest.h"

namespace slagboom::notifier {
namespace {

using std::chrono::seconds;

const core::Instant kT0 = core::Instant(core::Duration(1'750'000'000'000));

struct TempDir {
  TempDir()
      : path(std::filesystem::temp_directory_path() /
             ("slagboom-outbox-" + core::RandomHex(8))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string File() const { return (path / "outbox.db").string(); }

  std::filesystem::path path;
};

struct OutboxFixture {
  TempDir dir;
  std::unique_ptr<Outbox> outbox = std::make_unique<Outbox>(dir.File());

  void Reopen() {
    outbox.reset();
    outbox = std::make_unique<Outbox>(dir.File());
  }
};

NewDelivery Pending(const std::string& subscriber, const std::string& alert,
                    int version = 1) {
  return {MakeDeliveryId(subscriber, alert, version),
          subscriber,
          alert,
          version,
          "{\"alert\":\"" + alert + "\"}",
          DeliveryState::kPending,
          std::nullopt};
}

std::vector<std::string> Ids(const std::vector<Delivery>& deliveries) {
  std::vector<std::string> ids;
  for (const Delivery& d : deliveries) ids.push_back(d.id);
  return ids;
}

TEST_CASE("a new outbox starts at cursor zero and owes nothing", "[outbox]") {
  OutboxFixture f;
  CHECK(f.outbox->Cursor() == 0);
  StateCounts counts = f.outbox->Counts();
  CHECK(counts.pending == 0);
  CHECK(counts.delivered == 0);
  CHECK(counts.dead == 0);
  CHECK(f.outbox->Heads().empty());
}

TEST_CASE("enqueueing an event adds its deliveries and moves the cursor",
          "[outbox]") {
  OutboxFixture f;
  EnqueueResult result =
      f.outbox->Enqueue(1, {Pending("a", "alr_1"), Pending("b", "alr_1")}, kT0);

  CHECK(result.accepted);
  CHECK(result.added.size() == 2);
  CHECK(f.outbox->Cursor() == 1);
  std::optional<Delivery> d = f.outbox->Get(MakeDeliveryId("a", "alr_1", 1));
  REQUIRE(d);
  CHECK(d->subscriber_id == "a");
  CHECK(d->alert_id == "alr_1");
  CHECK(d->event_seq == 1);
  CHECK(d->payload == "{\"alert\":\"alr_1\"}");
  CHECK(d->state == DeliveryState::kPending);
  CHECK(d->attempts == 0);
  CHECK(d->next_attempt_at == kT0);
  CHECK(d->created_at == kT0);
}

TEST_CASE("an event at or below the cursor changes nothing", "[outbox]") {
  OutboxFixture f;
  REQUIRE(f.outbox->Enqueue(5, {Pending("a", "alr_1")}, kT0).accepted);

  SECTION("the same seq") {
    EnqueueResult again = f.outbox->Enqueue(5, {Pending("a", "alr_2")}, kT0);
    CHECK_FALSE(again.accepted);
  }
  SECTION("an older seq") {
    EnqueueResult older = f.outbox->Enqueue(3, {Pending("a", "alr_3")}, kT0);
    CHECK_FALSE(older.accepted);
  }
  CHECK(f.outbox->Cursor() == 5);
  CHECK(f.outbox->Counts().pending == 1);
}

TEST_CASE("an event without deliveries still moves the cursor", "[outbox]") {
  OutboxFixture f;
  CHECK(f.outbox->Enqueue(4, {}, kT0).accepted);
  CHECK(f.outbox->Cursor() == 4);
}

TEST_CASE("a delivery id depends on subscriber, alert and version only",
          "[outbox]") {
  std::string id = MakeDeliveryId("police", "alr_1", 2);
  CHECK(id == MakeDeliveryId("police", "alr_1", 2));
  CHECK(id.rfind("dlv_", 0) == 0);
  CHECK(id.size() == 4 + 24);
  CHECK(id != MakeDeliveryId("shop", "alr_1", 2));
  CHECK(id != MakeDeliveryId("police", "alr_2", 2));
  CHECK(id != MakeDeliveryId("police", "alr_1", 3));
}

TEST_CASE("the same alert version reaching a subscriber twice is stored once",
          "[outbox]") {
  OutboxFixture f;
  REQUIRE(f.outbox->Enqueue(1, {Pending("a", "alr_1")}, kT0).accepted);
  EnqueueResult again = f.outbox->Enqueue(2, {Pending("a", "alr_1")}, kT0);

  CHECK(again.accepted);
  CHECK(again.added.empty());
  CHECK(f.outbox->Cursor() == 2);
  CHECK(f.outbox->Counts().pending == 1);
  CHECK(f.outbox->Get(MakeDeliveryId("a", "alr_1", 1))->event_seq == 1);
}

TEST_CASE("reopening the outbox keeps the cursor and what is pending",
          "[outbox]") {
  OutboxFixture f;
  REQUIRE(f.outbox->Enqueue(7, {Pending("a", "alr_1")}, kT0).accepted);
  f.Reopen();

  CHECK(f.outbox->Cursor() == 7);
  CHECK_FALSE(f.outbox->Enqueue(7, {Pending("b", "alr_1")}, kT0).accepted);
  CHECK(Ids(f.outbox->Due("a", kT0, 10)) ==
        std::vector<std::string>{MakeDeliveryId("a", "alr_1", 1)});
}

TEST_CASE("a subscriber's due deliveries come in event order", "[outbox]") {
  OutboxFixture f;
  REQUIRE(f.outbox->Enqueue(1, {Pending("a", "alr_1")}, kT0).accepted);
  REQUIRE(
      f.outbox->Enqueue(2, {Pending("b", "alr_2"), Pending("a", "alr_2")}, kT0)
          .accepted);
  REQUIRE(f.outbox->Enqueue(3, {Pending("a", "alr_3")}, kT0).accepted);

  CHECK(Ids(f.outbox->Due("a", kT0, 10)) ==
        std::vector<std::string>{MakeDeliveryId("a", "alr_1", 1),
                                 MakeDeliveryId("a", "alr_2", 1),
                                 MakeDeliveryId("a", "alr_3", 1)});
  CHECK(Ids(f.outbox->Due("a", kT0, 2)) ==
        std::vector<std::string>{MakeDeliveryId("a", "alr_1", 1),
                                 MakeDeliveryId("a", "alr_2", 1)});
  CHECK(Ids(f.outbox->Due("b", kT0, 10)) ==
        std::vector<std::string>{MakeDeliveryId("b", "alr_2", 1)});
}

TEST_CASE("nothing is due before its time", "[outbox]") {
  OutboxFixture f;
  REQUIRE(f.outbox->Enqueue(1, {Pending("a", "alr_1")}, kT0).accepted);
  CHECK(f.outbox->Due("a", kT0 - seconds(1), 10).empty());
}

TEST_CASE("a subscriber's next attempt is that of its first pending one",
          "[outbox]") {
  OutboxFixture f;
  NewDelivery held = Pending("a", "alr_1");
  held.not_before = kT0 + seconds(60);
  REQUIRE(f.outbox->Enqueue(1, {held}, kT0).accepted);
  REQUIRE(f.outbox->Enqueue(2, {Pending("a", "alr_2")}, kT0).accepted);

  CHECK(f.outbox->Due("a", kT0, 10).empty());
  CHECK(f.outbox->NextAttempt("a") == kT0 + seconds(60));
  CHECK(f.outbox->NextAttempt("b") == std::nullopt);
  f.outbox->MarkDelivered(held.id, kT0);
  CHECK(f.outbox->NextAttempt("a") == kT0);
}

TEST_CASE("a subscriber waiting for a retry gets none of its later alerts",
          "[outbox]") {
  OutboxFixture f;
  REQUIRE(f.outbox->Enqueue(1, {Pending("a", "alr_1")}, kT0).accepted);
  REQUIRE(
      f.outbox->Enqueue(2, {Pending("a", "alr_2"), Pending("b", "alr_2")}, kT0)
          .accepted);
  f.outbox->MarkRetry(MakeDeliveryId("a", "alr_1", 1), kT0 + seconds(10),
                      "HTTP 500", kT0);

  CHECK(f.outbox->Due("a", kT0 + seconds(9), 10).empty());
  CHECK(Ids(f.outbox->Due("b", kT0 + seconds(9), 10)) ==
        std::vector<std::string>{MakeDeliveryId("b", "alr_2", 1)});
  CHECK(f.outbox->Due("a", kT0 + seconds(10), 10).size() == 2);
}

TEST_CASE("attempts move deliveries between states", "[outbox]") {
  OutboxFixture f;
  std::string one = MakeDeliveryId("a", "alr_1", 1);
  std::string two = MakeDeliveryId("a", "alr_2", 1);
  std::string three = MakeDeliveryId("a", "alr_3", 1);
  REQUIRE(f.outbox->Enqueue(1, {Pending("a", "alr_1")}, kT0).accepted);
  REQUIRE(f.outbox->Enqueue(2, {Pending("a", "alr_2")}, kT0).accepted);
  REQUIRE(f.outbox->Enqueue(3, {Pending("a", "alr_3")}, kT0).accepted);

  f.outbox->MarkRetry(one, kT0 + seconds(2), "HTTP 503", kT0 + seconds(1));
  f.outbox->MarkDelivered(one, kT0 + seconds(2));
  f.outbox->MarkDead(two, "HTTP 400", kT0 + seconds(3));

  Delivery delivered = *f.outbox->Get(one);
  CHECK(delivered.state == DeliveryState::kDelivered);
  CHECK(delivered.attempts == 2);
  CHECK(delivered.last_error == "");
  CHECK(delivered.updated_at == kT0 + seconds(2));
  StateCounts counts = f.outbox->Counts();
  CHECK(counts.pending == 1);
  CHECK(counts.delivered == 1);
  CHECK(counts.dead == 1);
  std::vector<Delivery> dead = f.outbox->DeadLetters(10);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].id == two);
  CHECK(dead[0].last_error == "HTTP 400");
  CHECK(dead[0].attempts == 1);
  CHECK(Ids(f.outbox->Due("a", kT0 + seconds(3), 10)) ==
        std::vector<std::string>{three});
}

TEST_CASE("deliveries marked together are each delivered once", "[outbox]") {
  OutboxFixture f;
  std::vector<std::string> ids;
  for (int i = 1; i <= 3; ++i) {
    std::string alert = "alr_" + std::to_string(i);
    REQUIRE(f.outbox->Enqueue(i, {Pending("a", alert)}, kT0).accepted);
    ids.push_back(MakeDeliveryId("a", alert, 1));
  }
  f.outbox->MarkDead(ids[1], "HTTP 404", kT0);
  f.outbox->MarkDelivered(ids, kT0 + seconds(1));

  CHECK(f.outbox->Get(ids[0])->state == DeliveryState::kDelivered);
  CHECK(f.outbox->Get(ids[0])->attempts == 1);
  CHECK(f.outbox->Get(ids[1])->state == DeliveryState::kDead);  // kept
  CHECK(f.outbox->Get(ids[2])->updated_at == kT0 + seconds(1));
  StateCounts counts = f.outbox->Counts();
  CHECK(counts.pending == 0);
  CHECK(counts.delivered == 2);
  CHECK(f.outbox->Due("a", kT0 + seconds(2), 10).empty());
}

TEST_CASE("a delivery that is no longer pending keeps its state", "[outbox]") {
  OutboxFixture f;
  std::string id = MakeDeliveryId("a", "alr_1", 1);
  REQUIRE(f.outbox->Enqueue(1, {Pending("a", "alr_1")}, kT0).accepted);
  f.outbox->MarkDead(id, "HTTP 404", kT0);
  f.outbox->MarkDelivered(id, kT0 + seconds(1));

  Delivery d = *f.outbox->Get(id);
  CHECK(d.state == DeliveryState::kDead);
  CHECK(d.attempts == 1);
}

TEST_CASE("a delivery recorded as delivered is never due", "[outbox]") {
  OutboxFixture f;
  NewDelivery logged = Pending("log", "alr_1");
  logged.state = DeliveryState::kDelivered;
  REQUIRE(f.outbox->Enqueue(1, {logged}, kT0).accepted);

  CHECK(f.outbox->Due("log", kT0, 10).empty());
  CHECK(f.outbox->Heads().empty());
  CHECK(f.outbox->Get(logged.id)->attempts == 1);
  CHECK(f.outbox->Counts().delivered == 1);
}

TEST_CASE("queue heads name each subscriber's first pending delivery",
          "[outbox]") {
  OutboxFixture f;
  REQUIRE(f.outbox->Enqueue(1, {Pending("a", "alr_1")}, kT0).accepted);
  REQUIRE(f.outbox
              ->Enqueue(2, {Pending("a", "alr_2"), Pending("b", "alr_2")},
                        kT0 + seconds(1))
              .accepted);
  f.outbox->MarkRetry(MakeDeliveryId("a", "alr_1", 1), kT0 + seconds(30),
                      "HTTP 500", kT0);

  std::vector<QueueHead> heads = f.outbox->Heads();
  REQUIRE(heads.size() == 2);
  CHECK(heads[0].subscriber_id == "a");
  CHECK(heads[0].next_attempt_at == kT0 + seconds(30));
  CHECK(heads[1].subscriber_id == "b");
  CHECK(heads[1].next_attempt_at == kT0 + seconds(1));
}

}  // namespace
}  // namespace slagboom::notifier
