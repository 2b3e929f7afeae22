// Group commit in IncidentStore, and C3: an import, single posts and the
// rules part's reads and writes at once, without a busy or locked error.
#include <fmt/format.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <thread>

#include "core/sqlite.h"
#include "core/time_util.h"
#include "ingest/csv_import.h"
#include "ingest/ingest_service.h"
#include "ingest/profile.h"
#include "tests/support/child_process.h"

namespace slagboom::ingest {
namespace {

using nlohmann::json;

struct Fixture {
  testing::TempDir dir;
  IncidentStore store{dir.path + "/ingest.db"};
  core::ManualClock clock{
      core::ParseTimestamp("2025-06-12T12:00:00Z", "UTC", nullptr)->instant};
  IngestService service{config::IngestConfig{}, store, nullptr, clock,
                        "secret-key-of-32-bytes-for-tests"};

  static json Report(const std::string& id) {
    return {{"report_id", id},
            {"occurred_at", "2025-06-12T10:00:00+02:00"},
            {"offence", "shoplifting"},
            {"location", {{"municipality", "Utrecht"}}}};
  }
};

TEST_CASE_METHOD(Fixture,
                 "concurrent submits share transactions and keep their ids",
                 "[ingest]") {
  constexpr size_t kCallers = 16;
  // The first transaction waits inside until every other caller queues
  // behind it, so the rest must go together in the next one.
  std::vector<size_t> groups;
  store.SetTransactionHook([&](size_t calls) {
    groups.push_back(calls);
    if (groups.size() == 1) {
      while (store.Waiting() < kCallers - calls) std::this_thread::yield();
    }
  });
  std::vector<Submitted> answers(kCallers);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      answers[i] = service.Submit({Report("r" + std::to_string(i))},
                                  "shop-" + std::to_string(i), "api");
    });
  }
  for (std::thread& t : threads) t.join();

  CHECK(store.transactions() < kCallers);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0] + groups[1] == kCallers);
  std::set<std::string> ids;
  for (size_t i = 0; i < kCallers; ++i) {
    REQUIRE(answers[i].status.ok());
    const CommitResult& r = answers[i].results.at(0);
    CHECK(r.outcome == Outcome::kStored);
    auto stored = store.Get(r.id);
    REQUIRE(stored);
    CHECK(stored->reporter == "shop-" + std::to_string(i));
    CHECK(stored->seq == r.seq);
    ids.insert(r.id);
  }
  CHECK(ids.size() == kCallers);
  CHECK(store.Count() == kCallers);
}

TEST_CASE_METHOD(Fixture, "a conflict in a group stores only that call",
                 "[ingest]") {
  REQUIRE(service.Submit({Report("a")}, "shop-1", "api").status.ok());
  json changed = Report("a");
  changed["value_eur"] = 5;
  // Both calls of a group stand alone: the changed one is a conflict and
  // stores nothing, the new one is stored.
  std::vector<Submitted> answers(2);
  std::thread t1([&] {
    answers[0] = service.Submit({Report("b"), changed}, "shop-1", "api");
  });
  std::thread t2(
      [&] { answers[1] = service.Submit({Report("c")}, "shop-1", "api"); });
  t1.join();
  t2.join();
  CHECK(answers[0].status.code() == core::Status::Code::kConflict);
  CHECK(answers[1].status.ok());
  CHECK(store.Count() == 2);
  CHECK(store.LastSeq() == 2);  // no gap left by the rolled-back row
}

TEST_CASE_METHOD(
    Fixture, "the stored and the published document are the incident's json",
    "[ingest]") {
  std::vector<core::Incident> batch(2);
  REQUIRE(service.Validate(Report("d1"), "shop-1", "api", "", &batch[0]).ok());
  json bare = Report("");
  bare.erase("report_id");
  REQUIRE(service.Validate(bare, "shop-1", "api", "", &batch[1]).ok());
  std::vector<std::string> docs;
  auto results = store.CommitWithDocs(
      batch, true, [&](const core::Incident& inc, const std::string& doc) {
        CHECK(doc == core::IncidentToJson(inc).dump());
        docs.push_back(doc);
      });

  REQUIRE(docs.size() == 2);
  core::Database db(dir.path + "/ingest.db", core::Database::Durability::kFull);
  for (size_t i = 0; i < 2; ++i) {
    auto stored = store.Get(results[i].id);
    REQUIRE(stored);
    CHECK(stored->seq == i + 1);
    CHECK(core::IncidentToJson(*stored).dump() == docs[i]);
    auto row = db.Prepare("SELECT content_hash FROM incidents WHERE id = ?");
    row.Bind(1, results[i].id);
    REQUIRE(row.Step());
    CHECK(row.Text(0) == ContentHash(*stored));
  }
}

