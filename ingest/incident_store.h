// Ingest's own store: every accepted incident, numbered without gaps, in a
// SQLite file in WAL mode.  A commit is durable (synchronous=FULL) before
// anyone is told the incident was accepted.  Thread-safe.
//
// Group commit: Commit calls that arrive while another transaction is
// being written wait in a queue; the next one to run (the leader) writes
// every waiting call in one transaction, each in a savepoint of its own,
// and hands each caller its own results.  A call that finds no
// transaction running is written at once, so a lone report is not slowed.
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

  // Stores `incidents` in one transaction, filling in id and seq of each.
  // A report is identified by (reporter, report_id) and its content hash;
  // incidents without a report_id are always new.  With `all_or_nothing`,
  // one conflict stores nothing.  `after_commit` runs for every stored
  // incident after the commit and before the store is unlocked, so that
  // events leave in sequence order.
  std::vector<CommitResult> Commit(
      std::vector<core::Incident>& incidents, bool all_or_nothing,
      const std::function<void(const core::Incident&)>& after_commit);

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
  struct Call {
    std::vector<core::Incident>* incidents;
    bool all_or_nothing;
    const std::function<void(const core::Incident&)>* after_commit;
    std::vector<CommitResult> results;
    std::exception_ptr error;
    bool rolled_back = false;  // all_or_nothing with a conflict
    bool done = false;
  };

  // Writes `calls` in one transaction; the caller is the leader.
  void WriteGroup(const std::vector<Call*>& calls);
  // One call inside the open transaction, under a savepoint.
  void WriteCall(Call& call);

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Call*> queue_;
  bool writing_ = false;
  std::atomic<uint64_t> transactions_{0};
  std::function<void(size_t)> transaction_hook_;

  core::Database write_db_;  // used by the leader only
  std::mutex read_mu_;
  core::Database read_db_;
};

// The hash that tells a retry (same content) from a reuse of the key.
std::string ContentHash(const core::Incident& incident);

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_INCIDENT_STORE_H_
