#include "ingest/incident_store.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/digest.h"

namespace slagboom::ingest {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS incidents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  reporter TEXT NOT NULL,
  report_id TEXT,
  content_hash TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  doc TEXT NOT NULL,
  UNIQUE (reporter, report_id)
);
CREATE INDEX IF NOT EXISTS incidents_by_time ON incidents (occurred_at);
)sql";

int64_t Millis(core::Instant t) { return t.time_since_epoch().count(); }

core::Incident FromDoc(const std::string& doc) {
  core::Incident inc;
  core::Status status =
      core::IncidentFromJson(nlohmann::json::parse(doc), &inc);
  if (!status.ok()) throw std::runtime_error(status.ToString());
  return inc;
}

// Calls one leader takes into one transaction at most: bounds the wait
// of the first caller of a group.
constexpr size_t kMaxGroupCalls = 1024;

}  // namespace

std::string ContentHash(const core::Incident& incident) {
  core::Incident bare = incident;
  bare.id.clear();
  bare.seq = 0;
  bare.received_at = {};
  return core::Sha256Hex(core::IncidentToJson(bare).dump(), 32);
}

IncidentStore::Writer::Writer(core::Database& db)
    : begin(db.Prepare("BEGIN IMMEDIATE")),
      commit(db.Prepare("COMMIT")),
      rollback(db.Prepare("ROLLBACK")),
      savepoint(db.Prepare("SAVEPOINT call")),
      release(db.Prepare("RELEASE call")),
      rollback_to(db.Prepare("ROLLBACK TO call")),
      last_seq(
          db.Prepare("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence "
                     "WHERE name = 'incidents'), 0), "
                     "COALESCE((SELECT MAX(seq) FROM incidents), 0))")),
      // One statement for the usual case, a new report; only when the key
      // is taken does `find` tell a retry from a conflict.
      insert(
          db.Prepare("INSERT INTO incidents (seq, id, reporter, report_id, "
                     "content_hash, occurred_at, received_at, doc) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")),
      find(db.Prepare("SELECT id, seq, content_hash FROM incidents "
                      "WHERE reporter = ? AND report_id = ?")),
      keep_sequence(db.Prepare("UPDATE sqlite_sequence SET seq = ? "
                               "WHERE name = 'incidents'")) {}

IncidentStore::IncidentStore(const std::string& path)
    : write_db_(path, core::Database::Durability::kFull),
      read_db_((write_db_.Exec(kSchema), path),
               core::Database::Durability::kFull),
      writer_(write_db_),
      checkpointer_(path, std::chrono::milliseconds(200)) {
  write_db_.LeaveCheckpoints();
}

// The content hash and the document are what ContentHash and
// IncidentToJson give; they are made here, in the caller's thread, so
// that the leader's work per report is a few binds.  nlohmann::json keeps
// an object's keys sorted, so the document is cut where "seq" belongs and
// the leader joins the two halves around the number.
IncidentStore::Prepared IncidentStore::Prepare(const core::Incident& inc) {
  Prepared p;
  nlohmann::json doc = core::IncidentToJson(inc);
  doc.erase("id");
  doc.erase("seq");
  doc.erase("received_at");
  p.hash = core::Sha256Hex(doc.dump(), 32);
  p.id = core::IncidentIdFor(inc);
  doc["id"] = p.id;
  if (inc.received_at != core::Instant{})
    doc["received_at"] = core::FormatInstant(inc.received_at);

  nlohmann::json head = nlohmann::json::object();
  nlohmann::json tail = nlohmann::json::object();
  for (auto it = doc.begin(); it != doc.end(); ++it)
    (it.key() < "seq" ? head : tail)[it.key()] = std::move(it.value());
  // "{a,b}" and "{c,d}" become "{a,b," and ",c,d}"; empty ones "{" and "}".
  p.doc_head = head.empty() ? "{" : head.dump();
  if (!head.empty()) p.doc_head.back() = ',';
  p.doc_tail = tail.empty() ? "}" : tail.dump();
  if (!tail.empty()) p.doc_tail.front() = ',';
  return p;
}

std::vector<CommitResult> IncidentStore::Commit(
    std::vector<core::Incident>& incidents, bool all_or_nothing,
    const std::function<void(const core::Incident&)>& after_commit) {
  if (!after_commit) return CommitWithDocs(incidents, all_or_nothing, {});
  return CommitWithDocs(
      incidents, all_or_nothing,
      [&after_commit](const core::Incident& inc, const std::string&) {
        after_commit(inc);
      });
}

