#include "notifier/outbox.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/digest.h"

namespace slagboom::notifier {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS notifier_cursor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  event_seq INTEGER NOT NULL
);
INSERT OR IGNORE INTO notifier_cursor (id, event_seq) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS deliveries (
  id TEXT PRIMARY KEY,
  subscriber_id TEXT NOT NULL,
  alert_id TEXT NOT NULL,
  alert_version INTEGER NOT NULL,
  event_seq INTEGER NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_queue
  ON deliveries (state, subscriber_id, event_seq);
)sql";

constexpr char kColumns[] =
    "id, subscriber_id, alert_id, alert_version, event_seq, payload, state, "
    "attempts, next_attempt_ms, last_error, created_ms, updated_ms";

int64_t ToMs(core::Instant t) { return t.time_since_epoch().count(); }
core::Instant FromMs(int64_t ms) { return core::Instant(core::Duration(ms)); }

DeliveryState StateFromName(std::string_view name) {
  if (name == "delivered") return DeliveryState::kDelivered;
  if (name == "dead") return DeliveryState::kDead;
  return DeliveryState::kPending;
}

// Reads a row selected with kColumns.
Delivery ReadDelivery(const core::Statement& s) {
  Delivery d;
  d.id = s.Text(0);
  d.subscriber_id = s.Text(1);
  d.alert_id = s.Text(2);
  d.alert_version = static_cast<int>(s.Int(3));
  d.event_seq = static_cast<uint64_t>(s.Int(4));
  d.payload = s.Text(5);
  d.state = StateFromName(s.Text(6));
  d.attempts = static_cast<int>(s.Int(7));
  d.next_attempt_at = FromMs(s.Int(8));
  d.last_error = s.Text(9);
  d.created_at = FromMs(s.Int(10));
  d.updated_at = FromMs(s.Int(11));
  return d;
}

uint64_t ReadCursor(core::Database& db) {
  core::Statement s =
      db.Prepare("SELECT event_seq FROM notifier_cursor WHERE id = 1");
  return s.Step() ? static_cast<uint64_t>(s.Int(0)) : 0;
}

}  // namespace

std::string_view DeliveryStateName(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return "pending";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kDead:
      return "dead";
  }
  return "pending";
}

std::string MakeDeliveryId(std::string_view subscriber_id,
                           std::string_view alert_id, int alert_version) {
  return "dlv_" + core::Sha256Hex(fmt::format("{}\n{}\n{}", subscriber_id,
                                              alert_id, alert_version),
                                  24);
}

// synchronous=NORMAL: a commit survives a crash of the process; what a
// power loss takes back the notifier gets again by replay from the rules'
// cursor, so the one fsync on a report's path stays the one at ingest.
Outbox::Outbox(const std::string& path)
    : db_(path, core::Database::Durability::kNormal),
      checkpointer_(path, std::chrono::milliseconds(200)),
      store_(db_, mu_) {
  db_.LeaveCheckpoints();
  db_.Exec(kSchema);
}

uint64_t Outbox::Cursor() {
  std::lock_guard lock(mu_);
  return ReadCursor(db_);
}

EnqueueResult Outbox::Enqueue(uint64_t event_seq,
                              const std::vector<NewDelivery>& deliveries,
                              core::Instant now) {
  std::lock_guard lock(mu_);
  core::Transaction tx(db_);
  EnqueueResult result;
  if (event_seq <= ReadCursor(db_)) return result;
  result.added = InsertLocked(event_seq, deliveries, now);
  db_.Prepare("UPDATE notifier_cursor SET event_seq = ? WHERE id = 1")
      .Bind(1, static_cast<int64_t>(event_seq))
      .Run();
  tx.Commit();
  result.accepted = true;
  return result;
}

std::vector<std::string> Outbox::Insert(
    const std::vector<NewDelivery>& deliveries, core::Instant now) {
  std::lock_guard lock(mu_);
  core::Transaction tx(db_);
  std::vector<std::string> added =
      InsertLocked(ReadCursor(db_), deliveries, now);
  tx.Commit();
  return added;
}

std::vector<std::string> Outbox::InsertLocked(
    uint64_t event_seq, const std::vector<NewDelivery>& deliveries,
    core::Instant now) {
  // A repeated id keeps the row already there.
  std::vector<std::string> added;
  core::Statement insert = db_.Prepare(
      "INSERT OR IGNORE INTO deliveries (id, subscriber_id, alert_id, "
      "alert_version, event_seq, payload, state, attempts, next_attempt_ms, "
      "created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const NewDelivery& d : deliveries) {
    bool done = d.state != DeliveryState::kPending;
    insert.Bind(1, d.id)
        .Bind(2, d.subscriber_id)
        .Bind(3, d.alert_id)
        .Bind(4, int64_t{d.alert_version})
        .Bind(5, static_cast<int64_t>(event_seq))
        .Bind(6, d.payload)
        .Bind(7, DeliveryStateName(d.state))
        .Bind(8, int64_t{done ? 1 : 0})
        .Bind(9, ToMs(std::max(now, d.not_before.value_or(now))))
        .Bind(10, ToMs(now))
        .Bind(11, ToMs(now));
    insert.Run();
    if (db_.Changes() > 0) added.push_back(d.id);
  }
  return added;
}

