#include "notifier/notify_store.h"

#include <algorithm>

#include "core/digest.h"
#include "notifier/routing.h"

namespace slagboom::notifier {
namespace {

// The feedback table is read by the back-test: keep its shape.
constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  severity TEXT NOT NULL,
  key_kind TEXT NOT NULL,
  key TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_key ON alerts (key_kind, key);
CREATE TABLE IF NOT EXISTS acks (
  alert_id TEXT PRIMARY KEY,
  by TEXT,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
  alert_id TEXT PRIMARY KEY,
  verdict TEXT NOT NULL,
  by TEXT,
  at INTEGER
);
CREATE TABLE IF NOT EXISTS silences (
  id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  key TEXT NOT NULL,
  region TEXT NOT NULL,
  until_ms INTEGER NOT NULL,
  by TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sends (
  subscriber_id TEXT NOT NULL,
  alert_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  incident_count INTEGER NOT NULL,
  scheduled_ms INTEGER NOT NULL,
  PRIMARY KEY (subscriber_id, alert_id, version)
);
CREATE INDEX IF NOT EXISTS sends_by_time ON sends (subscriber_id, scheduled_ms);
CREATE TABLE IF NOT EXISTS escalations (
  alert_id TEXT NOT NULL,
  from_id TEXT NOT NULL,
  to_id TEXT NOT NULL,
  due_ms INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (alert_id, from_id)
);
CREATE TABLE IF NOT EXISTS known_subscribers (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS groups (
  subscriber_id TEXT NOT NULL,
  group_key TEXT NOT NULL,
  message INTEGER NOT NULL DEFAULT 1,
  due_ms INTEGER,
  flushed_ms INTEGER,
  PRIMARY KEY (subscriber_id, group_key)
);
CREATE TABLE IF NOT EXISTS group_alerts (
  subscriber_id TEXT NOT NULL,
  group_key TEXT NOT NULL,
  alert_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (subscriber_id, group_key, alert_id)
);
CREATE TABLE IF NOT EXISTS subscriptions (
  id TEXT PRIMARY KEY,
  json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_versions (
  alert_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  seen_ms INTEGER NOT NULL,
  PRIMARY KEY (alert_id, version)
);
)sql";

int64_t ToMs(core::Instant t) { return t.time_since_epoch().count(); }
core::Instant FromMs(int64_t ms) { return core::Instant(core::Duration(ms)); }

StoredAlert ReadAlert(const std::string& json) {
  StoredAlert stored;
  stored.json = json;
  // Stored only after it was read once, so it reads again.
  (void)rules::AlertFromJson(nlohmann::json::parse(json), &stored.alert);
  return stored;
}

Silence ReadSilence(const core::Statement& s) {
  return {s.Text(0),        s.Text(1), s.Text(2),       s.Text(3),
          FromMs(s.Int(4)), s.Text(5), FromMs(s.Int(6))};
}

}  // namespace

bool Silence::Matches(const rules::Alert& alert) const {
  if (!rule.empty() && rule != alert.rule_id) return false;
  if (!key.empty() && key != alert.key) return false;
  return region.empty() || std::find(alert.regions.begin(), alert.regions.end(),
                                     region) != alert.regions.end();
}

NotifyStore::NotifyStore(core::Database& db, std::recursive_mutex& mu)
    : mu_(mu), db_(db) {
  std::lock_guard lock(mu_);
  db_.Exec(kSchema);
}

void NotifyStore::PutAlert(const rules::Alert& alert, const std::string& json,
                           core::Instant seen_at) {
  std::lock_guard lock(mu_);
  core::Transaction tx(db_);
  db_.Prepare(
         "INSERT OR IGNORE INTO alert_versions (alert_id, version, seen_ms) "
         "VALUES (?, ?, ?)")
      .Bind(1, alert.id)
      .Bind(2, int64_t{alert.version})
      .Bind(3, ToMs(seen_at))
      .Run();
  db_.Prepare(
         "INSERT INTO alerts (id, version, state, severity, key_kind, key, "
         "json) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
         "version = excluded.version, state = excluded.state, severity = "
         "excluded.severity, key_kind = excluded.key_kind, key = excluded.key,"
         " json = excluded.json WHERE excluded.version > alerts.version")
      .Bind(1, alert.id)
      .Bind(2, int64_t{alert.version})
      .Bind(3, rules::AlertStateName(alert.state))
      .Bind(4, alert.severity)
      .Bind(5, alert.key_kind)
      .Bind(6, alert.key)
      .Bind(7, json)
      .Run();
  tx.Commit();
}

std::vector<std::pair<int, core::Instant>> NotifyStore::Versions(
    const std::string& alert_id) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      "SELECT version, seen_ms FROM alert_versions WHERE alert_id = ? "
      "ORDER BY version");
  s.Bind(1, alert_id);
  std::vector<std::pair<int, core::Instant>> versions;
  while (s.Step())
    versions.emplace_back(static_cast<int>(s.Int(0)), FromMs(s.Int(1)));
  return versions;
}

std::optional<StoredAlert> NotifyStore::GetAlert(const std::string& id) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare("SELECT json FROM alerts WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return ReadAlert(s.Text(0));
}

std::vector<StoredAlert> NotifyStore::OpenAlerts() {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      "SELECT json FROM alerts WHERE state != 'resolved' ORDER BY id");
  std::vector<StoredAlert> open;
  while (s.Step()) open.push_back(ReadAlert(s.Text(0)));
  return open;
}

