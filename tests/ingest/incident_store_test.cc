#include "ingest/incident_store.h"

#include <catch2/catch.hpp>

#include "core/time_util.h"
#include "tests/support/child_process.h"

namespace slagboom::ingest {
namespace {

core::Incident Report(const std::string& report_id, double value) {
  core::Incident inc;
  inc.reporter = "shop-1";
  inc.report_id = report_id;
  inc.occurred_at =
      core::ParseTimestamp("2025-06-12T10:00:00Z", "UTC", nullptr)->instant;
  inc.offence = "shoplifting";
  inc.location.municipality = "GM0344";
  inc.value_eur = value;
  return inc;
}

TEST_CASE("incidents are numbered without gaps and replay in order",
          "[ingest]") {
  testing::TempDir dir;
  IncidentStore store(dir.path + "/ingest.db");
  std::vector<core::Incident> batch = {Report("a", 1), Report("b", 2),
                                       Report("", 3)};
  std::vector<uint64_t> published;
  auto results = store.Commit(batch, true, [&](const core::Incident& inc) {
    published.push_back(inc.seq);
  });
  REQUIRE(results.size() == 3);
  CHECK(published == std::vector<uint64_t>{1, 2, 3});
  auto replay = store.ReadFrom(2, 10);
  REQUIRE(replay.size() == 2);
  CHECK(replay[0].seq == 2);
  CHECK(store.Get(results[0].id)->value_eur == 1);
}

TEST_CASE("C9 a retry is not a second incident", "[ingest]") {
  testing::TempDir dir;
  IncidentStore store(dir.path + "/ingest.db");
  std::vector<core::Incident> first = {Report("r-1", 10)};
  auto a = store.Commit(first, true, nullptr);
  std::vector<core::Incident> retry = {Report("r-1", 10)};
  auto b = store.Commit(retry, true, nullptr);
  CHECK(b[0].outcome == Outcome::kDuplicate);
  CHECK(b[0].id == a[0].id);

  std::vector<core::Incident> changed = {Report("r-1", 11), Report("r-2", 1)};
  auto c = store.Commit(changed, /*all_or_nothing=*/true, nullptr);
  CHECK(c[0].outcome == Outcome::kConflict);
  CHECK(store.Count() == 1);  // r-2 was not stored either
}

TEST_CASE("a retry or a refused report uses up no number", "[ingest]") {
  // SQLite moves its AUTOINCREMENT counter for a row it then does not
  // insert; a gap left by it would hold up every subscriber.
  testing::TempDir dir;
  const std::string path = dir.path + "/ingest.db";
  std::vector<uint64_t> seqs;
  auto note = [&](const core::Incident& inc) { seqs.push_back(inc.seq); };
  {
    IncidentStore store(path);
    std::vector<core::Incident> a = {Report("a", 1)};
    store.Commit(a, true, note);
    std::vector<core::Incident> retry = {Report("a", 1)};
    CHECK(store.Commit(retry, true, note)[0].outcome == Outcome::kDuplicate);
    std::vector<core::Incident> changed = {Report("a", 2)};
    CHECK(store.Commit(changed, false, note)[0].outcome ==
          Outcome::kConflict);
    // Within one call too: the second "b" is a retry of the first.
    std::vector<core::Incident> twice = {Report("b", 1), Report("b", 1),
                                         Report("c", 1)};
    store.Commit(twice, false, note);
  }
  IncidentStore reopened(path);
  std::vector<core::Incident> d = {Report("d", 1)};
  reopened.Commit(d, true, note);
  CHECK(seqs == std::vector<uint64_t>{1, 2, 3, 4});
}

TEST_CASE("the same report id from two reporters is two incidents",
          "[ingest]") {
  testing::TempDir dir;
  IncidentStore store(dir.path + "/ingest.db");
  std::vector<core::Incident> batch = {Report("r-1", 1), Report("r-1", 1)};
  batch[1].reporter = "shop-2";
  auto results = store.Commit(batch, true, nullptr);
  CHECK(results[0].outcome == Outcome::kStored);
  CHECK(results[1].outcome == Outcome::kStored);
  CHECK(results[0].id != results[1].id);
}

}  // namespace
}  // namespace slagboom::ingest