std::vector<CommitResult> IncidentStore::CommitWithDocs(
    std::vector<core::Incident>& incidents, bool all_or_nothing,
    const OnStored& on_stored) {
  Call call;
  call.incidents = &incidents;
  call.all_or_nothing = all_or_nothing;
  call.on_stored = &on_stored;
  call.prepared.reserve(incidents.size());
  for (const core::Incident& inc : incidents)
    call.prepared.push_back(Prepare(inc));

  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_.push_back(&call);
  if (writing_) {
    call.cv.wait(lock, [&call] { return call.done || call.lead; });
  } else {
    writing_ = true;
    call.lead = true;
  }
  if (!call.done) Lead(lock);
  lock.unlock();
  if (call.error) std::rethrow_exception(call.error);
  return std::move(call.results);
}

void IncidentStore::Lead(std::unique_lock<std::mutex>& lock) {
  std::vector<Call*> group;
  TakeQueue(group);
  lock.unlock();
  WriteGroup(group);
  lock.lock();

  // Pass the lead to the oldest call that queued meanwhile (first, so the
  // disk gets its next transaction soon), then wake this group's callers.
  // Notified under the lock: a caller that sees `done` returns, and its
  // Call (and cv) is gone.
  if (queue_.empty()) {
    writing_ = false;
  } else {
    queue_.front()->lead = true;
    queue_.front()->cv.notify_one();
  }
  for (Call* c : group) {
    c->done = true;
    c->cv.notify_one();
  }
}

void IncidentStore::TakeQueue(std::vector<Call*>& group) {
  while (!queue_.empty() && group.size() < kMaxGroupCalls) {
    group.push_back(queue_.front());
    queue_.pop_front();
  }
}

void IncidentStore::WriteGroup(std::vector<Call*>& group) {
  try {
    writer_.begin.Run();
    writer_.last_seq.Step();
    uint64_t next_seq = static_cast<uint64_t>(writer_.last_seq.Int(0)) + 1;
    writer_.last_seq.Reset();

    // Write what there is, then what queued while it was written, so the
    // one flush of this transaction serves as many callers as it can.
    for (size_t written = 0; written < group.size();) {
      for (; written < group.size(); ++written)
        WriteCall(*group[written], next_seq);
      std::lock_guard<std::mutex> lock(queue_mu_);
      TakeQueue(group);
    }
    if (transaction_hook_) transaction_hook_(group.size());
    writer_.commit.Run();
    ++transactions_;
  } catch (...) {
    // Nothing of the group is stored; every caller hears why.
    if (sqlite3_get_autocommit(write_db_.handle()) == 0) {
      try {
        writer_.rollback.Run();
      } catch (...) {
        // The connection reports the failure on its next use.
      }
    }
    for (Call* call : group) {
      if (!call->error) call->error = std::current_exception();
    }
    return;
  }
  // Still the leader: no other transaction runs, so events leave in
  // sequence order.  A failure here must not keep the lead from passing
  // on; the incident is stored, and a subscriber replays it by seq.
  for (Call* call : group) {
    if (call->error || call->rolled_back || !*call->on_stored) continue;
    for (size_t i = 0; i < call->incidents->size(); ++i) {
      if (call->results[i].outcome != Outcome::kStored) continue;
      try {
        (*call->on_stored)((*call->incidents)[i], call->prepared[i].doc);
      } catch (const std::exception& e) {
        spdlog::error("ingest after-commit failed seq={}: {}",
                      call->results[i].seq, e.what());
      }
    }
  }
}

void IncidentStore::WriteCall(Call& call, uint64_t& next_seq) {
  // A call of one incident is one INSERT, which SQLite applies whole or
  // not at all: only a call of more needs a savepoint to undo.
  const bool savepoint = call.incidents->size() > 1;
  const uint64_t first_seq = next_seq;
  if (savepoint) writer_.savepoint.Run();
  try {
    bool conflict = false;
    call.results.reserve(call.incidents->size());
    for (size_t i = 0; i < call.incidents->size(); ++i)
      WriteIncident(call, i, next_seq, conflict);
    if (conflict && call.all_or_nothing) {
      // This call stores nothing; the others in the group go on.
      if (savepoint) writer_.rollback_to.Run();
      call.rolled_back = true;
      next_seq = first_seq;
    }
    if (savepoint) writer_.release.Run();
  } catch (...) {
    // After some errors (disk full, I/O) SQLite has rolled the whole
    // transaction back: then the group fails, not just this call.
    if (sqlite3_get_autocommit(write_db_.handle()) != 0) throw;
    call.error = std::current_exception();
    next_seq = first_seq;
    if (savepoint) {
      writer_.rollback_to.Run();
      writer_.release.Run();
    }
  }
}

