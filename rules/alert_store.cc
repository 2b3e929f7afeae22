#include "rules/alert_store.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace slagboom::rules {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  cursor INTEGER NOT NULL,
  watermark INTEGER,
  late INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
  rule TEXT NOT NULL,
  key TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time INTEGER NOT NULL,
  region TEXT NOT NULL,
  step TEXT NOT NULL,
  offence TEXT NOT NULL,
  PRIMARY KEY (rule, key, incident_id)
);
CREATE INDEX IF NOT EXISTS entries_by_time ON entries (time);
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  state TEXT NOT NULL,
  version INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_by_last ON alerts (last_at);
CREATE TABLE IF NOT EXISTS alert_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id TEXT NOT NULL,
  doc TEXT NOT NULL
);
INSERT OR IGNORE INTO state (id, cursor, watermark, late)
  VALUES (1, 0, NULL, 0);
)sql";

constexpr uint64_t kPruneEvery = 1000;
constexpr std::chrono::milliseconds kCheckpointEvery{200};

// Positions are kept in units of 1e-7 degree (about a centimetre).
constexpr double kE7 = 1e7;

// Files written before entries carried positions gain the columns.
void AddPositionColumns(core::Database& db) {
  auto q = db.Prepare(
      "SELECT COUNT(*) FROM pragma_table_info('entries') "
      "WHERE name = 'lat_e7'");
  q.Step();
  if (q.Int(0) > 0) return;
  db.Exec("ALTER TABLE entries ADD COLUMN lat_e7 INTEGER");
  db.Exec("ALTER TABLE entries ADD COLUMN lon_e7 INTEGER");
}

// Files written before entries carried a TLP and a sector gain the
// columns; their entries read back as AMBER without a sector.
void AddTlpColumns(core::Database& db) {
  auto q = db.Prepare(
      "SELECT COUNT(*) FROM pragma_table_info('entries') "
      "WHERE name = 'tlp'");
  q.Step();
  if (q.Int(0) > 0) return;
  db.Exec("ALTER TABLE entries ADD COLUMN tlp INTEGER");
  db.Exec("ALTER TABLE entries ADD COLUMN sector TEXT");
}

void BindPosition(core::Statement& q, int index, std::optional<double> v) {
  if (v) {
    q.Bind(index, static_cast<int64_t>(std::llround(*v * kE7)));
  } else {
    q.BindNull(index);
  }
}

std::optional<double> ReadPosition(const core::Statement& q, int column) {
  if (q.IsNull(column)) return std::nullopt;
  return static_cast<double>(q.Int(column)) / kE7;
}

int64_t Millis(core::Instant t) { return t.time_since_epoch().count(); }
core::Instant FromMillis(int64_t ms) {
  return core::Instant(core::Duration(ms));
}

Alert ParseAlert(const std::string& doc) {
  Alert alert;
  core::Status s = AlertFromJson(nlohmann::json::parse(doc), &alert);
  if (!s.ok()) throw std::runtime_error(s.ToString());
  return alert;
}

}  // namespace

AlertStore::AlertStore(const std::string& path)
    : db_(path, core::Database::Durability::kNormal),
      checkpointer_(path, kCheckpointEvery) {
  db_.LeaveCheckpoints();
  db_.Exec(kSchema);
  AddPositionColumns(db_);
  AddTlpColumns(db_);
}

AlertStore::Saved AlertStore::LoadState() {
  std::lock_guard<std::mutex> lock(mu_);
  auto q = db_.Prepare("SELECT cursor, watermark, late FROM state");
  Saved saved;
  if (q.Step()) {
    saved.cursor = static_cast<uint64_t>(q.Int(0));
    saved.has_watermark = !q.IsNull(1);
    saved.watermark = FromMillis(q.Int(1));
    saved.late = static_cast<uint64_t>(q.Int(2));
  }
  return saved;
}

