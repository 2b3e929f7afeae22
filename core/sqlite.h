// A thin RAII layer over the SQLite C API: a connection and its prepared
// statements.  A Database is used by one thread at a time; callers that
// share one serialise access themselves.
#ifndef SLAGBOOM_CORE_SQLITE_H_
#define SLAGBOOM_CORE_SQLITE_H_

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace slagboom::core {

class Statement;

// Prepared statements a connection keeps for reuse, by their SQL text.
// Preparing is most of the cost of a short statement; a statement from
// Database::Prepare goes back here, reset, when it is destroyed.
struct StatementCache {
  static constexpr size_t kMaxTexts = 256;   // distinct SQL texts kept
  static constexpr size_t kMaxPerText = 4;   // statements kept per text
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> free;
};

class Database {
 public:
  enum class Durability {
    kFull,    // synchronous=FULL: a commit survives power loss
    kNormal,  // synchronous=NORMAL: survives a crash of the process
  };

  // Opens (creating) the database at `path` in WAL mode with a busy
  // timeout, so concurrent writers wait for each other instead of failing.
  // Throws std::runtime_error when the file cannot be opened (start-up).
  Database(const std::string& path, Durability durability);
  ~Database();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results.  Throws on error.
  void Exec(std::string_view sql);

  // A statement for `sql`, reused from an earlier one of the same text
  // when one is free.  Throws on a syntax error.
  Statement Prepare(std::string_view sql);

  // Leaves checkpoints to a WalCheckpointer: commits never run one.
  void LeaveCheckpoints();

  int64_t LastInsertRowId() const;
  int Changes() const;
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::shared_ptr<StatementCache> cache_;
};

// A prepared statement.  Bind indexes start at 1, column indexes at 0.
// One made by Database::Prepare returns to the connection's cache when
// destroyed (or is finalized when the connection is gone).
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  // Takes `stmt`, which belongs in `cache` under `sql` when done.
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql,
            std::weak_ptr<StatementCache> cache);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& BindNull(int index);

  // Steps once: true when a row is ready, false when done.  Throws on error.
  bool Step();
  // Steps to the end, for statements without rows.
  void Run();
  void Reset();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;                      // the cache key; empty: not cached
  std::weak_ptr<StatementCache> cache_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when not committed.  Taking the
// write lock at BEGIN means a transaction that reads and then writes never
// fails half-way with SQLITE_BUSY.  Inside another transaction on the same
// connection it is a savepoint: its work is undone alone when it is not
// committed, and lasts only if the outer one commits.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void Commit();

 private:
  Database& db_;
  const bool nested_;  // a savepoint inside a transaction already open
  bool done_ = false;
};

// Copies the pages of a database's write-ahead log back into the file
// from a thread of its own, every `every`, so that the connections that
// write never stop for it: SQLite otherwise checkpoints inside the commit
// that fills the log past 1000 pages, with two fsyncs, and that commit
// waits.  The checkpoint is PASSIVE: it takes what no reader still needs
// and never blocks a writer.  Connections to the file should run
// Database::LeaveCheckpoints.
class WalCheckpointer {
 public:
  WalCheckpointer(const std::string& path, std::chrono::milliseconds every);
  ~WalCheckpointer();  // one last checkpoint, then stops
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  void Run();

  Database db_;
  std::chrono::milliseconds every_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace slagboom::core

#endif  // SLAGBOOM_CORE_SQLITE_H_
