// Ingest's own store: every accepted incident, numbered without gaps, in a
// SQLite file in WAL mode.  A commit is durable before anyone is told the
// incident was accepted: synchronous=FULL, so the WAL is flushed to the
// disk (fdatasync) at every COMMIT and an acknowledged report survives a
// power loss.  Thread-safe.
//
// Group commit: Commit calls that arrive while another transaction is
// being written wait in a queue.  When a transaction ends, the oldest
// waiting call becomes the next leader: it writes every waiting call in
// one transaction, each in a savepoint of its own, takes in the calls
// that queued while it was writing (until the queue is empty), then
// commits and hands each caller its own results.  Only the callers of a
// group and the next leader are woken.  A call that finds no
// transaction running is written at once, so a lone report is not
// slowed.  Each report's hash, id and JSON document are made by its
// caller before it queues; the leader only binds and inserts them.
#ifndef SLAGBOOM_INGEST_INCIDENT_STORE_H_
#define SLAGBOOM_INGEST_INCIDENT_STORE_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "broker/bus.h"
#include "core/incident.h"
#include "core/sqlite.h"

namespace slagboom::ingest {

// What became of one incident handed to Commit.
enum class Outcome {
  kStored,     // new; it has its id and seq now
  kDuplicate,  // the same report was stored before; its id and seq returned
  kConflict,   // the report id was used before for other content
};

struct CommitResult {
  Outcome outcome;
  std::string id;
  uint64_t seq = 0;
};

struct IncidentQuery {
  std::optional<core::Instant> since;  // occurred_at >= since
  std::optional<core::Instant> until;  // occurred_at <= until
  uint64_t after_seq = 0;
  size_t limit = 100;
};

class IncidentStore : public broker::ReplaySource {
 public:
  // Opens or creates <path>.  Throws std::runtime_error (start-up).
  explicit IncidentStore(const std::string& path);

  // Runs for every stored incident after its transaction committed and
  // before the next transaction starts, so events leave in sequence order;
  // `doc` is the JSON document stored for it (IncidentToJson's text).
  using OnStored =
      std::function<void(const core::Incident&, const std::string& doc)>;

  // Stores `incidents` in one transaction, filling in id and seq of each.
  // A report is identified by (reporter, report_id) and its content hash;
  // incidents without a report_id are always new.  With `all_or_nothing`,
  // one conflict stores nothing.  `after_commit` (may be empty) runs for
  // every stored incident as OnStored does.
  std::vector<CommitResult> Commit(
      std::vector<core::Incident>& incidents, bool all_or_nothing,
      const std::function<void(const core::Incident&)>& after_commit);
  // The same, handing `on_stored` the stored document too.
  std::vector<CommitResult> CommitWithDocs(
      std::vector<core::Incident>& incidents, bool all_or_nothing,
      const OnStored& on_stored);

  std::optional<core::Incident> Get(const std::string& id);
  std::vector<core::Incident> List(const IncidentQuery& query);
  uint64_t LastSeq();
  size_t Count();

  // broker::ReplaySource
  std::vector<broker::Event> ReadFrom(uint64_t from_seq, size_t max) override;

  // Calls waiting for the running transaction; transactions written so
  // far.  For tests, metrics and benchmarks.
  size_t Waiting();
  uint64_t transactions() const { return transactions_; }

  // Runs in the committing thread inside every transaction, before its
  // COMMIT, with the number of Commit calls it holds.  Set it before the
  // store is shared; for tests.
  void SetTransactionHook(std::function<void(size_t calls)> hook) {
    transaction_hook_ = std::move(hook);
  }

 private:
  // What a caller makes of one incident before it queues.
  struct Prepared {
    std::string id;
    std::string hash;
    std::string doc_head;  // the document up to where "seq" goes
    std::string doc_tail;  // and after it
    std::string doc;       // the whole, once the leader gave it a seq
  };

  struct Call {
    std::vector<core::Incident>* incidents = nullptr;
    std::vector<Prepared> prepared;
    bool all_or_nothing = false;
    const OnStored* on_stored = nullptr;
    std::vector<CommitResult> results;
    std::exception_ptr error;
    bool rolled_back = false;  // all_or_nothing with a conflict
    bool done = false;         // written (or failed); results are set
    bool lead = false;         // chosen to write the next group
    std::condition_variable cv;
  };

  // The leader's statements, prepared once on write_db_.
  struct Writer {
    explicit Writer(core::Database& db);
    core::Statement begin, commit, rollback;
    core::Statement savepoint, release, rollback_to;
    core::Statement last_seq, insert, find, keep_sequence;
  };

  static Prepared Prepare(const core::Incident& incident);
  // Leads groups from the queue; `lock` holds queue_mu_.
  void Lead(std::unique_lock<std::mutex>& lock);
  // Writes `group` in one transaction, taking in calls that queue
  // meanwhile; runs the OnStored callbacks after the commit.
  void WriteGroup(std::vector<Call*>& group);
  // Moves the queued calls (at most up to the group limit) into `group`.
  void TakeQueue(std::vector<Call*>& group);
  // One call inside the open transaction, under a savepoint.
  void WriteCall(Call& call, uint64_t& next_seq);
  void WriteIncident(Call& call, size_t i, uint64_t& next_seq, bool& conflict);

  std::mutex queue_mu_;
  std::deque<Call*> queue_;
  bool writing_ = false;  // a leader is running
  std::atomic<uint64_t> transactions_{0};
  std::function<void(size_t)> transaction_hook_;

  core::Database write_db_;  // used by the leader only
  std::mutex read_mu_;
  core::Database read_db_;
  Writer writer_;  // on write_db_; used by the leader only
  // Copies the log back, so that no commit (and no report) waits for it.
  core::WalCheckpointer checkpointer_;
};

// The hash that tells a retry (same content) from a reuse of the key.
std::string ContentHash(const core::Incident& incident);

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_INCIDENT_STORE_H_