void IncidentStore::WriteIncident(Call& call, size_t i, uint64_t& next_seq,
                                  bool& conflict) {
  core::Incident& inc = (*call.incidents)[i];
  Prepared& p = call.prepared[i];
  p.doc = p.doc_head + "\"seq\":" + std::to_string(next_seq) + p.doc_tail;
  core::Statement& insert = writer_.insert;
  insert.Bind(1, static_cast<int64_t>(next_seq))
      .Bind(2, p.id)
      .Bind(3, inc.reporter);
  if (inc.report_id.empty()) {
    insert.BindNull(4);
  } else {
    insert.Bind(4, inc.report_id);
  }
  insert.Bind(5, p.hash)
      .Bind(6, Millis(inc.occurred_at))
      .Bind(7, Millis(inc.received_at))
      .Bind(8, p.doc);
  insert.Run();
  if (write_db_.Changes() == 1) {
    inc.id = p.id;
    inc.seq = next_seq++;
    call.results.push_back({Outcome::kStored, inc.id, inc.seq});
    return;
  }

  // The key was taken: a retry of the same report, or a reuse of its key.
  // SQLite has moved the AUTOINCREMENT counter to the seq of the row it
  // did not insert; put it back, or the next report's seq leaves a gap.
  writer_.keep_sequence.Bind(1, static_cast<int64_t>(next_seq - 1));
  writer_.keep_sequence.Run();
  core::Statement& find = writer_.find;
  find.Bind(1, inc.reporter).Bind(2, inc.report_id);
  if (inc.report_id.empty() || !find.Step()) {
    find.Reset();
    throw std::runtime_error("incident id " + p.id + " is taken");
  }
  const bool same = find.Text(2) == p.hash;
  call.results.push_back({same ? Outcome::kDuplicate : Outcome::kConflict,
                          find.Text(0), static_cast<uint64_t>(find.Int(1))});
  find.Reset();
  conflict |= !same;
}

size_t IncidentStore::Waiting() {
  std::lock_guard<std::mutex> lock(queue_mu_);
  return queue_.size();
}

std::optional<core::Incident> IncidentStore::Get(const std::string& id) {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto q = read_db_.Prepare("SELECT doc FROM incidents WHERE id = ?");
  q.Bind(1, id);
  if (!q.Step()) return std::nullopt;
  return FromDoc(q.Text(0));
}

std::vector<core::Incident> IncidentStore::List(const IncidentQuery& query) {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto q = read_db_.Prepare(
      "SELECT doc FROM incidents WHERE seq > ? AND occurred_at >= ? AND "
      "occurred_at <= ? ORDER BY seq LIMIT ?");
  q.Bind(1, static_cast<int64_t>(query.after_seq))
      .Bind(2, query.since ? Millis(*query.since) : INT64_MIN)
      .Bind(3, query.until ? Millis(*query.until) : INT64_MAX)
      .Bind(4, static_cast<int64_t>(query.limit));
  std::vector<core::Incident> out;
  while (q.Step()) out.push_back(FromDoc(q.Text(0)));
  return out;
}

uint64_t IncidentStore::LastSeq() {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto q = read_db_.Prepare("SELECT COALESCE(MAX(seq), 0) FROM incidents");
  q.Step();
  return static_cast<uint64_t>(q.Int(0));
}

size_t IncidentStore::Count() {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto q = read_db_.Prepare("SELECT COUNT(*) FROM incidents");
  q.Step();
  return static_cast<size_t>(q.Int(0));
}

std::vector<broker::Event> IncidentStore::ReadFrom(uint64_t from_seq,
                                                   size_t max) {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto q = read_db_.Prepare(
      "SELECT seq, doc FROM incidents WHERE seq >= ? ORDER BY seq LIMIT ?");
  q.Bind(1, static_cast<int64_t>(from_seq)).Bind(2, static_cast<int64_t>(max));
  std::vector<broker::Event> out;
  while (q.Step()) {
    out.push_back(
        {broker::kIncidentTopic, static_cast<uint64_t>(q.Int(0)), q.Text(1)});
  }
  return out;
}

}  // namespace slagboom::ingest