std::vector<QueueHead> Outbox::Heads() {
  std::lock_guard lock(mu_);
  // SQLite takes the bare column from the row that holds the MIN.
  core::Statement s = db_.Prepare(
      "SELECT subscriber_id, next_attempt_ms, MIN(event_seq) FROM deliveries "
      "WHERE state = 'pending' GROUP BY subscriber_id ORDER BY subscriber_id");
  std::vector<QueueHead> heads;
  while (s.Step()) heads.push_back({s.Text(0), FromMs(s.Int(1))});
  return heads;
}

std::vector<Delivery> Outbox::Due(const std::string& subscriber_id,
                                  core::Instant now, size_t limit) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      fmt::format("SELECT {} FROM deliveries WHERE state = 'pending' AND "
                  "subscriber_id = ? ORDER BY event_seq, id LIMIT ?",
                  kColumns));
  s.Bind(1, subscriber_id).Bind(2, static_cast<int64_t>(limit));
  std::vector<Delivery> due;
  while (s.Step()) {
    Delivery d = ReadDelivery(s);
    if (d.next_attempt_at > now) break;  // the rest waits behind it
    due.push_back(std::move(d));
  }
  return due;
}

std::optional<core::Instant> Outbox::NextAttempt(
    const std::string& subscriber_id) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      "SELECT next_attempt_ms FROM deliveries WHERE state = 'pending' AND "
      "subscriber_id = ? ORDER BY event_seq, id LIMIT 1");
  s.Bind(1, subscriber_id);
  if (!s.Step()) return std::nullopt;
  return FromMs(s.Int(0));
}

void Outbox::MarkDelivered(const std::string& id, core::Instant now) {
  RecordAttempt(id, DeliveryState::kDelivered, std::nullopt, "", now);
}

void Outbox::MarkDelivered(const std::vector<std::string>& ids,
                           core::Instant now) {
  if (ids.empty()) return;
  std::lock_guard lock(mu_);
  core::Transaction tx(db_);
  for (const std::string& id : ids)
    RecordAttempt(id, DeliveryState::kDelivered, std::nullopt, "", now);
  tx.Commit();
}

void Outbox::MarkRetry(const std::string& id, core::Instant next_attempt_at,
                       const std::string& error, core::Instant now) {
  RecordAttempt(id, DeliveryState::kPending, next_attempt_at, error, now);
}

void Outbox::MarkDead(const std::string& id, const std::string& error,
                      core::Instant now) {
  RecordAttempt(id, DeliveryState::kDead, std::nullopt, error, now);
}

void Outbox::RecordAttempt(const std::string& id, DeliveryState state,
                           std::optional<core::Instant> next_attempt_at,
                           const std::string& error, core::Instant now) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      "UPDATE deliveries SET state = ?, attempts = attempts + 1, "
      "next_attempt_ms = COALESCE(?, next_attempt_ms), last_error = ?, "
      "updated_ms = ? WHERE id = ? AND state = 'pending'");
  s.Bind(1, DeliveryStateName(state));
  if (next_attempt_at) {
    s.Bind(2, ToMs(*next_attempt_at));
  } else {
    s.BindNull(2);
  }
  s.Bind(3, error).Bind(4, ToMs(now)).Bind(5, id).Run();
}

std::optional<Delivery> Outbox::Get(const std::string& id) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      fmt::format("SELECT {} FROM deliveries WHERE id = ?", kColumns));
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return ReadDelivery(s);
}

StateCounts Outbox::Counts() {
  std::lock_guard lock(mu_);
  core::Statement s =
      db_.Prepare("SELECT state, COUNT(*) FROM deliveries GROUP BY state");
  StateCounts counts;
  while (s.Step()) {
    switch (StateFromName(s.Text(0))) {
      case DeliveryState::kPending:
        counts.pending = s.Int(1);
        break;
      case DeliveryState::kDelivered:
        counts.delivered = s.Int(1);
        break;
      case DeliveryState::kDead:
        counts.dead = s.Int(1);
        break;
    }
  }
  return counts;
}

std::vector<Delivery> Outbox::DeadLetters(size_t limit) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      fmt::format("SELECT {} FROM deliveries WHERE state = 'dead' "
                  "ORDER BY updated_ms DESC, event_seq DESC LIMIT ?",
                  kColumns));
  s.Bind(1, static_cast<int64_t>(limit));
  std::vector<Delivery> dead;
  while (s.Step()) dead.push_back(ReadDelivery(s));
  return dead;
}

bool Outbox::Replay(const std::string& id, core::Instant now) {
  std::lock_guard lock(mu_);
  db_.Prepare(
         "UPDATE deliveries SET state = 'pending', attempts = 0, "
         "next_attempt_ms = ?, "
         "updated_ms = ? WHERE id = ? AND state = 'dead'")
      .Bind(1, ToMs(now))
      .Bind(2, ToMs(now))
      .Bind(3, id)
      .Run();
  return db_.Changes() > 0;
}

}  // namespace slagboom::notifier