bool NotifyStore::Inhibited(const rules::Alert& alert) {
  if (alert.key_kind.empty() || alert.key_kind == "none") return false;
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      "SELECT severity FROM alerts WHERE key_kind = ? AND key = ? AND "
      "id != ? AND state != 'resolved'");
  s.Bind(1, alert.key_kind).Bind(2, alert.key).Bind(3, alert.id);
  while (s.Step()) {
    if (SeverityRank(s.Text(0)) > SeverityRank(alert.severity)) return true;
  }
  return false;
}

core::Status NotifyStore::AddAck(const std::string& alert_id,
                                 const std::string& by, core::Instant at,
                                 Ack* stored) {
  std::lock_guard lock(mu_);
  core::Transaction tx(db_);
  core::Statement known = db_.Prepare("SELECT 1 FROM alerts WHERE id = ?");
  known.Bind(1, alert_id);
  if (!known.Step()) return core::Status::NotFound("no such alert");
  db_.Prepare("INSERT OR IGNORE INTO acks (alert_id, by, at) VALUES (?, ?, ?)")
      .Bind(1, alert_id)
      .Bind(2, by)
      .Bind(3, ToMs(at))
      .Run();
  core::Statement s = db_.Prepare("SELECT by, at FROM acks WHERE alert_id = ?");
  s.Bind(1, alert_id);
  s.Step();
  *stored = {alert_id, s.Text(0), FromMs(s.Int(1))};
  tx.Commit();
  return core::Status::Ok();
}

std::optional<Ack> NotifyStore::GetAck(const std::string& alert_id) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare("SELECT by, at FROM acks WHERE alert_id = ?");
  s.Bind(1, alert_id);
  if (!s.Step()) return std::nullopt;
  return Ack{alert_id, s.Text(0), FromMs(s.Int(1))};
}

core::Status NotifyStore::SetFeedback(const Feedback& feedback) {
  if (feedback.verdict != "confirmed" && feedback.verdict != "false_positive")
    return core::Status::Invalid(
        "invalid feedback",
        {{"verdict", "must be confirmed or false_positive"}});
  std::lock_guard lock(mu_);
  core::Transaction tx(db_);
  core::Statement known = db_.Prepare("SELECT 1 FROM alerts WHERE id = ?");
  known.Bind(1, feedback.alert_id);
  if (!known.Step()) return core::Status::NotFound("no such alert");
  db_.Prepare(
         "INSERT INTO feedback (alert_id, verdict, by, at) VALUES (?, ?, ?, ?)"
         " ON CONFLICT (alert_id) DO UPDATE SET verdict = excluded.verdict, "
         "by = excluded.by, at = excluded.at")
      .Bind(1, feedback.alert_id)
      .Bind(2, feedback.verdict)
      .Bind(3, feedback.by)
      .Bind(4, ToMs(feedback.at))
      .Run();
  tx.Commit();
  return core::Status::Ok();
}