void AlertStore::LoadInto(Engine& engine) {
  Saved saved = LoadState();
  std::lock_guard<std::mutex> lock(mu_);
  if (saved.has_watermark) engine.RestoreWatermark(saved.watermark, saved.late);
  std::vector<std::string> ids;
  core::Duration widest{0};
  for (const auto& rule : engine.rules()) {
    ids.push_back(rule->config().id);
    widest = std::max(widest, rule->reach());
  }

  auto entries = db_.Prepare(
      "SELECT rule, key, incident_id, seq, time, region, step, offence, "
      "lat_e7, lon_e7, tlp, sector FROM entries ORDER BY time");
  while (entries.Step()) {
    auto it = std::find(ids.begin(), ids.end(), entries.Text(0));
    if (it == ids.end()) continue;  // the rule is gone from the config
    Entry e;
    e.time = FromMillis(entries.Int(4));
    e.id = PackedString(entries.Text(2));
    e.seq = static_cast<uint64_t>(entries.Int(3));
    e.region = PackedString(entries.Text(5));
    e.step = core::ParseStep(entries.Text(6)).value_or(core::Step::kOffence);
    e.offence = PackedString(entries.Text(7));
    e.lat = ReadPosition(entries, 8);
    e.lon = ReadPosition(entries, 9);
    if (!entries.IsNull(10)) {
      e.tlp =
          static_cast<core::Tlp>(std::clamp<int64_t>(entries.Int(10), 0, 4));
    }
    if (!entries.IsNull(11)) e.sector = PackedString(entries.Text(11));
    engine.Restore(static_cast<size_t>(it - ids.begin()), entries.Text(1), e);
  }
  // Recently resolved alerts too: a late incident may still join one.
  auto open = db_.Prepare(
      "SELECT doc FROM alerts WHERE state != 'resolved' OR last_at >= ? "
      "ORDER BY first_at, id");
  open.Bind(1, Millis(engine.watermark() - engine.lateness() - 2 * widest));
  while (open.Step()) engine.RestoreAlert(ParseAlert(open.Text(0)));
}

std::vector<AlertEvent> AlertStore::Apply(uint64_t incident_seq,
                                          const Engine& engine,
                                          const Outcome& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  core::Transaction txn(db_);
  std::vector<AlertEvent> events;
  ApplyLocked(engine, outcome, &events);
  SaveState(incident_seq, engine);
  txn.Commit();
  return events;
}

std::vector<AlertEvent> AlertStore::Apply(
    const Engine& engine,
    const std::vector<std::pair<uint64_t, Outcome>>& outcomes) {
  std::vector<AlertEvent> events;
  if (outcomes.empty()) return events;
  std::lock_guard<std::mutex> lock(mu_);
  core::Transaction txn(db_);
  for (const auto& [seq, outcome] : outcomes)
    ApplyLocked(engine, outcome, &events);
  SaveState(outcomes.back().first, engine);
  txn.Commit();
  return events;
}

void AlertStore::ApplyLocked(const Engine& engine, const Outcome& outcome,
                             std::vector<AlertEvent>* events) {
  auto add = db_.Prepare(
      "INSERT OR IGNORE INTO entries (rule, key, incident_id, seq, time, "
      "region, step, offence, lat_e7, lon_e7, tlp, sector) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const Outcome::Added& a : outcome.added) {
    BindPosition(add, 9, a.entry.lat);
    BindPosition(add, 10, a.entry.lon);
    add.Bind(1, engine.rules()[a.rule]->config().id)
        .Bind(2, a.key)
        .Bind(3, a.entry.id.str())
        .Bind(4, static_cast<int64_t>(a.entry.seq))
        .Bind(5, Millis(a.entry.time))
        .Bind(6, a.entry.region.str())
        .Bind(7, std::string(core::StepName(a.entry.step)))
        .Bind(8, a.entry.offence.str())
        .Bind(11, static_cast<int64_t>(a.entry.tlp))
        .Bind(12, a.entry.sector.str());
    add.Run();
  }

  auto upsert = db_.Prepare(
      "INSERT INTO alerts (id, rule, state, version, first_at, last_at, doc) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
      "state = excluded.state, version = excluded.version, "
      "first_at = excluded.first_at, last_at = excluded.last_at, "
      "doc = excluded.doc");
  auto event =
      db_.Prepare("INSERT INTO alert_events (alert_id, doc) VALUES (?, ?)");
  auto drop = db_.Prepare("DELETE FROM alerts WHERE id = ?");
  for (const Alert& alert : outcome.changes) {
    const std::string doc = AlertToJson(alert).dump();
    if (alert.withdrawn) {
      drop.Bind(1, alert.id);
      drop.Run();
      event.Bind(1, alert.id).Bind(2, doc);
      event.Run();
      events->push_back({static_cast<uint64_t>(db_.LastInsertRowId()), alert});
      continue;
    }
    upsert.Bind(1, alert.id)
        .Bind(2, alert.rule_id)
        .Bind(3, AlertStateName(alert.state))
        .Bind(4, alert.version)
        .Bind(5, Millis(alert.first_at))
        .Bind(6, Millis(alert.last_at))
        .Bind(7, doc);
    upsert.Run();
    event.Bind(1, alert.id).Bind(2, doc);
    event.Run();
    events->push_back({static_cast<uint64_t>(db_.LastInsertRowId()), alert});
  }

  if (++applies_ % kPruneEvery == 0) Prune(engine);
}