TEST_CASE("sequence numbers go on without a gap when the store is reopened",
          "[ingest]") {
  testing::TempDir dir;
  const std::string path = dir.path + "/ingest.db";
  auto one = [](const std::string& report_id) {
    core::Incident inc;
    inc.reporter = "shop-1";
    inc.report_id = report_id;
    inc.offence = "shoplifting";
    return std::vector<core::Incident>{inc};
  };
  {
    IncidentStore store(path);
    auto a = one("a"), b = one("b");
    CHECK(store.Commit(a, true, nullptr).at(0).seq == 1);
    CHECK(store.Commit(b, true, nullptr).at(0).seq == 2);
  }
  IncidentStore store(path);
  auto c = one("c"), retry = one("a");
  CHECK(store.Commit(c, true, nullptr).at(0).seq == 3);
  auto again = store.Commit(retry, true, nullptr);
  CHECK(again.at(0).outcome == Outcome::kDuplicate);
  CHECK(again.at(0).seq == 1);
  CHECK(store.LastSeq() == 3);
}

TEST_CASE_METHOD(Fixture, "C3 concurrent writers never see database is locked",
                 "[ingest]") {
  // 5,000 rows to import.
  const std::string csv = dir.path + "/bulk.csv";
  {
    std::ofstream out(csv);
    out << "report_id,occurred_at,offence,location.municipality\n";
    for (int i = 0; i < 5000; ++i) {
      out << "row-" << i << ",2025-06-1" << i % 10 / 5 << "T" << 10 + i % 10
          << ":00:00+02:00,shoplifting,Utrecht\n";
    }
  }
  ImportProfile profile;
  std::vector<config::ConfigError> errors;
  REQUIRE(LoadProfile(
      std::string(SLAGBOOM_SOURCE_DIR) + "/config/profiles/native.yaml",
      &profile, &errors));

  std::atomic<int> failures{0};
  auto guarded = [&failures](auto work) {
    return [&failures, work] {
      try {
        work();
      } catch (const std::exception& e) {
        UNSCOPED_INFO(e.what());
        ++failures;
      }
    };
  };
  std::vector<std::thread> threads;
  ImportReport report;
  threads.emplace_back(guarded([&] {
    report = ImportFile(csv, profile, service, "import", /*batch_size=*/100);
  }));
  // 200 single posts from 8 clients; each store call looks for the report
  // id first, then inserts.
  std::atomic<int> posted{0};
  for (int c = 0; c < 8; ++c) {
    threads.emplace_back(guarded([&, c] {
      for (int i = 0; i < 25; ++i) {
        auto s = service.Submit({Report(fmt::format("post-{}-{}", c, i))},
                                "shop-" + std::to_string(c), "api");
        if (s.status.ok()) ++posted;
      }
    }));
  }
  // The rules part: reads what ingest stored and keeps its own state in
  // a database of its own, one transaction per batch.
  threads.emplace_back(guarded([&] {
    core::Database rules(dir.path + "/rules.db",
                         core::Database::Durability::kFull);
    rules.Exec("CREATE TABLE state (k TEXT PRIMARY KEY, v INTEGER)");
    uint64_t cursor = 1;
    while (cursor <= 5200) {
      auto events = store.ReadFrom(cursor, 500);
      if (events.empty()) {
        std::this_thread::yield();
        continue;
      }
      core::Transaction txn(rules);
      rules.Prepare("INSERT OR REPLACE INTO state VALUES ('cursor', ?)")
          .Bind(1, static_cast<int64_t>(events.back().seq))
          .Run();
      txn.Commit();
      cursor = events.back().seq + 1;
    }
  }));
  for (std::thread& t : threads) t.join();

  CHECK(failures == 0);
  CHECK(report.status.ok());
  CHECK(report.imported == 5000);
  CHECK(posted == 200);
  CHECK(store.Count() == 5200);
  CHECK(store.LastSeq() == 5200);
}

TEST_CASE("C3 two threads of read-then-write transactions all commit",
          "[ingest]") {
  testing::TempDir dir;
  const std::string path = dir.path + "/c3.db";
  core::Database(path, core::Database::Durability::kNormal)
      .Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, n INTEGER)");
  std::atomic<int> commits{0}, failures{0};
  auto worker = [&](int base) {
    core::Database db(path, core::Database::Durability::kNormal);
    for (int i = 0; i < 500; ++i) {
      try {
        core::Transaction txn(db);
        auto q = db.Prepare("SELECT COUNT(*) FROM t");
        q.Step();
        db.Prepare("INSERT INTO t VALUES (?, ?)")
            .Bind(1, base + i)
            .Bind(2, q.Int(0))
            .Run();
        txn.Commit();
        ++commits;
      } catch (const std::exception&) {
        ++failures;
      }
    }
  };
  std::thread a(worker, 0), b(worker, 1000);
  a.join();
  b.join();
  CHECK(commits == 1000);
  CHECK(failures == 0);
}

}  // namespace
}  // namespace slagboom::ingest
