// `slagboom backtest`: the rules over stored history or CSV files, with a
// fresh engine and no store or bus, and a report of what would have fired.
#include <fmt/format.h>
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "config/config.h"
#include "core/digest.h"
#include "core/plate.h"
#include "core/regions.h"
#include "core/sqlite.h"
#include "core/time_util.h"
#include "ingest/csv_import.h"
#include "ingest/incident_store.h"
#include "ingest/ingest_service.h"
#include "ingest/profile.h"
#include "main/commands.h"
#include "rules/backtest.h"

namespace slagboom {
namespace {

namespace fs = std::filesystem;

// A progress line on standard error, only when that is a terminal.
class Progress {
 public:
  explicit Progress(uint64_t total) : total_(total), shown_(isatty(2) == 1) {}
  ~Progress() {
    if (shown_ && drawn_) std::fputs("\n", stderr);
  }
  void Tick(uint64_t done) {
    if (!shown_ || (done % 50000 != 0 && done != total_)) return;
    const int width = 40;
    const int filled =
        total_ == 0 ? width : static_cast<int>(done * width / total_);
    std::fprintf(stderr, "\rbacktest [%s%s] %llu/%llu",
                 std::string(filled, '#').c_str(),
                 std::string(width - filled, ' ').c_str(),
                 static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total_));
    drawn_ = true;
  }

 private:
  uint64_t total_;
  bool shown_;
  bool drawn_ = false;
};

// The region data of the configuration, as `run` and `import` load it,
// so that ingest resolves the same regions and waves name the same
// municipalities; files that are not there are left out.
std::unique_ptr<core::RegionIndex> LoadRegions(config::RegionsConfig files) {
  for (std::string* path : {&files.municipalities, &files.hierarchy,
                            &files.aliases, &files.districts}) {
    if (!path->empty() && !fs::exists(*path)) path->clear();
  }
  if (files.hierarchy.empty()) files.municipalities.clear();
  return std::make_unique<core::RegionIndex>(core::RegionFiles{
      files.municipalities, files.hierarchy, files.aliases, files.districts});
}

// The stored incidents in the order the rules part handles them live.
bool FeedDataDir(const std::string& dir, rules::Backtest* backtest) {
  const fs::path path = fs::path(dir) / "ingest.db";
  if (!fs::exists(path)) {
    std::fprintf(stderr, "backtest: %s does not exist\n", path.c_str());
    return false;
  }
  core::Database db(path.string(), core::Database::Durability::kNormal);
  auto count = db.Prepare("SELECT COUNT(*) FROM incidents");
  count.Step();
  Progress progress(static_cast<uint64_t>(count.Int(0)));
  auto q =
      db.Prepare("SELECT seq, doc FROM incidents ORDER BY occurred_at, seq");
  uint64_t done = 0;
  while (q.Step()) {
    core::Incident inc;
    core::Status s =
        core::IncidentFromJson(nlohmann::json::parse(q.Text(1)), &inc);
    if (!s.ok()) {
      spdlog::error("backtest skipped incident seq={}: {}", q.Int(0),
                    s.ToString());
      continue;
    }
    inc.seq = static_cast<uint64_t>(q.Int(0));
    backtest->Feed(inc);
    progress.Tick(++done);
  }
  return true;
}

// The plate key of the data folder, so plate keys match those of an
// import; a passing one when there is none (plates still correlate).
std::string PlateKey(const config::Config& config) {
  std::string file = config.ingest.plate_key_file;
  if (file.empty()) file = (fs::path(config.data_dir) / "plate.key").string();
  if (fs::exists(file)) return core::LoadOrCreateKey(file);
  return core::RandomHex(32);
}

// CSV rows through the import's mapping and validation, in the order an
// import commits them: by occurred_at, ties in file order, file by file.
bool FeedFiles(const BacktestArgs& args, const config::Config& config,
               const core::RegionIndex* regions, rules::Backtest* backtest) {
  ingest::ImportProfile profile;
  std::vector<config::ConfigError> errors;
  if (!ingest::LoadProfile(
          ingest::ProfilePath(config.profiles_dir, args.profile), &profile,
          &errors)) {
    std::fputs(config::FormatErrors(errors).c_str(), stderr);
    return false;
  }
  core::SystemClock clock;
  ingest::IncidentStore nowhere(":memory:");
  ingest::IngestService service(config.ingest, nowhere, nullptr, clock,
                                PlateKey(config));
  service.set_regions(regions);
  const std::string source = "import:" + profile.name;
  bool ok = true;
  for (const std::string& file : args.files) {
    std::vector<core::Incident> valid;
    size_t rejected = 0;
    ingest::ImportReport report =
        ingest::MapFile(file, profile, [&](size_t, nlohmann::json body) {
          core::Incident inc;
          if (!service.Validate(body, "import", source, "", &inc).ok()) {
            ++rejected;
            return;
          }
          inc.id = core::IncidentIdFor(inc);
          valid.push_back(std::move(inc));
        });
    if (!report.status.ok()) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(),
                   report.status.ToString().c_str());
      ok = false;
      continue;
    }
    spdlog::info("backtest file={} read={} valid={} rejected={} skipped={}",
                 file, report.read, valid.size(), report.rejected + rejected,
                 report.skipped);
    std::stable_sort(valid.begin(), valid.end(),
                     [](const core::Incident& a, const core::Incident& b) {
                       return a.occurred_at < b.occurred_at;
                     });
    Progress progress(valid.size());
    backtest->Feed(valid, [&progress](size_t done) { progress.Tick(done); });
  }
  return ok;
}

