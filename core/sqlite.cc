#include "core/sqlite.h"

#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace slagboom::core {
namespace {

// How long a writer waits for another connection's write transaction.
constexpr int kBusyTimeoutMs = 30000;

// Waits while another connection holds the write lock.  SQLite's own
// sqlite3_busy_timeout sleeps 1, 2, 5, 10 ms and more between tries, so a
// transaction that had to wait once for another of a few hundred
// microseconds lost milliseconds.  This tries again after 20 us, growing
// by 20 us per try up to 2 ms, and gives up after about kBusyTimeoutMs.
int WaitForLock(void* /*unused*/, int tries) {
  constexpr int kStepUs = 20;
  constexpr int kMaxUs = 2000;
  constexpr int kRampTries = kMaxUs / kStepUs;  // tries until kMaxUs
  constexpr int64_t kRampUs =
      int64_t{kStepUs} * kRampTries * (kRampTries + 1) / 2;
  const int64_t waited_us =
      tries <= kRampTries
          ? int64_t{kStepUs} * tries * (tries + 1) / 2
          : kRampUs + int64_t{kMaxUs} * (tries - kRampTries);
  if (waited_us >= int64_t{kBusyTimeoutMs} * 1000) return 0;
  std::this_thread::sleep_for(
      std::chrono::microseconds(std::min(kStepUs * (tries + 1), kMaxUs)));
  return 1;
}

[[noreturn]] void Throw(sqlite3* db, std::string_view what) {
  throw std::runtime_error(
      fmt::format("sqlite: {}: {}", what, db ? sqlite3_errmsg(db) : "?"));
}

}  // namespace

Database::Database(const std::string& path, Durability durability)
    : cache_(std::make_shared<StatementCache>()) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error(fmt::format("cannot open {}: {}", path, msg));
  }
  sqlite3_busy_handler(db_, WaitForLock, nullptr);
  Exec("PRAGMA journal_mode=WAL");
  Exec(durability == Durability::kFull ? "PRAGMA synchronous=FULL"
                                       : "PRAGMA synchronous=NORMAL");
  Exec("PRAGMA foreign_keys=ON");
}

Database::~Database() {
  for (auto& [sql, stmts] : cache_->free) {
    for (sqlite3_stmt* stmt : stmts) sqlite3_finalize(stmt);
  }
  cache_.reset();  // statements still out finalize themselves
  sqlite3_close_v2(db_);
}

void Database::Exec(std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) !=
      SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error(fmt::format("sqlite: {}: {}", sql, msg));
  }
}

Statement Database::Prepare(std::string_view sql) {
  std::string text(sql);
  auto it = cache_->free.find(text);
  if (it != cache_->free.end() && !it->second.empty()) {
    sqlite3_stmt* stmt = it->second.back();
    it->second.pop_back();
    return Statement(db_, stmt, std::move(text), cache_);
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt,
                         nullptr) != SQLITE_OK) {
    Throw(db_, fmt::format("prepare '{}'", sql));
  }
  return Statement(db_, stmt, std::move(text), cache_);
}

void Database::LeaveCheckpoints() { Exec("PRAGMA wal_autocheckpoint=0"); }

int64_t Database::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

int Database::Changes() const { return sqlite3_changes(db_); }

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_,
                         nullptr) != SQLITE_OK) {
    Throw(db, fmt::format("prepare '{}'", sql));
  }
}

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql,
                     std::weak_ptr<StatementCache> cache)
    : db_(db), stmt_(stmt), sql_(std::move(sql)), cache_(std::move(cache)) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  std::shared_ptr<StatementCache> cache = cache_.lock();
  if (cache && !sql_.empty()) {
    auto it = cache->free.find(sql_);
    if (it == cache->free.end() &&
        cache->free.size() < StatementCache::kMaxTexts)
      it = cache->free.try_emplace(std::move(sql_)).first;
    if (it != cache->free.end() &&
        it->second.size() < StatementCache::kMaxPerText) {
      // Reset ends the statement's read of the database.
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
      it->second.push_back(stmt_);
      return;
    }
  }
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(other.stmt_),
      sql_(std::move(other.sql_)),
      cache_(std::move(other.cache_)) {
  other.stmt_ = nullptr;
}

Statement& Statement::Bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) Throw(db_, "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(),
                        static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    Throw(db_, "bind");
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) Throw(db_, "bind");
  return *this;
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Throw(db_, "step");
}

void Statement::Run() {
  while (Step()) {
  }
  Reset();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::Text(int column) const {
  auto* p = sqlite3_column_text(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         sqlite3_column_bytes(stmt_, column))
           : std::string();
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// BEGIN, COMMIT and the savepoint's statements come from the connection's
// cache: parsing them again was a tenth of a short transaction's cost.
Transaction::Transaction(Database& db)
    : db_(db), nested_(sqlite3_get_autocommit(db.handle()) == 0) {
  db_.Prepare(nested_ ? "SAVEPOINT nested" : "BEGIN IMMEDIATE").Run();
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.Exec(nested_ ? "ROLLBACK TO nested; RELEASE nested" : "ROLLBACK");
    } catch (...) {
      // The connection reports the failure on its next use.
    }
  }
}

void Transaction::Commit() {
  db_.Prepare(nested_ ? "RELEASE nested" : "COMMIT").Run();
  done_ = true;
}

WalCheckpointer::WalCheckpointer(const std::string& path,
                                 std::chrono::milliseconds every)
    : db_(path, Database::Durability::kNormal), every_(every) {
  db_.LeaveCheckpoints();
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "checkpoint");
    Run();
  });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WalCheckpointer::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait_for(lock, every_, [this] { return stop_; });
    const bool last = stop_;
    lock.unlock();
    int log_pages = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr,
                                       SQLITE_CHECKPOINT_PASSIVE, &log_pages,
                                       &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      spdlog::warn("checkpoint failed: {}", sqlite3_errmsg(db_.handle()));
    }
    lock.lock();
    if (last) return;
  }
}

}  // namespace slagboom::core
