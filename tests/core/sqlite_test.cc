#include "core/sqlite.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

namespace slagboom::core {
namespace {

struct TempDb {
  std::filesystem::path dir;
  TempDb() {
    dir = std::filesystem::temp_directory_path() /
          ("slagboom-sqlite-" + std::to_string(::getpid()) + "-" +
           std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir);
  }
  ~TempDb() { std::filesystem::remove_all(dir); }
  std::string Path() const { return (dir / "t.db").string(); }
};

TEST_CASE("C3 concurrent writers never see database is locked", "[core]") {
  TempDb tmp;
  {
    Database db(tmp.Path(), Database::Durability::kNormal);
    db.Exec("CREATE TABLE n (k TEXT PRIMARY KEY, v INTEGER)");
  }
  std::atomic<int> commits{0}, errors{0};
  auto writer = [&](int id) {
    Database db(tmp.Path(), Database::Durability::kNormal);
    for (int i = 0; i < 500; ++i) {
      try {
        Transaction txn(db);
        auto read = db.Prepare("SELECT COUNT(*) FROM n WHERE k = ?");
        std::string key = std::to_string(id) + ":" + std::to_string(i);
        read.Bind(1, key);
        read.Step();
        if (read.Int(0) == 0) {
          db.Prepare("INSERT INTO n VALUES (?, ?)")
              .Bind(1, key)
              .Bind(2, i)
              .Run();
        }
        txn.Commit();
        ++commits;
      } catch (const std::exception&) {
        ++errors;
      }
    }
  };
  std::thread a(writer, 1), b(writer, 2);
  a.join();
  b.join();
  CHECK(commits == 1000);
  CHECK(errors == 0);
  Database db(tmp.Path(), Database::Durability::kNormal);
  auto q = db.Prepare("SELECT COUNT(*) FROM n");
  q.Step();
  CHECK(q.Int(0) == 1000);
}

TEST_CASE("an uncommitted transaction is rolled back", "[core]") {
  TempDb tmp;
  Database db(tmp.Path(), Database::Durability::kFull);
  db.Exec("CREATE TABLE t (x INTEGER)");
  {
    Transaction txn(db);
    db.Exec("INSERT INTO t VALUES (1)");
  }
  auto q = db.Prepare("SELECT COUNT(*) FROM t");
  q.Step();
  CHECK(q.Int(0) == 0);
}

TEST_CASE("a transaction inside another is a savepoint", "[core]") {
  TempDb tmp;
  Database db(tmp.Path(), Database::Durability::kNormal);
  db.Exec("CREATE TABLE n (v INTEGER)");
  auto insert = [&db](int v) {
    db.Prepare("INSERT INTO n VALUES (?)").Bind(1, v).Run();
  };
  {
    Transaction outer(db);
    insert(1);
    {
      Transaction dropped(db);
      insert(2);
    }  // not committed: only its own row goes
    {
      Transaction kept(db);
      insert(3);
      kept.Commit();
    }
    outer.Commit();
  }
  {
    Transaction outer(db);
    insert(4);
    Transaction inner(db);
    insert(5);
    inner.Commit();
  }  // the outer one not committed takes the inner one's row too
  auto q =
      db.Prepare("SELECT group_concat(v) FROM (SELECT v FROM n ORDER BY v)");
  REQUIRE(q.Step());
  CHECK(q.Text(0) == "1,3");
}

TEST_CASE("commits leave checkpoints to the checkpointer", "[core]") {
  TempDb tmp;
  Database db(tmp.Path(), Database::Durability::kNormal);
  db.LeaveCheckpoints();
  db.Exec("CREATE TABLE n (v TEXT)");
  const std::string row(1000, 'x');
  for (int i = 0; i < 3000; ++i)
    db.Prepare("INSERT INTO n VALUES (?)").Bind(1, row).Run();
  const auto file_size = [&] { return std::filesystem::file_size(tmp.Path()); };
  const auto wal_size = [&] {
    return std::filesystem::file_size(tmp.Path() + "-wal");
  };
  // No commit copied the log back, though it grew past 1000 pages.
  CHECK(wal_size() > 1000 * 4096);
  CHECK(file_size() < 64 * 1024);
  { WalCheckpointer checkpointer(tmp.Path(), std::chrono::hours(1)); }
  // Its last checkpoint, when it stopped, did.
  CHECK(file_size() > 3000 * 1000);
  auto q = db.Prepare("SELECT COUNT(*) FROM n");
  REQUIRE(q.Step());
  CHECK(q.Int(0) == 3000);
}

}  // namespace
}  // namespace slagboom::core