std::optional<Feedback> NotifyStore::GetFeedback(const std::string& alert_id) {
  std::lock_guard lock(mu_);
  core::Statement s =
      db_.Prepare("SELECT verdict, by, at FROM feedback WHERE alert_id = ?");
  s.Bind(1, alert_id);
  if (!s.Step()) return std::nullopt;
  return Feedback{alert_id, s.Text(0), s.Text(1), FromMs(s.Int(2))};
}

std::string NotifyStore::AddSilence(Silence silence) {
  silence.id = "sil_" + core::RandomHex(12);
  std::lock_guard lock(mu_);
  db_.Prepare(
         "INSERT INTO silences (id, rule, key, region, until_ms, by, "
         "created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, silence.id)
      .Bind(2, silence.rule)
      .Bind(3, silence.key)
      .Bind(4, silence.region)
      .Bind(5, ToMs(silence.until))
      .Bind(6, silence.by)
      .Bind(7, ToMs(silence.created_at))
      .Run();
  return silence.id;
}

std::vector<Silence> NotifyStore::ActiveSilences(core::Instant now) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      "SELECT id, rule, key, region, until_ms, by, created_ms FROM silences "
      "WHERE until_ms > ? ORDER BY created_ms DESC, id");
  s.Bind(1, ToMs(now));
  std::vector<Silence> active;
  while (s.Step()) active.push_back(ReadSilence(s));
  return active;
}

bool NotifyStore::RemoveSilence(const std::string& id) {
  std::lock_guard lock(mu_);
  db_.Prepare("DELETE FROM silences WHERE id = ?").Bind(1, id).Run();
  return db_.Changes() > 0;
}

bool NotifyStore::Silenced(const rules::Alert& alert, core::Instant now) {
  std::vector<Silence> active = ActiveSilences(now);
  return std::any_of(active.begin(), active.end(),
                     [&](const Silence& s) { return s.Matches(alert); });
}

void NotifyStore::RecordSend(const std::string& subscriber_id,
                             const rules::Alert& alert,
                             core::Instant scheduled_at) {
  std::lock_guard lock(mu_);
  db_.Prepare(
         "INSERT OR IGNORE INTO sends (subscriber_id, alert_id, version, "
         "state, incident_count, scheduled_ms) VALUES (?, ?, ?, ?, ?, ?)")
      .Bind(1, subscriber_id)
      .Bind(2, alert.id)
      .Bind(3, int64_t{alert.version})
      .Bind(4, rules::AlertStateName(alert.state))
      .Bind(5, static_cast<int64_t>(alert.incidents.size()))
      .Bind(6, ToMs(scheduled_at))
      .Run();
}

std::optional<SendRecord> NotifyStore::LastSend(
    const std::string& subscriber_id, const std::string& alert_id) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      "SELECT version, state, incident_count, scheduled_ms FROM sends WHERE "
      "subscriber_id = ? AND alert_id = ? ORDER BY version DESC LIMIT 1");
  s.Bind(1, subscriber_id).Bind(2, alert_id);
  if (!s.Step()) return std::nullopt;
  return SendRecord{static_cast<int>(s.Int(0)), s.Text(1), s.Int(2),
                    FromMs(s.Int(3))};
}

