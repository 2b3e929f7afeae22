// Durable ingest next to the disk's own limit, in one run: how many small
// records the disk makes durable per second (write + fdatasync), how many
// single reports the real commit path (IngestService::Submit: validation,
// IncidentStore::Commit, one durable SQLite transaction each) makes
// durable per second one after the other, the same through HTTP (POST
// /api/v1/incidents on an in-process server, one keep-alive client), and
// how many reports per second 32 threads submitting single reports get
// through the same service with its group commit.
//
//   build/bench/ingest_bench [--dir DIR] [--threads N] [--rounds N]
//
// DIR must be on the disk the data folder would be on (not a tmpfs).  By
// default $TMPDIR, else a folder beside this program in its build folder.
// Its files are removed at the end.  Prints a table; docs/benchmarks.md
// explains it.  Always exits 0 unless it cannot set up its files.
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/incident.h"
#include "ingest/http_routes.h"
#include "ingest/incident_store.h"
#include "ingest/ingest_service.h"
#include "ingest/rate_limiter.h"
#include "ingest/token_store.h"

namespace slagboom::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

struct Options {
  std::filesystem::path dir;
  int threads = 32;
  int rounds = 10;
  double fsync_seconds = 2;  // each of the two ways
  double single_seconds = 2;
  double commit_seconds = 2;
  double http_seconds = 2;
  double group_seconds = 3;
};

std::filesystem::path DefaultDir() {
  if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp != 0)
    return std::filesystem::path(tmp) / "slagboom-ingest-bench";
  std::error_code ec;
  std::filesystem::path exe =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::filesystem::current_path() / "ingest-bench-data";
  return exe.parent_path() / "ingest-bench-data";
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--dir") == 0) o.dir = argv[i + 1];
    if (std::strcmp(argv[i], "--threads") == 0)
      o.threads = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--rounds") == 0)
      o.rounds = std::max(1, std::stoi(argv[i + 1]));
  }
  if (o.dir.empty()) o.dir = DefaultDir();
  return o;
}

// CPU time of the calling thread (user and system), in seconds.
double ThreadCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// The limit: a 128-byte record written and made durable with fdatasync,
// again and again, as a write-ahead log does per commit.  Two ways: each
// record appended (the file grows, so the file system's journal commits
// too) and each record written over a 1 MiB file made and synced before
// (as SQLite reuses its WAL after a checkpoint).  Counts add up over
// calls of Run.
class FsyncProbe {
 public:
  FsyncProbe(const std::filesystem::path& file, bool append) : append_(append) {
    fd_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd_ < 0) Fail("open " + file.string());
    std::memset(record_, 'r', sizeof record_);
    if (!append_) {
      std::vector<char> zeros(kSpan, 0);
      if (::write(fd_, zeros.data(), zeros.size()) != kSpan ||
          ::fsync(fd_) != 0)
        Fail("preallocate " + file.string());
    }
  }
  ~FsyncProbe() { ::close(fd_); }

  void Run(double seconds) {
    const double cpu_start = ThreadCpuSeconds();
    auto start = Clock::now();
    Seconds took{};
    do {
      ssize_t written =
          append_ ? ::write(fd_, record_, sizeof record_)
                  : ::pwrite(fd_, record_, sizeof record_,
                             static_cast<off_t>(n_ * sizeof record_ % kSpan));
      if (written != sizeof record_ || ::fdatasync(fd_) != 0)
        Fail("write + fdatasync");
      ++n_;
      took = Clock::now() - start;
    } while (took.count() < seconds);
    seconds_ += took.count();
    cpu_seconds_ += ThreadCpuSeconds() - cpu_start;
  }
  double Rate() const { return n_ / seconds_; }
  double CpuMicrosEach() const { return cpu_seconds_ / n_ * 1e6; }

 private:
  static constexpr ssize_t kSpan = 1 << 20;
  static void Fail(const std::string& what) {
    fmt::print(stderr, "{}: {}\n", what, std::strerror(errno));
    std::exit(1);
  }
  bool append_;
  int fd_ = -1;
  char record_[128];
  uint64_t n_ = 0;
  double seconds_ = 0;
  double cpu_seconds_ = 0;
};

// One report as a retailer posts it; `key` makes it a report of its own.
nlohmann::json Report(const std::string& key) {
  return {
      {"report_id", key},
      {"occurred_at", "2025-06-12T10:00:00+02:00"},
      {"offence", "shoplifting"},
      {"location", {{"lat", 52.37}, {"lon", 4.89}, {"municipality", "GM0363"}}},
      {"goods", {"razor blades"}},
      {"value_eur", 120.0}};
}

