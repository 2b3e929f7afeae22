// Back-test throughput and memory next to the machine's own limit and the
// SQL a user would otherwise run, in one run:
//
//   1 scan:    how fast SQLite merely reads every row of an ingest-shaped
//              incidents table on disk (warm page cache): the limit.
//   2 queries: the shipped rules written as SQL over that table, each a
//              count of the incidents that complete it, with indexes on
//              (plate_key, occurred_at), (block, occurred_at) and
//              (occurred_at, seq): the baseline, rows per second of all
//              the queries together; 2a the main plate rule (same plate
//              at offences in >= 3 police units within 48 h) alone.  The
//              plate watchlist, which depends on another rule's alerts,
//              has no query: the SQL side does less than the engine.
//   3 engine:  N generated incidents through every rule of the shipped
//              configuration, as `slagboom backtest` feeds them
//              (rules::Backtest), in incidents per second; then through
//              the rule of figure 2a alone, like for like.
//   4 memory:  heap bytes the engine holds per incident after M incidents
//              that all stay inside the windows (glibc mallinfo2 before and
//              after, arena and mmapped blocks, the input vector not
//              counted).
//
//   build/bench/backtest_bench [--config F] [--n N] [--sql-n N] [--m M]
//                              [--dir DIR] [--chicago SHARE] [--per-rule 1]
//
// With --per-rule 1 it also runs the engine with no rule and with each
// rule alone (a watchlist with the rules it watches) over the same
// incidents, for figures 3 and 4, to show where time and memory go.
//
// The data: a year of Dutch-shaped reports (municipality, police unit,
// safety region, steps, offences, a plate on a quarter of them, group
// tours of one van through three or four police units within two days)
// and a small share of Chicago-shaped ones (block, district).  DIR holds
// the SQLite file (default: beside this program); it is removed at the
// end.  Always exits 0 unless it cannot set up.
#include <fmt/format.h>
#include <malloc.h>
#include <sqlite3.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/incident.h"
#include "core/sqlite.h"
#include "rules/backtest.h"
#include "rules/engine.h"

namespace slagboom::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

struct Options {
  std::string config = "config/slagboom.yaml";
  size_t n = 4'000'000;    // incidents through the engine
  size_t sql_n = 500'000;  // rows of the SQLite table
  size_t m = 200'000;      // incidents held for the memory figure
  double chicago = 0.003;  // share of Chicago-shaped reports
  bool per_rule = false;   // also each rule alone over the same incidents
  std::filesystem::path dir;
};

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--config") o.config = v;
    if (flag == "--n") o.n = std::stoull(v);
    if (flag == "--sql-n") o.sql_n = std::stoull(v);
    if (flag == "--m") o.m = std::stoull(v);
    if (flag == "--chicago") o.chicago = std::stod(v);
    if (flag == "--dir") o.dir = v;
    if (flag == "--per-rule") o.per_rule = std::string(v) == "1";
  }
  if (o.dir.empty()) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    o.dir = (ec ? std::filesystem::current_path() : exe.parent_path()) /
            "backtest-bench-data";
  }
  return o;
}