std::vector<core::Instant> NotifyStore::RecentSends(
    const std::string& subscriber_id, size_t n) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      "SELECT scheduled_ms FROM sends WHERE subscriber_id = ? "
      "ORDER BY scheduled_ms DESC LIMIT ?");
  s.Bind(1, subscriber_id).Bind(2, static_cast<int64_t>(n));
  std::vector<core::Instant> times;
  while (s.Step()) times.push_back(FromMs(s.Int(0)));
  return times;
}

void NotifyStore::AddEscalation(const Escalation& e) {
  std::lock_guard lock(mu_);
  db_.Prepare(
         "INSERT OR IGNORE INTO escalations (alert_id, from_id, to_id, "
         "due_ms) VALUES (?, ?, ?, ?)")
      .Bind(1, e.alert_id)
      .Bind(2, e.from)
      .Bind(3, e.to)
      .Bind(4, ToMs(e.due_at))
      .Run();
}

std::vector<Escalation> NotifyStore::DueEscalations(core::Instant now) {
  std::lock_guard lock(mu_);
  core::Statement s = db_.Prepare(
      "SELECT alert_id, from_id, to_id, due_ms FROM escalations "
      "WHERE done = 0 AND due_ms <= ? ORDER BY due_ms, alert_id");
  s.Bind(1, ToMs(now));
  std::vector<Escalation> due;
  while (s.Step())
    due.push_back({s.Text(0), s.Text(1), s.Text(2), FromMs(s.Int(3))});
  return due;
}

std::optional<core::Instant> NotifyStore::NextEscalation() {
  std::lock_guard lock(mu_);
  core::Statement s =
      db_.Prepare("SELECT MIN(due_ms) FROM escalations WHERE done = 0");
  if (!s.Step() || s.IsNull(0)) return std::nullopt;
  return FromMs(s.Int(0));
}

void NotifyStore::FinishEscalation(const std::string& alert_id,
                                   const std::string& from) {
  std::lock_guard lock(mu_);
  db_.Prepare(
         "UPDATE escalations SET done = 1 WHERE alert_id = ? AND from_id = ?")
      .Bind(1, alert_id)
      .Bind(2, from)
      .Run();
}

std::vector<std::string> NotifyStore::AddKnownSubscribers(
    const std::vector<std::string>& ids) {
  std::lock_guard lock(mu_);
  core::Transaction tx(db_);
  std::vector<std::string> added;
  core::Statement insert =
      db_.Prepare("INSERT OR IGNORE INTO known_subscribers (id) VALUES (?)");
  for (const std::string& id : ids) {
    insert.Bind(1, id).Run();
    if (db_.Changes() > 0) added.push_back(id);
  }
  tx.Commit();
  return added;
}

void NotifyStore::AddToGroup(const std::string& subscriber_id,
                             const std::string& key, const GroupedAlert& alert,
                             core::Instant now, core::Duration wait,
                             core::Duration interval) {
  std::lock_guard lock(mu_);
  core::Transaction tx(db_);
  db_.Prepare(
         "INSERT INTO group_alerts (subscriber_id, group_key, alert_id, "
         "version, json) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
         "version = excluded.version, json = excluded.json "
         "WHERE excluded.version > group_alerts.version")
      .Bind(1, subscriber_id)
      .Bind(2, key)
      .Bind(3, alert.alert_id)
      .Bind(4, int64_t{alert.version})
      .Bind(5, alert.json)
      .Run();

  // Due already: the alert goes with that message.
  core::Statement q = db_.Prepare(
      "SELECT due_ms, flushed_ms FROM groups WHERE subscriber_id = ? AND "
      "group_key = ?");
  q.Bind(1, subscriber_id).Bind(2, key);
  bool known = q.Step();
  if (known && !q.IsNull(0)) {
    tx.Commit();
    return;
  }
  core::Instant due = now + wait;
  if (known && !q.IsNull(1) && FromMs(q.Int(1)) + interval > now)
    due = FromMs(q.Int(1)) + interval;
  db_.Prepare(
         "INSERT INTO groups (subscriber_id, group_key, due_ms) VALUES (?, ?, "
         "?) ON CONFLICT DO UPDATE SET due_ms = excluded.due_ms")
      .Bind(1, subscriber_id)
      .Bind(2, key)
      .Bind(3, ToMs(due))
      .Run();
  tx.Commit();
}