// Submits one report as the API does; aborts unless it was stored.
void SubmitOne(ingest::IngestService& service, const std::string& key) {
  ingest::Submitted s = service.Submit({Report(key)}, "bench-store", "api");
  if (!s.status.ok() || s.results.size() != 1 ||
      s.results[0].outcome != ingest::Outcome::kStored) {
    fmt::print(stderr, "report {} was not stored: {}\n", key,
               s.status.ToString());
    std::exit(1);
  }
}

// Commits one validated report straight to the store, as the service
// does after validation; aborts unless it was stored.
void CommitOne(ingest::IncidentStore& store, const core::Incident& validated,
               const std::string& key) {
  std::vector<core::Incident> one{validated};
  one[0].report_id = key;
  auto results = store.Commit(one, false, nullptr);
  if (results.size() != 1 || results[0].outcome != ingest::Outcome::kStored) {
    fmt::print(stderr, "commit of {} was not stored\n", key);
    std::exit(1);
  }
}

// The HTTP way in, as `slagboom run` serves it (routes, bearer token,
// rate limit off), on 127.0.0.1 in this process.
class HttpFront {
 public:
  HttpFront(const std::filesystem::path& dir, ingest::IngestService& service)
      : tokens_((dir / "ingest.db").string()), limiter_(0, clock_) {
    core::Principal who{"bench-http", core::Role::kReporter, {}, {}};
    if (!tokens_.Create(who, clock_.Now(), &token_).ok()) {
      fmt::print(stderr, "cannot create a token\n");
      std::exit(1);
    }
    ingest::RegisterRoutes(server_, service, tokens_, limiter_);
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_bearer_token_auth(token_.c_str());
    client_->set_keep_alive(true);
    client_->set_tcp_nodelay(true);  // as slagboom run and import do
  }
  ~HttpFront() {
    client_.reset();
    server_.stop();
    thread_.join();
  }

  void PostOne(const std::string& key) {
    auto res = client_->Post("/api/v1/incidents", Report(key).dump(),
                             "application/json");
    if (!res || res->status != 201) {
      fmt::print(
          stderr, "POST of {} failed: {}\n", key,
          res ? std::to_string(res->status) : httplib::to_string(res.error()));
      std::exit(1);
    }
  }

 private:
  core::SystemClock clock_;
  ingest::TokenStore tokens_;
  ingest::RateLimiter limiter_;
  std::string token_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

struct Figure {
  uint64_t reports = 0;
  uint64_t transactions = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // of the calling thread, for sequential figures
  double Rate() const { return reports / seconds; }
  double CpuMicrosEach() const { return cpu_seconds / reports * 1e6; }
};

// Calls `step` with a counter until `seconds` have passed; adds the
// calls, the time taken and the thread's CPU time to *figure.
void Loop(double seconds, Figure* figure,
          const std::function<void(uint64_t)>& step) {
  const double cpu_start = ThreadCpuSeconds();
  auto start = Clock::now();
  Seconds took{};
  do {
    step(figure->reports++);
    took = Clock::now() - start;
  } while (took.count() < seconds);
  figure->seconds += took.count();
  figure->cpu_seconds += ThreadCpuSeconds() - cpu_start;
}

// `threads` clients submitting single reports to `service` for `seconds`.
void RunGroup(ingest::IngestService& service, int threads, double seconds,
              int round, Figure* figure) {
  const uint64_t transactions_before = service.store().transactions();
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> reports{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      uint64_t mine = 0;
      while (!stop.load()) {
        SubmitOne(service, fmt::format("group-{}-{}-{}", round, t, mine++));
      }
      reports += mine;
    });
  }
  auto start = Clock::now();
  go = true;
  std::this_thread::sleep_for(Seconds(seconds));
  stop = true;
  for (std::thread& c : clients) c.join();
  figure->seconds += Seconds(Clock::now() - start).count();  // with the
  figure->reports += reports.load();  // last commits in flight
  figure->transactions += service.store().transactions() - transactions_before;
}

void PrintRow(const std::string& name, double value, double baseline,
              const char* target, double target_ratio) {
  if (baseline <= 0) {
    fmt::print("{:<44} {:>9.0f} {:>10} {:>6} {:>6} {:>4}\n", name, value, "-",
               "-", "-", "-");
    return;
  }
  const double ratio = value / baseline;
  fmt::print("{:<44} {:>9.0f} {:>10.0f} {:>6.2f} {:>6} {:>4}\n", name, value,
             baseline, ratio, target,
             target_ratio <= 0       ? "-"
             : ratio >= target_ratio ? "yes"
                                     : "NO");
}

