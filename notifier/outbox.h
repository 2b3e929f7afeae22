// The notifier's durable state: the last alert event it has handled (its
// cursor on the bus) and every delivery it owes a subscriber.
//
// Taking in an event is one transaction that adds the event's deliveries
// and moves the cursor, so a crash either keeps both or neither: an event
// is never lost and never routed twice.  Deliveries then move from pending
// to delivered or dead, one attempt at a time.
#ifndef SLAGBOOM_NOTIFIER_OUTBOX_H_
#define SLAGBOOM_NOTIFIER_OUTBOX_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/sqlite.h"
#include "notifier/notify_store.h"

namespace slagboom::notifier {

enum class DeliveryState { kPending, kDelivered, kDead };

std::string_view DeliveryStateName(DeliveryState state);

// The id a receiver sees on every attempt of one delivery: a hash of the
// subscriber, the alert and the alert's version, so the same change of the
// same alert to the same subscriber always has the same id.
std::string MakeDeliveryId(std::string_view subscriber_id,
                           std::string_view alert_id, int alert_version);

// A delivery to add with an event.
struct NewDelivery {
  std::string id;  // MakeDeliveryId(subscriber_id, alert_id, alert_version)
  std::string subscriber_id;
  std::string alert_id;
  int alert_version = 1;
  std::string payload;  // what is sent, as is
  // kPending for deliveries still to make; kDelivered for ones already
  // made when they are recorded (the log channel).
  DeliveryState state = DeliveryState::kPending;
  // A pending delivery is not attempted before this (quiet hours, rate
  // limit); unset: at once.
  std::optional<core::Instant> not_before;
};

struct Delivery {
  std::string id;
  std::string subscriber_id;
  std::string alert_id;
  int alert_version = 1;
  uint64_t event_seq = 0;
  std::string payload;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;                 // attempts made so far
  core::Instant next_attempt_at{};  // meaningful while pending
  std::string last_error;           // of the last failed attempt; empty if none
  core::Instant created_at{};
  core::Instant updated_at{};
};

struct EnqueueResult {
  // False when the event was at or below the cursor: nothing changed.
  bool accepted = false;
  // Ids of the rows added.  A delivery whose id is already stored (the
  // same alert version reached the notifier twice) is not added again.
  std::vector<std::string> added;
};

struct StateCounts {
  int64_t pending = 0;
  int64_t delivered = 0;
  int64_t dead = 0;
};

// The first pending delivery of one subscriber, in event order.
struct QueueHead {
  std::string subscriber_id;
  core::Instant next_attempt_at{};
};

// Thread-safe: every method serialises on one connection.  Database
// failures (disk full, corruption) throw std::runtime_error; the caller
// treats them as a failed step and retries it later.
class Outbox {
 public:
  // Opens or creates the outbox file at `path` (WAL, synchronous=NORMAL).
  // Throws std::runtime_error when it cannot (start-up).
  explicit Outbox(const std::string& path);

  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // The seq of the last alert event handled; 0 before the first.
  uint64_t Cursor();

  // Adds `deliveries` as the outcome of event `event_seq` and moves the
  // cursor to it, in one transaction.  Pending rows are due at `now`.
  // An event at or below the cursor is ignored.
  EnqueueResult Enqueue(uint64_t event_seq,
                        const std::vector<NewDelivery>& deliveries,
                        core::Instant now);

  // Adds `deliveries` outside the event stream (escalations, a subscriber
  // added by a reload), ordered as if they came with the event at the
  // cursor, which stays where it is.  Returns the ids of the rows added.
  std::vector<std::string> Insert(const std::vector<NewDelivery>& deliveries,
                                  core::Instant now);

  // The first pending delivery of every subscriber that has one, by
  // subscriber id.
  std::vector<QueueHead> Heads();

  // The pending deliveries of `subscriber_id` in event order from its
  // first one on, as long as each is due at `now`, at most `limit` of
  // them.  None while the first waits for a retry, so a subscriber
  // receives its alerts in order.
  std::vector<Delivery> Due(const std::string& subscriber_id, core::Instant now,
                            size_t limit);
  // When the first pending delivery of `subscriber_id` is due; nullopt
  // when it has none.
  std::optional<core::Instant> NextAttempt(const std::string& subscriber_id);

  // Records one attempt of a pending delivery.  `error` says why it failed.
  void MarkDelivered(const std::string& id, core::Instant now);
  // Several at once, in one commit.
  void MarkDelivered(const std::vector<std::string>& ids, core::Instant now);
  void MarkRetry(const std::string& id, core::Instant next_attempt_at,
                 const std::string& error, core::Instant now);
  void MarkDead(const std::string& id, const std::string& error,
                core::Instant now);

  std::optional<Delivery> Get(const std::string& id);
  StateCounts Counts();
  // Dead deliveries, the most recently given up first, at most `limit`.
  std::vector<Delivery> DeadLetters(size_t limit);

  // Makes a dead delivery pending again, due at `now`, with its attempts
  // counted from zero; its queue goes on in event order, so it goes out
  // after the subscriber's earlier pending ones.  False when `id` is not
  // a dead delivery.
  bool Replay(const std::string& id, core::Instant now);

  // The rest of the notifier's state, on the same connection.
  NotifyStore& store() { return store_; }

  // Runs `work` in one transaction: what it does through the outbox and
  // the store lasts together or not at all, and costs one commit.  Other
  // threads' calls wait until it is done.
  template <typename Work>
  void InTransaction(Work&& work) {
    std::lock_guard lock(mu_);
    core::Transaction tx(db_);
    work();
    tx.Commit();
  }

 private:
  // Inserts the rows; the ids of those added.  REQUIRES: mu_ held.
  std::vector<std::string> InsertLocked(
      uint64_t event_seq, const std::vector<NewDelivery>& deliveries,
      core::Instant now);

  // Records an attempt; `next_attempt_at` is kept as it was when absent.
  void RecordAttempt(const std::string& id, DeliveryState state,
                     std::optional<core::Instant> next_attempt_at,
                     const std::string& error, core::Instant now);

  std::recursive_mutex mu_;
  core::Database db_;  // guarded by mu_
  core::WalCheckpointer checkpointer_;  // commits never wait for one
  NotifyStore store_;  // on db_
};

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_OUTBOX_H_