std::vector<DueGroup> NotifyStore::DueGroups(core::Instant now) {
  std::lock_guard lock(mu_);
  std::vector<DueGroup> groups;
  core::Statement q = db_.Prepare(
      "SELECT subscriber_id, group_key, message FROM groups WHERE due_ms <= ? "
      "ORDER BY due_ms, subscriber_id, group_key");
  q.Bind(1, ToMs(now));
  while (q.Step())
    groups.push_back({q.Text(0), q.Text(1), static_cast<int>(q.Int(2)), {}});
  core::Statement a = db_.Prepare(
      "SELECT alert_id, version, json FROM group_alerts WHERE subscriber_id = "
      "? AND group_key = ? ORDER BY alert_id");
  for (DueGroup& g : groups) {
    a.Bind(1, g.subscriber_id).Bind(2, g.key);
    while (a.Step())
      g.alerts.push_back({a.Text(0), static_cast<int>(a.Int(1)), a.Text(2)});
    a.Reset();
  }
  return groups;
}

std::optional<core::Instant> NotifyStore::NextGroupDue() {
  std::lock_guard lock(mu_);
  core::Statement q = db_.Prepare("SELECT MIN(due_ms) FROM groups");
  if (!q.Step() || q.IsNull(0)) return std::nullopt;
  return FromMs(q.Int(0));
}

void NotifyStore::FinishGroup(const DueGroup& group, core::Instant now,
                              core::Duration interval) {
  std::lock_guard lock(mu_);
  core::Transaction tx(db_);
  core::Statement drop = db_.Prepare(
      "DELETE FROM group_alerts WHERE subscriber_id = ? AND group_key = ? "
      "AND alert_id = ? AND version <= ?");
  for (const GroupedAlert& a : group.alerts) {
    drop.Bind(1, group.subscriber_id)
        .Bind(2, group.key)
        .Bind(3, a.alert_id)
        .Bind(4, int64_t{a.version});
    drop.Run();
  }
  core::Statement left = db_.Prepare(
      "SELECT COUNT(*) FROM group_alerts WHERE subscriber_id = ? AND "
      "group_key = ?");
  left.Bind(1, group.subscriber_id).Bind(2, group.key);
  left.Step();
  core::Statement update = db_.Prepare(
      "UPDATE groups SET message = ?, flushed_ms = ?, due_ms = ? "
      "WHERE subscriber_id = ? AND group_key = ?");
  update.Bind(1, int64_t{group.message + 1}).Bind(2, ToMs(now));
  if (left.Int(0) > 0) {
    update.Bind(3, ToMs(now + interval));
  } else {
    update.BindNull(3);
  }
  update.Bind(4, group.subscriber_id).Bind(5, group.key).Run();
  tx.Commit();
}

void NotifyStore::PutSubscription(const std::string& id,
                                  const std::string& json) {
  std::lock_guard lock(mu_);
  db_.Prepare(
         "INSERT INTO subscriptions (id, json) VALUES (?, ?) "
         "ON CONFLICT (id) DO UPDATE SET json = excluded.json")
      .Bind(1, id)
      .Bind(2, json)
      .Run();
}

bool NotifyStore::RemoveSubscription(const std::string& id) {
  std::lock_guard lock(mu_);
  db_.Prepare("DELETE FROM subscriptions WHERE id = ?").Bind(1, id).Run();
  return db_.Changes() > 0;
}

std::vector<std::string> NotifyStore::Subscriptions() {
  std::lock_guard lock(mu_);
  core::Statement q = db_.Prepare("SELECT json FROM subscriptions ORDER BY id");
  std::vector<std::string> out;
  while (q.Step()) out.push_back(q.Text(0));
  return out;
}

}  // namespace slagboom::notifier