int Run(const Options& o) {
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);
  struct statfs fs {};
  if (::statfs(o.dir.c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC)
    fmt::print(
        "note: {} is a tmpfs; fsync costs nothing there and the "
        "figures say nothing about a disk\n",
        o.dir.string());

  // The figures are measured in `rounds` interleaved slices, so that a
  // disk whose speed drifts (a shared virtual disk) gives each of them
  // the same conditions.
  FsyncProbe append(o.dir / "append.bin", true);
  FsyncProbe overwrite(o.dir / "overwrite.bin", false);
  auto store =
      std::make_unique<ingest::IncidentStore>((o.dir / "ingest.db").string());
  core::SystemClock clock;
  ingest::IngestService service(config::IngestConfig{}, *store, nullptr, clock,
                                "bench-plate-key-of-32-bytes-long");
  auto http = std::make_unique<HttpFront>(o.dir, service);
  core::Incident validated;
  if (!service.Validate(Report("t"), "bench-store", "api", "", &validated)
           .ok()) {
    fmt::print(stderr, "the bench report is not valid\n");
    return 1;
  }
  Figure single, commit, post, group;
  for (int round = 0; round < o.rounds; ++round) {
    // 1. The disk's raw rate of durable small writes.
    append.Run(o.fsync_seconds / o.rounds);
    overwrite.Run(o.fsync_seconds / o.rounds);

    // 2. Durable single reports, one after the other: the service, the
    // store alone (no validation), then the service through HTTP.
    uint64_t before = store->transactions();
    Loop(o.single_seconds / o.rounds, &single,
         [&](uint64_t n) { SubmitOne(service, fmt::format("single-{}", n)); });
    single.transactions += store->transactions() - before;
    Loop(o.commit_seconds / o.rounds, &commit, [&](uint64_t n) {
      CommitOne(*store, validated, fmt::format("commit-{}", n));
    });
    before = store->transactions();
    Loop(o.http_seconds / o.rounds, &post,
         [&](uint64_t n) { http->PostOne(fmt::format("http-{}", n)); });
    post.transactions += store->transactions() - before;

    // 3. The same service, `threads` clients each submitting single
    // reports.
    RunGroup(service, o.threads, o.group_seconds / o.rounds, round, &group);
  }

  const double limit = append.Rate();
  fmt::print(
      "durable ingest, SQLite WAL synchronous=FULL (fdatasync of the WAL at "
      "every commit), in {}\n",
      o.dir.string());
  fmt::print("{:<44} {:>9} {:>10} {:>6} {:>6} {:>4}\n", "figure", "value/s",
             "baseline/s", "ratio", "target", "met?");
  PrintRow("1a disk: 128 B append + fdatasync (limit)", append.Rate(), 0, "",
           0);
  PrintRow("1b disk: 128 B overwrite + fdatasync", overwrite.Rate(), 0, "", 0);
  PrintRow("2 single reports, IngestService::Submit", single.Rate(), limit,
           ">=0.7", 0.7);
  PrintRow("  the same against 1b", single.Rate(), overwrite.Rate(), "", 0);
  PrintRow("2c the store alone: IncidentStore::Commit", commit.Rate(), limit,
           "", 0);
  PrintRow("2h single reports, HTTP POST, keep-alive", post.Rate(), limit, "",
           0);
  PrintRow(fmt::format("3 group commit, {} threads Submit", o.threads),
           group.Rate(), single.Rate(), ">=10", 10);
  PrintRow("  the same against 1a", group.Rate(), limit, "", 0);
  fmt::print("  (2) {} reports in {} transactions; (2h) {} in {}\n",
             single.reports, single.transactions, post.reports,
             post.transactions);
  fmt::print(
      "  CPU per report in the committing thread: (2) {:.0f} us, "
      "(2c) {:.0f} us; per 1a write + fdatasync {:.0f} us\n",
      single.CpuMicrosEach(), commit.CpuMicrosEach(), append.CpuMicrosEach());
  fmt::print(
      "  (3) {} reports in {} transactions, {:.1f} reports per "
      "transaction\n",
      group.reports, group.transactions,
      group.transactions
          ? static_cast<double>(group.reports) / group.transactions
          : 0.0);
  http.reset();
  store.reset();
  std::filesystem::remove_all(o.dir);
  return 0;
}

}  // namespace
}  // namespace slagboom::bench

int main(int argc, char** argv) {
  return slagboom::bench::Run(slagboom::bench::ParseArgs(argc, argv));
}
