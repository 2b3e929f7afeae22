#include "ingest/incident_store.h"

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

// A report with a client key gets an id derived from the key, so a retry,
// an import and a back-test name the same incident alike.
std::string MakeId(const core::Incident& inc) {
  if (inc.report_id.empty()) return "inc_" + core::RandomHex(10);
  return "inc_" + core::Sha256Hex(inc.reporter + "\n" + inc.report_id, 20);
}

core::Incident FromDoc(const std::string& doc) {
  core::Incident inc;
  core::Status status =
      core::IncidentFromJson(nlohmann::json::parse(doc), &inc);
  if (!status.ok()) throw std::runtime_error(status.ToString());
  return inc;
}

}  // namespace

std::string ContentHash(const core::Incident& incident) {
  core::Incident bare = incident;
  bare.id.clear();
  bare.seq = 0;
  bare.received_at = {};
  return core::Sha256Hex(core::IncidentToJson(bare).dump(), 32);
}

IncidentStore::IncidentStore(const std::string& path)
    : write_db_(path, core::Database::Durability::kFull),
      read_db_((write_db_.Exec(kSchema), path),
               core::Database::Durability::kFull) {}

std::vector<CommitResult> IncidentStore::Commit(
    std::vector<core::Incident>& incidents, bool all_or_nothing,
    const std::function<void(const core::Incident&)>& after_commit) {
  Call call{&incidents, all_or_nothing, &after_commit, {},
            nullptr,    false,          false};
  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_.push_back(&call);
  queue_cv_.wait(lock, [&] { return call.done || !writing_; });
  if (!call.done) {
    // Leader: take every waiting call, this one among them.
    writing_ = true;
    std::vector<Call*> group(queue_.begin(), queue_.end());
    queue_.clear();
    lock.unlock();
    WriteGroup(group);
    lock.lock();
    for (Call* c : group) c->done = true;
    writing_ = false;
    queue_cv_.notify_all();
  }
  if (call.error) std::rethrow_exception(call.error);
  return std::move(call.results);
}

void IncidentStore::WriteGroup(const std::vector<Call*>& calls) {
  try {
    core::Transaction txn(write_db_);
    for (Call* call : calls) WriteCall(*call);
    if (transaction_hook_) transaction_hook_(calls.size());
    txn.Commit();
    ++transactions_;
  } catch (...) {
    // Nothing of the group is stored; every caller hears why.
    for (Call* call : calls) {
      if (!call->error) call->error = std::current_exception();
    }
    return;
  }
  // Still the leader: no other transaction runs, so events leave in
  // sequence order.
  for (Call* call : calls) {
    if (call->error || call->rolled_back || !*call->after_commit) continue;
    for (size_t i = 0; i < call->incidents->size(); ++i) {
      if (call->results[i].outcome == Outcome::kStored)
        (*call->after_commit)((*call->incidents)[i]);
    }
  }
}

void IncidentStore::WriteCall(Call& call) {
  write_db_.Exec("SAVEPOINT call");
  try {
    auto find = write_db_.Prepare(
        "SELECT id, seq, content_hash FROM incidents "
        "WHERE reporter = ? AND report_id = ?");
    auto insert = write_db_.Prepare(
        "INSERT INTO incidents (id, reporter, report_id, content_hash, "
        "occurred_at, received_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)");
    auto set_doc =
        write_db_.Prepare("UPDATE incidents SET doc = ? WHERE seq = ?");

    bool conflict = false;
    std::vector<CommitResult>& results = call.results;
    results.reserve(call.incidents->size());
    for (core::Incident& inc : *call.incidents) {
      const std::string hash = ContentHash(inc);
      if (!inc.report_id.empty()) {
        find.Bind(1, inc.reporter).Bind(2, inc.report_id);
        if (find.Step()) {
          bool same = find.Text(2) == hash;
          results.push_back({same ? Outcome::kDuplicate : Outcome::kConflict,
                             find.Text(0), static_cast<uint64_t>(find.Int(1))});
          conflict |= !same;
          find.Reset();
          continue;
        }
        find.Reset();
      }
      inc.id = MakeId(inc);
      insert.Bind(1, inc.id).Bind(2, inc.reporter);
      if (inc.report_id.empty()) {
        insert.BindNull(3);
      } else {
        insert.Bind(3, inc.report_id);
      }
      insert.Bind(4, hash)
          .Bind(5, Millis(inc.occurred_at))
          .Bind(6, Millis(inc.received_at))
          .Bind(7, "{}");
      insert.Run();
      inc.seq = static_cast<uint64_t>(write_db_.LastInsertRowId());
      set_doc.Bind(1, core::IncidentToJson(inc).dump())
          .Bind(2, static_cast<int64_t>(inc.seq));
      set_doc.Run();
      results.push_back({Outcome::kStored, inc.id, inc.seq});
    }
    if (conflict && call.all_or_nothing) {
      // This call stores nothing; the others in the group go on.
      write_db_.Exec("ROLLBACK TO call");
      call.rolled_back = true;
    }
    write_db_.Exec("RELEASE call");
  } catch (...) {
    call.error = std::current_exception();
    write_db_.Exec("ROLLBACK TO call");
    write_db_.Exec("RELEASE call");
  }
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