// splitmix64: fast, seeded, the same data on every run.
class Random {
 public:
  explicit Random(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  double Unit() { return (Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t s_;
};

std::string Hex(uint64_t a, uint64_t b, size_t digits) {
  std::string s = fmt::format("{:016x}{:016x}", a, b);
  return s.substr(0, digits);
}

// Where Dutch reports happen: municipalities with their safety region and
// police unit, and the points around which they lie.
struct Place {
  std::string municipality, safety_region, police_unit;
  double lat, lon;
};

std::vector<Place> MakePlaces(Random& rnd) {
  std::vector<Place> places;
  for (int m = 0; m < 342; ++m) {
    const int vr = m % 25 + 1;
    places.push_back({fmt::format("GM{:04}", m * 5 + 3),
                      fmt::format("VR{:02}", vr),
                      fmt::format("RE{:02}", (vr - 1) * 10 / 25 + 1),
                      50.8 + rnd.Unit() * 2.6, 3.4 + rnd.Unit() * 3.6});
  }
  return places;
}

struct Generator {
  Random rnd{20260101};
  std::vector<Place> places = MakePlaces(rnd);
  std::vector<std::string> blocks;
  core::Instant start = core::Instant(std::chrono::milliseconds(
      1'735'689'600'000LL));  // 2025-01-01T00:00Z

  Generator() {
    static const char* kStreets[] = {"S LAKE PARK AVE", "N STATE ST",
                                     "W MADISON ST", "S HALSTED ST",
                                     "N MICHIGAN AVE", "W 63RD ST"};
    for (int b = 0; b < 4000; ++b)
      blocks.push_back(fmt::format("{:03}XX {}", b % 150, kStreets[b % 6]));
  }

  core::Incident Base(core::Instant at) {
    core::Incident inc;
    inc.occurred_at = at;
    inc.received_at = at + std::chrono::minutes(3);
    inc.reporter = fmt::format("store-{}", rnd.Below(5000));
    inc.report_id = Hex(rnd.Next(), rnd.Next(), 12);
    inc.source = "api";
    return inc;
  }

  void Dutch(core::Incident& inc, const Place& p) {
    static const core::Step kOther[] = {
        core::Step::kEntry,   core::Step::kStay,  core::Step::kInfrastructure,
        core::Step::kStorage, core::Step::kTrade, core::Step::kProceeds};
    static const char* kOffences[] = {
        "shoplifting", "shoplifting",   "shoplifting", "shoplifting",
        "burglary",    "pickpocketing", "cargo_theft", "other"};
    inc.step =
        rnd.Below(100) < 85 ? core::Step::kOffence : kOther[rnd.Below(6)];
    if (inc.step == core::Step::kOffence) inc.offence = kOffences[rnd.Below(8)];
    if (rnd.Below(10) == 0) inc.tags = {"foil_bag"};
    inc.location.municipality = p.municipality;
    inc.location.safety_region = p.safety_region;
    inc.location.police_unit = p.police_unit;
    inc.location.lat = p.lat + rnd.Unit() * 0.05;
    inc.location.lon = p.lon + rnd.Unit() * 0.05;
  }

  void Plate(core::Incident& inc, uint64_t plate) {
    core::Vehicle v;
    v.country = "NL";
    v.plate = fmt::format("NL:{:06X}", plate & 0xffffff);
    v.plate_key = Hex(plate * 0x9e3779b97f4a7c15ULL, plate, 32);
    inc.vehicle = v;
  }

  // One background report at `at`.
  core::Incident Background(core::Instant at, double chicago) {
    core::Incident inc = Base(at);
    if (rnd.Unit() < chicago) {
      inc.offence = rnd.Below(10) < 8 ? "shoplifting" : "burglary";
      inc.location.block = blocks[rnd.Below(blocks.size())];
      inc.location.region = fmt::format("{:03}", rnd.Below(22) + 1);
      inc.location.beat = fmt::format("{}{:02}", inc.location.region,
                                      rnd.Below(15) + 1);
      inc.location.lat = 41.7 + rnd.Unit() * 0.3;
      inc.location.lon = -87.8 + rnd.Unit() * 0.2;
      return inc;
    }
    Dutch(inc, places[rnd.Below(places.size())]);
    // A quarter carry a plate, drawn from ten million vehicles.
    if (rnd.Below(4) == 0) Plate(inc, rnd.Below(10'000'000));
    return inc;
  }

  // A group tour: one van, offences in 3 or 4 police units within ~40 h.
  void Tour(core::Instant at, uint64_t plate,
            std::vector<core::Incident>* out) {
    const size_t stops = 3 + rnd.Below(4);
    for (size_t s = 0; s < stops; ++s) {
      core::Incident inc = Base(at + std::chrono::minutes(rnd.Below(40 * 60)));
      // Units differ from stop to stop: pick places in unit order.
      const Place& p = places[(s * 37 + rnd.Below(30)) % places.size()];
      Dutch(inc, p);
      inc.step = core::Step::kOffence;
      inc.offence = "shoplifting";
      Plate(inc, plate);
      out->push_back(std::move(inc));
    }
  }

  // `n` incidents over `span`, sorted by occurred_at, numbered as ingest
  // would number them.
  std::vector<core::Incident> Make(size_t n, core::Duration span,
                                   double chicago) {
    std::vector<core::Incident> out;
    out.reserve(n + 16);
    const int64_t span_ms = span.count();
    uint64_t tour = 0;
    while (out.size() < n) {
      core::Instant at =
          start + core::Duration(static_cast<int64_t>(rnd.Unit() * span_ms));
      if (rnd.Below(200) == 0) {
        Tour(at, 20'000'000 + tour++, &out);
      } else {
        out.push_back(Background(at, chicago));
      }
    }
    out.resize(n);
    std::vector<std::pair<core::Instant, size_t>> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = {out[i].occurred_at, i};
    std::sort(order.begin(), order.end());
    std::vector<core::Incident> sorted;
    sorted.reserve(n);
    for (const auto& [at, i] : order) {
      sorted.push_back(std::move(out[i]));
      sorted.back().seq = sorted.size();
      sorted.back().id = core::IncidentIdFor(sorted.back());
    }
    return sorted;
  }
};

double Since(SteadyClock::time_point t) {
  return Seconds(SteadyClock::now() - t).count();
}

// Seconds this thread has run on a CPU: on a machine shared with other
// work the wall clock also counts the time others had the core.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// The incidents table as ingest shapes it (ids, times, the JSON document),
// plus the columns the SQL rules need, so the queries are not slowed down
// by json_extract.
void FillTable(core::Database& db, const std::vector<core::Incident>& incs) {
  db.Exec(
      "CREATE TABLE incidents (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, "
      "reporter TEXT NOT NULL, report_id TEXT, hash TEXT NOT NULL, "
      "occurred_at INTEGER NOT NULL, received_at INTEGER NOT NULL, "
      "step TEXT NOT NULL, police_unit TEXT, plate_key TEXT, doc TEXT "
      "NOT NULL, offence TEXT, block TEXT, region TEXT)");
  core::Transaction tx(db);
  auto insert = db.Prepare(
      "INSERT INTO incidents VALUES "
      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const core::Incident& inc : incs) {
    insert.Bind(1, static_cast<int64_t>(inc.seq))
        .Bind(2, inc.id)
        .Bind(3, inc.reporter)
        .Bind(4, inc.report_id)
        .Bind(5, inc.report_id + inc.id)
        .Bind(6, inc.occurred_at.time_since_epoch().count())
        .Bind(7, inc.received_at.time_since_epoch().count())
        .Bind(8, std::string(core::StepName(inc.step)))
        .Bind(9, inc.location.police_unit);
    if (inc.vehicle) {
      insert.Bind(10, inc.vehicle->plate_key);
    } else {
      insert.BindNull(10);
    }
    insert.Bind(11, core::IncidentToJson(inc).dump())
        .Bind(12, inc.offence);
    if (inc.location.block.empty()) {
      insert.BindNull(13);
    } else {
      insert.Bind(13, inc.location.block);
    }
    insert.Bind(14, inc.location.region);
    insert.Run();
  }
  tx.Commit();
  db.Exec("CREATE INDEX incidents_occurred ON incidents (occurred_at, seq)");
  db.Exec("CREATE INDEX incidents_plate ON incidents (plate_key, occurred_at)");
  db.Exec("CREATE INDEX incidents_block ON incidents (block, occurred_at)");
}

// Reads every row and touches its columns, as a back-test reading the
// table must at the least.  Returns rows per second.
double ScanRate(core::Database& db, size_t rows) {
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db.handle(),
                     "SELECT seq, id, occurred_at, doc FROM incidents "
                     "ORDER BY occurred_at, seq",
                     -1, &q, nullptr);
  size_t seen = 0, bytes = 0;
  const auto t = SteadyClock::now();
  while (sqlite3_step(q) == SQLITE_ROW) {
    bytes += static_cast<size_t>(sqlite3_column_int64(q, 0) & 1) +
             static_cast<size_t>(sqlite3_column_int64(q, 2) & 1);
    bytes += static_cast<size_t>(sqlite3_column_bytes(q, 1)) +
             static_cast<size_t>(sqlite3_column_bytes(q, 3));
    sqlite3_column_text(q, 3);
    ++seen;
  }
  const double s = Since(t);
  sqlite3_finalize(q);
  if (seen != rows || bytes == 0) fmt::print("scan saw {} rows\n", seen);
  return seen / s;
}

// The shipped rules as SQL, each a count of the incidents that complete
// it (no episodes, no alert ids: less than the engine does).  The plate
// watchlist, which depends on the alerts of another rule, is left out.
struct SqlRule {
  const char* rule;
  const char* sql;
};
constexpr SqlRule kSqlRules[] = {
    // The offences of a plate in 3 police units within 48 h.
    {"plate-multi-unit",
     "SELECT COUNT(*) FROM incidents a WHERE a.step = 'offence' AND "
     "a.plate_key IS NOT NULL AND (SELECT COUNT(DISTINCT b.police_unit) "
     "FROM incidents b WHERE b.plate_key = a.plate_key AND "
     "b.step = 'offence' AND b.occurred_at BETWEEN a.occurred_at - "
     "172800000 AND a.occurred_at) >= 3"},
    // A storage after an offence after a stay, one plate, within 7 days.
    {"park-theft-box",
     "SELECT COUNT(*) FROM incidents s WHERE s.step = 'storage' AND "
     "s.plate_key IS NOT NULL AND EXISTS (SELECT 1 FROM incidents o "
     "WHERE o.plate_key = s.plate_key AND o.step = 'offence' AND "
     "o.occurred_at BETWEEN s.occurred_at - 604800000 AND s.occurred_at "
     "AND EXISTS (SELECT 1 FROM incidents y WHERE y.plate_key = "
     "s.plate_key AND y.step = 'stay' AND y.occurred_at BETWEEN "
     "s.occurred_at - 604800000 AND o.occurred_at))"},
    // 4 shoplifting offences on one block within 72 h.
    {"block-repeat",
     "SELECT COUNT(*) FROM incidents a WHERE a.step = 'offence' AND "
     "a.offence = 'shoplifting' AND a.block IS NOT NULL AND (SELECT "
     "COUNT(*) FROM incidents b WHERE b.block = a.block AND b.step = "
     "'offence' AND b.offence = 'shoplifting' AND b.occurred_at BETWEEN "
     "a.occurred_at - 259200000 AND a.occurred_at) >= 4"},
    // 5 shoplifting offences in 5 regions within 1 h, any key.
    {"district-spread",
     "SELECT COUNT(*) FROM incidents a WHERE a.step = 'offence' AND "
     "a.offence = 'shoplifting' AND (SELECT COUNT(DISTINCT b.region) "
     "FROM incidents b WHERE b.step = 'offence' AND b.offence = "
     "'shoplifting' AND b.region <> '' AND b.occurred_at BETWEEN "
     "a.occurred_at - 3600000 AND a.occurred_at) >= 5"},
};

// Runs one query; returns the seconds it took and its count in *hits.
double QuerySeconds(core::Database& db, const char* sql, int64_t* hits) {
  auto q = db.Prepare(sql);
  const auto t = SteadyClock::now();
  q.Step();
  *hits = q.Int(0);
  return Since(t);
}

// Large blocks (a key's long entry vector) come from mmap and are counted
// apart from the arena; both are held memory.
size_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// The shipped rule figure 2 writes as SQL.
constexpr const char* kSqlRule = "plate-multi-unit";

struct EngineResult {
  double rate = 0;
  double cpu_rate = 0;  // by the thread's CPU time
  uint64_t alerts = 0, late = 0;
  size_t largest = 0;
};

EngineResult RunEngine(const config::RulesConfig& rules,
                       const std::vector<core::Incident>& incs) {
  rules::Backtest backtest(rules);
  const auto t = SteadyClock::now();
  const double cpu = ThreadCpuSeconds();
  backtest.Feed(incs);
  EngineResult r;
  r.cpu_rate = incs.size() / (ThreadCpuSeconds() - cpu);
  r.rate = incs.size() / Since(t);
  r.alerts = backtest.alerts().size();
  r.late = backtest.late();
  for (const auto& [id, alert] : backtest.alerts())
    r.largest = std::max(r.largest, alert.incidents.size());
  return r;
}

// Each rule alone (a watchlist with the rules it watches), by its id.
std::vector<std::pair<std::string, config::RulesConfig>> Singles(
    const config::RulesConfig& rules) {
  std::vector<std::pair<std::string, config::RulesConfig>> out;
  for (const config::RuleConfig& rule : rules.rules) {
    config::RulesConfig one = rules;
    one.rules = {rule};
    for (const config::RuleConfig& other : rules.rules) {
      const auto& watched = rule.watch_rules;
      if (rule.kind == "watchlist" && other.id != rule.id &&
          std::find(watched.begin(), watched.end(), other.id) != watched.end())
        one.rules.push_back(other);
    }
    out.emplace_back(rule.id, std::move(one));
  }
  return out;
}

// The engine with no rule, then with each rule alone, in ns per incident.
void PerRule(const config::RulesConfig& rules,
             const std::vector<core::Incident>& incs) {
  config::RulesConfig none = rules;
  none.rules.clear();
  fmt::print("  (3) no rule: {:.0f} ns per incident\n",
             1e9 / RunEngine(none, incs).cpu_rate);
  for (const auto& [id, one] : Singles(rules)) {
    fmt::print("  (3) {} alone: {:.0f} ns per incident\n", id,
               1e9 / RunEngine(one, incs).cpu_rate);
  }
}

struct MemoryResult {
  double per_incident = 0, per_entry = 0;
  size_t entries = 0;
};

// M incidents within 24 h (every window plus the lateness holds them all).
MemoryResult Memory(const config::RulesConfig& rules,
                    const std::vector<core::Incident>& incs) {
  malloc_trim(0);
  const size_t before = HeapInUse();
  auto engine = std::make_unique<rules::Engine>(rules);
  for (const core::Incident& inc : incs) engine->Process(inc);
  const size_t after = HeapInUse();
  MemoryResult r;
  for (const auto& rule : engine->rules()) r.entries += rule->entry_count();
  const double used = static_cast<double>(after - before);
  r.per_incident = used / incs.size();
  r.per_entry = r.entries ? used / r.entries : 0;
  return r;
}

void PerRuleMemory(const config::RulesConfig& rules,
                   const std::vector<core::Incident>& incs) {
  for (const auto& [id, one] : Singles(rules)) {
    const MemoryResult alone = Memory(one, incs);
    fmt::print("  (4) {} alone: {:.0f} bytes per incident, {} entries\n", id,
               alone.per_incident, alone.entries);
  }
}

int Run(const Options& o) {
  config::Config config;
  std::vector<config::ConfigError> errors;
  if (!config::LoadConfig(o.config, &config, &errors)) {
    fmt::print(stderr, "{}", config::FormatErrors(errors));
    return 1;
  }
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);
  const core::Duration year = std::chrono::hours(24 * 365);
  fmt::print("back-test, rules of {} ({} rules)\n", o.config,
             config.rules.rules.size());

  // 1, 2: SQLite on a table of sql_n incidents spread over the same year.
  // query: all the rules' queries; query_one: the first (kSqlRule) alone.
  double scan = 0, query = 0, query_one = 0;
  std::string sql_hits;
  {
    Generator gen;
    auto incs = gen.Make(o.sql_n, year, o.chicago);
    core::Database db((o.dir / "incidents.db").string(),
                      core::Database::Durability::kNormal);
    FillTable(db, incs);
    ScanRate(db, incs.size());  // warms the page cache
    scan = ScanRate(db, incs.size());
    double seconds = 0;
    for (const SqlRule& rule : kSqlRules) {
      int64_t hits = 0;
      const double s = QuerySeconds(db, rule.sql, &hits);
      seconds += s;
      if (std::string(rule.rule) == kSqlRule) query_one = incs.size() / s;
      sql_hits += fmt::format(" {} {} ({:.0f} rows/s),", rule.rule, hits,
                              incs.size() / s);
    }
    query = incs.size() / seconds;
    sql_hits.pop_back();
  }
  // 3: the engine over n incidents, with every rule, then with the one
  // rule the SQL query is (when the configuration has it).
  EngineResult engine;
  std::optional<EngineResult> same_rule;
  {
    Generator gen;
    auto incs = gen.Make(o.n, year, o.chicago);
    engine = RunEngine(config.rules, incs);
    for (const auto& [id, one] : Singles(config.rules)) {
      if (id == kSqlRule) same_rule = RunEngine(one, incs);
    }
    if (o.per_rule) PerRule(config.rules, incs);
  }
  // 4: memory, m incidents within one day.
  MemoryResult mem;
  {
    Generator gen;
    auto incs = gen.Make(o.m, std::chrono::hours(24), o.chicago);
    mem = Memory(config.rules, incs);
    if (o.per_rule) PerRuleMemory(config.rules, incs);
  }

  fmt::print("{:<44} {:>11} {:>11} {:>7} {:>9} {:>5}\n", "figure",
             "value", "baseline", "ratio", "target", "met?");
  fmt::print("{:<44} {:>11.0f} {:>11} {:>7} {:>9} {:>5}\n",
             fmt::format("1 SQLite scan, {} rows (/s)", o.sql_n), scan, "-",
             "-", "-", "-");
  fmt::print("{:<44} {:>11.0f} {:>11.0f} {:>7.4f} {:>9} {:>5}\n",
             fmt::format("2 SQL, {} rules, {} rows (/s)", std::size(kSqlRules),
                         o.sql_n),
             query, scan, query / scan, "-", "-");
  fmt::print("{:<44} {:>11.0f} {:>11.0f} {:>7.4f} {:>9} {:>5}\n",
             fmt::format("  2a SQL, {} alone (/s)", kSqlRule), query_one,
             scan, query_one / scan, "-", "-");
  fmt::print("{:<44} {:>11.0f} {:>11.0f} {:>7.2f} {:>9} {:>5}\n",
             fmt::format("3 engine, all rules, {} incidents (/s)", o.n),
             engine.rate, scan, engine.rate / scan, ">=1e6",
             engine.rate >= 1e6 ? "yes" : "NO");
  fmt::print("{:<44} {:>11.0f} {:>11.0f} {:>7.1f} {:>9} {:>5}\n",
             "  3 against 2 (x the SQL rules)", engine.rate, query,
             engine.rate / query, "-", "-");
  if (same_rule) {
    fmt::print("{:<44} {:>11.0f} {:>11.0f} {:>7.1f} {:>9} {:>5}\n",
               "  3, that rule alone, against 2a (x)", same_rule->rate,
               query_one, same_rule->rate / query_one, "-", "-");
  }
  fmt::print("{:<44} {:>11.0f} {:>11} {:>7} {:>9} {:>5}\n",
             fmt::format("4 bytes per incident held, {} incidents", o.m),
             mem.per_incident, "-", "-", "<=256",
             mem.per_incident <= 256 ? "yes" : "NO");
  fmt::print("  (2) incidents that complete each rule:{}\n", sql_hits);
  fmt::print("  (3) {} alerts, largest {} incidents, {} late\n",
             engine.alerts, engine.largest, engine.late);
  fmt::print("  (3) {:.0f} incidents/s by CPU time (wall: {:.0f})\n",
             engine.cpu_rate, engine.rate);
  fmt::print("  (4) {} entries in windows, {:.0f} bytes per entry\n",
             mem.entries, mem.per_entry);
  std::filesystem::remove_all(o.dir);
  return 0;
}

}  // namespace
}  // namespace slagboom::bench

int main(int argc, char** argv) {
  return slagboom::bench::Run(slagboom::bench::ParseArgs(argc, argv));
}
