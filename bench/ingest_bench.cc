// Durable ingest next to the disk's own limit, in one run: how many small
// records the disk makes durable per second (write + fdatasync), how many
// single reports IncidentStore::Commit makes durable per second one after
// the other, and how many reports per second 32 threads committing single
// reports through the same store get with its group commit.  The limit
// (baseline of the single reports) is the faster of the two fdatasync
// probes.
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

#include "core/incident.h"
#include "ingest/incident_store.h"

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
  }
  double Rate() const { return n_ / seconds_; }

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
};

// One report as a retailer posts it; `key` makes it a report of its own.
core::Incident MakeIncident(const std::string& key) {
  core::Incident inc;
  inc.reporter = "bench-store";
  inc.report_id = key;
  inc.received_at = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now());
  inc.occurred_at = inc.received_at - std::chrono::minutes(5);
  inc.offence = "shoplifting";
  inc.step = core::Step::kOffence;
  inc.location.lat = 52.37;
  inc.location.lon = 4.89;
  inc.location.municipality = "GM0363";
  inc.goods = {"razor blades"};
  inc.value_eur = 120.0;
  inc.source = "api";
  return inc;
}

// Commits one incident; aborts on anything but a fresh store.
void CommitOne(ingest::IncidentStore& store, const std::string& key) {
  static const std::function<void(const core::Incident&)> kNone;
  std::vector<core::Incident> one{MakeIncident(key)};
  auto results = store.Commit(one, false, kNone);
  if (results.size() != 1 || results[0].outcome != ingest::Outcome::kStored) {
    fmt::print(stderr, "commit of {} was not stored\n", key);
    std::exit(1);
  }
}

struct GroupResult {
  double rate = 0;
  uint64_t reports = 0;
  uint64_t transactions = 0;
};

int Run(const Options& o) {
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);
  struct statfs fs {};
  if (::statfs(o.dir.c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC)
    fmt::print(
        "note: {} is a tmpfs; fsync costs nothing there and the "
        "figures say nothing about a disk\n",
        o.dir.string());

  // The three figures are measured in `rounds` interleaved slices, so
  // that a disk whose speed drifts (a shared virtual disk) gives each of
  // them the same conditions.
  FsyncProbe append(o.dir / "append.bin", true);
  FsyncProbe overwrite(o.dir / "overwrite.bin", false);
  auto store_owner =
      std::make_unique<ingest::IncidentStore>((o.dir / "ingest.db").string());
  ingest::IncidentStore& store = *store_owner;
  uint64_t singles = 0;
  uint64_t single_transactions = 0;
  double single_seconds = 0;
  GroupResult group;
  double group_seconds = 0;
  for (int round = 0; round < o.rounds; ++round) {
    // 1. The disk's raw rate of durable small writes.
    append.Run(o.fsync_seconds / o.rounds);
    overwrite.Run(o.fsync_seconds / o.rounds);

    // 2. Durable single reports, one after the other.
    uint64_t transactions_before = store.transactions();
    auto start = Clock::now();
    Seconds took{};
    do {
      CommitOne(store, fmt::format("single-{}", singles++));
      took = Clock::now() - start;
    } while (took.count() < o.single_seconds / o.rounds);
    single_seconds += took.count();
    single_transactions += store.transactions() - transactions_before;

    // 3. The same store, `threads` clients each committing single reports.
    transactions_before = store.transactions();
    std::atomic<bool> go{false};
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> reports{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < o.threads; ++t) {
      clients.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        uint64_t mine = 0;
        while (!stop.load()) {
          CommitOne(store, fmt::format("group-{}-{}-{}", round, t, mine++));
        }
        reports += mine;
      });
    }
    start = Clock::now();
    go = true;
    std::this_thread::sleep_for(Seconds(o.group_seconds / o.rounds));
    stop = true;
    for (std::thread& c : clients) c.join();
    took = Clock::now() - start;  // includes the last commits in flight
    group_seconds += took.count();
    group.reports += reports.load();
    group.transactions += store.transactions() - transactions_before;
  }
  const double fsync_rate = std::max(append.Rate(), overwrite.Rate());
  const double single_rate = singles / single_seconds;
  group.rate = group.reports / group_seconds;

  const double single_ratio = single_rate / fsync_rate;
  const double group_ratio = group.rate / single_rate;
  fmt::print("durable ingest, SQLite WAL synchronous=FULL, in {}\n",
             o.dir.string());
  fmt::print("{:<40} {:>10} {:>10} {:>7} {:>7} {:>5}\n", "figure", "value/s",
             "baseline/s", "ratio", "target", "met?");
  fmt::print("{:<40} {:>10.0f} {:>10} {:>7} {:>7} {:>5}\n",
             "1a disk: 128 B append + fdatasync", append.Rate(), "-", "-", "-",
             "-");
  fmt::print("{:<40} {:>10.0f} {:>10} {:>7} {:>7} {:>5}\n",
             "1b disk: 128 B overwrite + fdatasync", overwrite.Rate(), "-", "-",
             "-", "-");
  fmt::print("{:<40} {:>10.0f} {:>10.0f} {:>7.2f} {:>7} {:>5}\n",
             "2 single reports, sequential Commit", single_rate, fsync_rate,
             single_ratio, ">=0.7", single_ratio >= 0.7 ? "yes" : "NO");
  fmt::print("{:<40} {:>10.0f} {:>10.0f} {:>7.2f} {:>7} {:>5}\n",
             fmt::format("3 group commit, {} threads", o.threads), group.rate,
             single_rate, group_ratio, ">=10",
             group_ratio >= 10 ? "yes" : "NO");
  fmt::print("  (2) {} reports in {} transactions\n", singles,
             single_transactions);
  fmt::print(
      "  (3) {} reports in {} transactions, {:.1f} reports per "
      "transaction; {:.2f} x the disk's fdatasync rate\n",
      group.reports, group.transactions,
      group.transactions ? double(group.reports) / group.transactions : 0.0,
      group.rate / fsync_rate);
  store_owner.reset();
  std::filesystem::remove_all(o.dir);
  return 0;
}

}  // namespace
}  // namespace slagboom::bench

int main(int argc, char** argv) {
  return slagboom::bench::Run(slagboom::bench::ParseArgs(argc, argv));
}