void AlertStore::SaveState(uint64_t incident_seq, const Engine& engine) {
  auto state = db_.Prepare(
      "UPDATE state SET cursor = ?, watermark = ?, late = ? WHERE id = 1");
  state.Bind(1, static_cast<int64_t>(incident_seq))
      .Bind(2, Millis(engine.watermark()))
      .Bind(3, static_cast<int64_t>(engine.late_count()));
  state.Run();
}

// Entries behind the oldest window a new incident could still open are of
// no further use to any rule.
void AlertStore::Prune(const Engine& engine) {
  core::Duration widest{0};
  for (const auto& rule : engine.rules())
    widest = std::max(widest, rule->reach());
  // Members of an alert a late incident could still change stay, so that
  // after a restart the rule works out the same episodes again.
  auto q = db_.Prepare(
      "DELETE FROM entries WHERE time < ?1 AND NOT EXISTS ("
      "SELECT 1 FROM alerts a WHERE a.rule = entries.rule "
      "AND a.last_at >= ?1 - ?2 AND a.first_at <= entries.time)");
  q.Bind(1, Millis(engine.watermark() - engine.lateness() - widest))
      .Bind(2, static_cast<int64_t>(widest.count()));
  q.Run();
}

std::vector<AlertEvent> AlertStore::Retire(
    const std::vector<std::string>& rule_ids, core::Instant at) {
  std::lock_guard<std::mutex> lock(mu_);
  core::Transaction txn(db_);
  auto forget = db_.Prepare("DELETE FROM entries WHERE rule = ?");
  auto open = db_.Prepare(
      "SELECT doc FROM alerts WHERE rule = ? AND state != 'resolved' "
      "ORDER BY first_at, id");
  auto save = db_.Prepare(
      "UPDATE alerts SET state = 'resolved', version = ?, doc = ? "
      "WHERE id = ?");
  auto event =
      db_.Prepare("INSERT INTO alert_events (alert_id, doc) VALUES (?, ?)");
  std::vector<AlertEvent> events;
  for (const std::string& rule : rule_ids) {
    forget.Bind(1, rule);
    forget.Run();
    open.Bind(1, rule);
    std::vector<Alert> alerts;
    while (open.Step()) alerts.push_back(ParseAlert(open.Text(0)));
    open.Reset();
    for (Alert& a : alerts) {
      a.state = AlertState::kResolved;
      a.resolved_at = at;
      ++a.version;
      const std::string doc = AlertToJson(a).dump();
      save.Bind(1, a.version).Bind(2, doc).Bind(3, a.id);
      save.Run();
      event.Bind(1, a.id).Bind(2, doc);
      event.Run();
      events.push_back({static_cast<uint64_t>(db_.LastInsertRowId()), a});
    }
  }
  txn.Commit();
  return events;
}

std::vector<Alert> AlertStore::List(const AlertQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  auto q = db_.Prepare(
      "SELECT doc FROM alerts WHERE (?1 = '' OR state = ?1) "
      "AND (?2 = '' OR rule = ?2) ORDER BY first_at, id LIMIT ?3");
  q.Bind(1, query.state)
      .Bind(2, query.rule)
      .Bind(3, static_cast<int64_t>(query.limit));
  std::vector<Alert> out;
  while (q.Step()) out.push_back(ParseAlert(q.Text(0)));
  return out;
}

std::optional<Alert> AlertStore::Get(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto q = db_.Prepare("SELECT doc FROM alerts WHERE id = ?");
  q.Bind(1, id);
  if (!q.Step()) return std::nullopt;
  return ParseAlert(q.Text(0));
}

uint64_t AlertStore::LastEventSeq() {
  std::lock_guard<std::mutex> lock(mu_);
  auto q = db_.Prepare("SELECT COALESCE(MAX(seq), 0) FROM alert_events");
  q.Step();
  return static_cast<uint64_t>(q.Int(0));
}

size_t AlertStore::AlertCount() {
  std::lock_guard<std::mutex> lock(mu_);
  auto q = db_.Prepare("SELECT COUNT(*) FROM alerts");
  q.Step();
  return static_cast<size_t>(q.Int(0));
}

std::vector<broker::Event> AlertStore::ReadFrom(uint64_t from_seq, size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  auto q = db_.Prepare(
      "SELECT seq, doc FROM alert_events WHERE seq >= ? ORDER BY seq LIMIT ?");
  q.Bind(1, static_cast<int64_t>(from_seq)).Bind(2, static_cast<int64_t>(max));
  std::vector<broker::Event> out;
  while (q.Step()) {
    out.push_back(
        {broker::kAlertTopic, static_cast<uint64_t>(q.Int(0)), q.Text(1)});
  }
  return out;
}

}  // namespace slagboom::rules