// Police feedback, where the notifier has stored any.
rules::Feedback ReadFeedback(const std::string& dir) {
  rules::Feedback feedback;
  const fs::path path = fs::path(dir) / "notify.db";
  if (dir.empty() || !fs::exists(path)) return feedback;
  core::Database db(path.string(), core::Database::Durability::kNormal);
  auto table = db.Prepare(
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
      "name = 'feedback'");
  table.Step();
  if (table.Int(0) == 0) return feedback;
  auto q = db.Prepare("SELECT alert_id, verdict FROM feedback");
  while (q.Step()) feedback[q.Text(0)] = q.Text(1);
  return feedback;
}

}  // namespace

int BacktestCommand(const BacktestArgs& args) {
  // Standard output carries only the report.
  spdlog::set_default_logger(spdlog::stderr_color_mt("backtest"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::cfg::load_env_levels();
  config::Config config;
  std::vector<config::ConfigError> errors;
  if (!config::LoadConfig(args.config, &config, &errors)) {
    std::fputs(config::FormatErrors(errors).c_str(), stderr);
    return 2;
  }
  if (!args.data_dir.empty()) config.data_dir = args.data_dir;
  try {
    const auto started = std::chrono::steady_clock::now();
    auto regions = LoadRegions(config.regions);
    rules::Backtest backtest(config.rules, regions.get());
    const bool ok = args.profile.empty()
                        ? FeedDataDir(config.data_dir, &backtest)
                        : FeedFiles(args, config, regions.get(), &backtest);
    if (!ok && backtest.incidents() == 0) return 1;
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    spdlog::info("backtest done incidents={} alerts={} took_ms={}",
                 backtest.incidents(), backtest.alerts().size(), took.count());
    nlohmann::json report = rules::BacktestReport(
        backtest, config.rules,
        ReadFeedback(args.profile.empty() ? config.data_dir : args.data_dir));
    if (args.json) {
      std::printf("%s\n", report.dump().c_str());
    } else {
      std::fputs(rules::FormatBacktestReport(report).c_str(), stdout);
    }
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    spdlog::critical("backtest failed: {}", e.what());
    return 1;
  }
}

}  // namespace slagboom
