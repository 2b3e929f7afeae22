// C3 against a running `slagboom run`: a CSV import through the server,
// single posts from several threads and the rules part, all at once,
// without anyone seeing "database is locked".
#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/sqlite.h"
#include "tests/support/child_process.h"

namespace slagboom::testing {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

constexpr int kRows = 5000;
constexpr int kPosters = 8;
constexpr int kPostsEach = 25;  // 200 posts in all
constexpr auto kDeadline = std::chrono::seconds(120);

// A rate limit far above the test (the import sends 5,000 reports from
// one token), and a rule that keeps the rules part writing alerts: three
// reports of one reporter within a minute (each burst of rows, and the
// 200 posts).
std::string Config(const std::string& data_dir) {
  return "data_dir: " + data_dir +
         "\nprofiles_dir: " SLAGBOOM_SOURCE_DIR "/config/profiles" + R"(
http:
  listen: 127.0.0.1:0
ingest:
  offences: [shoplifting]
  rate_limit_per_minute: 1000000
rules:
  lateness: 720h
  rules:
    - id: reporter-burst
      key: reporter
      window: 1m
      min_count: 3
notify:
  subscribers:
    - id: ops
      channel: log
)";
}

// `n` rows in the native profile, in 60 bursts of one minute (a row's
// time follows from its number modulo 60) over five days.
void WriteCsv(const std::string& path, int n) {
  std::ofstream out(path);
  out << "report_id,occurred_at,offence,location.municipality\n";
  for (int i = 0; i < n; ++i) {
    out << fmt::format(
        "row-{},2025-06-{:02}T{:02}:{:02}:00+02:00,"
        "shoplifting,GM0344\n",
        i, 10 + i % 5, 8 + i / 5 % 12, i % 60);
  }
}

// The value of one line of the Prometheus text, or -1.
long ReadMetric(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0)
      return std::stol(line.substr(name.size()));
  }
  return -1;
}

struct Run {
  TempDir dir;
  std::string config = dir.path + "/slagboom.yaml";
  std::unique_ptr<ChildProcess> process;
  std::string url;

  Run() { std::ofstream(config) << Config(dir.path + "/data"); }

  void Start() {
    process = std::make_unique<ChildProcess>(
        std::vector<std::string>{SLAGBOOM_BINARY, "run", "--config", config});
    const std::string prefix = "slagboom listening on ";
    std::string line = process->ReadLineStartingWith(prefix);
    REQUIRE(!line.empty());
    url = line.substr(prefix.size());
  }

  std::string Token(const std::string& name) {
    std::string out;
    REQUIRE(RunToEnd({SLAGBOOM_BINARY, "token", "create", "--config", config,
                      "--role", "reporter", "--name", name},
                     &out) == 0);
    REQUIRE(out.size() > 1);
    return out.substr(0, out.size() - 1);
  }

  long Metric(const std::string& name) {
    httplib::Client client(url);
    auto res = client.Get("/metrics");
    return res && res->status == 200 ? ReadMetric(res->body, name) : -1;
  }

  // Polls the metric until it reaches `value`, `give_up` turns true or
  // the deadline passes.
  bool WaitForMetric(const std::string& name, long value,
                     const std::atomic<bool>* give_up = nullptr) {
    const auto until = steady_clock::now() + kDeadline;
    while (steady_clock::now() < until && !(give_up && *give_up)) {
      if (Metric(name) >= value) return true;
      std::this_thread::yield();
    }
    return false;
  }
};

TEST_CASE("C3 concurrent import, posts and rules never see database is locked",
          "[e2e]") {
  Run run;
  const std::string csv = run.dir.path + "/bulk.csv";
  WriteCsv(csv, kRows);
  const std::string import_token = run.Token("importer");
  const std::string post_token = run.Token("poster");
  run.Start();

  // The import: every row one POST, as `slagboom import --server` sends.
  std::atomic<bool> imported{false};
  std::string import_out;
  int import_exit = -1;
  std::thread importer([&] {
    import_exit = RunToEnd(
        {SLAGBOOM_BINARY, "import", "--config", run.config, "--profile",
         "native", "--server", run.url, "--token", import_token, csv},
        &import_out);
    imported = true;
  });
  // The posts start once the import is under way.
  const bool started =
      run.WaitForMetric("slagboom_ingest_last_seq", 20, &imported);
  const bool overlapped = started && !imported;

  // 200 single reports, each with its own report id (the store checks
  // each for a duplicate, then inserts it).
  std::mutex mu;
  std::map<int, int> statuses;  // HTTP status (0: no answer) -> count
  std::vector<std::string> failures;
  std::vector<std::thread> posters;
  for (int c = 0; c < kPosters; ++c) {
    posters.emplace_back([&, c] {
      httplib::Client client(run.url);
      client.set_bearer_token_auth(post_token.c_str());
      for (int i = 0; i < kPostsEach; ++i) {
        json body = {{"report_id", fmt::format("post-{}-{}", c, i)},
                     {"occurred_at", "2025-06-12T12:00:00+02:00"},
                     {"offence", "shoplifting"},
                     {"location", {{"municipality", "GM0344"}}}};
        auto res =
            client.Post("/api/v1/incidents", body.dump(), "application/json");
        std::lock_guard<std::mutex> lock(mu);
        ++statuses[res ? res->status : 0];
        if (!res || res->status != 201)
          failures.push_back(res ? res->body : httplib::to_string(res.error()));
      }
    });
  }
  for (std::thread& t : posters) t.join();
  importer.join();

  CHECK(started);
  CHECK(overlapped);
  for (const std::string& f : failures) UNSCOPED_INFO(f);
  CHECK(statuses == std::map<int, int>{{201, kPosters * kPostsEach}});
  CHECK(import_exit == 0);
  CHECK(import_out.find("imported=5000 rejected=0 duplicates=0 skipped=0") !=
        std::string::npos);

  // Everything stored once, and the rules part has seen all of it.
  REQUIRE(run.WaitForMetric("slagboom_rules_cursor", 5200));
  CHECK(run.Metric("slagboom_ingest_last_seq") == 5200);
  CHECK(run.Metric("slagboom_incidents_accepted_total") == 5200);
  CHECK(run.Metric("slagboom_incidents_rejected_total") == 0);
  CHECK(run.Metric("slagboom_alerts_fired_total") >= 61);
  core::Database db(run.dir.path + "/data/ingest.db",
                    core::Database::Durability::kFull);
  auto count = db.Prepare("SELECT COUNT(*) FROM incidents");
  REQUIRE(count.Step());
  CHECK(count.Int(0) == 5200);
  CHECK(run.process->Terminate() == 0);
}

}  // namespace
}  // namespace slagboom::testing
