#include "main/commands.h"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "config/config.h"
#include "core/time_util.h"
#include "ingest/csv_import.h"
#include "ingest/profile.h"
#include "ingest/token_store.h"
#include "main/app.h"
#include "notifier/http_sender.h"
#include "rules/alert_store.h"

namespace slagboom {
namespace {

constexpr auto kSettleTimeout = std::chrono::minutes(10);

// Logs go to standard error, so that standard output carries only what a
// command answers (the import's summary line, the alert table).
void SetUpLogging() {
  spdlog::set_default_logger(spdlog::stderr_color_mt("slagboom"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug and the like
}

// Loads the file or prints why not; false when it is not usable.
bool Load(const std::string& path, config::Config* config) {
  std::vector<config::ConfigError> errors;
  if (config::LoadConfig(path, config, &errors)) return true;
  std::fputs(config::FormatErrors(errors).c_str(), stderr);
  return false;
}

void PrintAlerts(rules::AlertStore& store) {
  rules::AlertQuery query;
  query.limit = 100000;
  auto alerts = store.List(query);
  std::printf("%-18s %-9s %4s  %-20s  %-20s  %-26s %s\n", "rule", "state",
              "inc", "first (UTC)", "last (UTC)", "key", "regions");
  for (const rules::Alert& a : alerts) {
    std::string regions;
    for (const std::string& r : a.regions)
      regions += (regions.empty() ? "" : ",") + r;
    std::printf(
        "%-18s %-9s %4zu  %-20s  %-20s  %-26.26s %s\n", a.rule_id.c_str(),
        std::string(rules::AlertStateName(a.state)).c_str(), a.incidents.size(),
        core::FormatInstant(a.first_at).c_str(),
        core::FormatInstant(a.last_at).c_str(), a.key.c_str(), regions.c_str());
  }
  std::map<std::string, int> per_rule;
  for (const rules::Alert& a : alerts) ++per_rule[a.rule_id];
  std::string summary;
  for (const auto& [rule, n] : per_rule)
    summary += fmt::format(" {}={}", rule, n);
  std::printf("alerts=%zu%s\n", alerts.size(), summary.c_str());
}

// Sorts rows by event time so that history enters the rules as it
// happened, whatever order the file keeps (the Chicago export is newest
// first).
struct Row {
  size_t row;
  core::Instant at;
  nlohmann::json body;
};

int ImportToServer(const ImportArgs& args, const config::Config& config,
                   const ingest::ImportProfile& profile) {
  auto url = notifier::SplitUrl(args.server);
  if (!url) {
    std::fprintf(stderr, "import: --server must be an http:// URL\n");
    return 2;
  }
  httplib::Client client(url->origin);
  client.set_read_timeout(std::chrono::seconds(30));
  client.set_tcp_nodelay(true);  // a request leaves in more than one write
  if (!args.token.empty()) client.set_bearer_token_auth(args.token.c_str());

  size_t read = 0, imported = 0, rejected = 0, duplicates = 0, skipped = 0;
  bool failed = false;
  for (const std::string& file : args.files) {
    std::vector<Row> rows;
    ingest::ImportReport report =
        ingest::MapFile(file, profile, [&](size_t row, nlohmann::json body) {
          std::string error;
          auto at = core::ParseTimestamp(
              body.value("occurred_at", ""),
              body.value("time_zone", config.ingest.default_zone), &error);
          rows.push_back(
              {row, at ? at->instant : core::Instant{}, std::move(body)});
        });
    if (!report.status.ok()) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(),
                   report.status.ToString().c_str());
      failed = true;
    }
    for (const auto& r : report.rejections)
      std::fprintf(stderr, "%s:%zu: %s\n", file.c_str(), r.row,
                   r.reason.c_str());
    read += report.read;
    rejected += report.rejected;
    skipped += report.skipped;
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row& a, const Row& b) { return a.at < b.at; });
    for (const Row& row : rows) {
      auto res =
          client.Post("/api/v1/incidents", row.body.dump(), "application/json");
      // Over the token's reports per minute: wait as told and send again.
      while (res && res->status == 429) {
        const std::string wait = res->get_header_value("Retry-After");
        std::this_thread::sleep_for(
            std::chrono::seconds(wait.empty() ? 1 : std::stoi(wait)));
        res = client.Post("/api/v1/incidents", row.body.dump(),
                          "application/json");
      }
      if (!res) {
        std::fprintf(stderr, "%s:%zu: server unreachable: %s\n", file.c_str(),
                     row.row, httplib::to_string(res.error()).c_str());
        ++rejected;
        continue;
      }
      if (res->status == 201) {
        auto j = nlohmann::json::parse(res->body, nullptr, false);
        bool dup =
            !j.is_discarded() && j["incidents"][0].value("duplicate", false);
        ++(dup ? duplicates : imported);
      } else {
        std::fprintf(stderr, "%s:%zu: %d %s\n", file.c_str(), row.row,
                     res->status, res->body.c_str());
        ++rejected;
      }
    }
  }
  std::printf("imported=%zu rejected=%zu duplicates=%zu skipped=%zu\n",
              imported, rejected, duplicates, skipped);
  return failed || imported == 0 ? 1 : 0;
}

}  // namespace

int RunCommand(const RunArgs& args) {
  SetUpLogging();
  config::Config config;
  if (!Load(args.config, &config)) return 2;
  if (!args.data_dir.empty()) config.data_dir = args.data_dir;
  if (!args.http.empty()) config.http.listen = args.http;
  try {
    App app(config);
    if (args.no_notifier) app.LeaveNotifying();
    app.Start(/*serve_http=*/true);
    // The line tests and scripts wait for; it names the bound port.
    std::printf("slagboom listening on http://%s\n",
                config.http.listen.substr(0, config.http.listen.rfind(':') + 1)
                    .append(std::to_string(app.http_port()))
                    .c_str());
    std::fflush(stdout);
    app.Wait();
    app.Stop();
  } catch (const std::exception& e) {
    spdlog::critical("slagboom run failed: {}", e.what());
    return 1;
  }
  return 0;
}

int ImportCommand(const ImportArgs& args) {
  SetUpLogging();
  config::Config config;
  if (!Load(args.config, &config)) return 2;
  ingest::ImportProfile profile;
  std::vector<config::ConfigError> errors;
  if (!ingest::LoadProfile(
          ingest::ProfilePath(config.profiles_dir, args.profile), &profile,
          &errors)) {
    std::fputs(config::FormatErrors(errors).c_str(), stderr);
    return 2;
  }
  if (!args.server.empty()) return ImportToServer(args, config, profile);

  config.data_dir = args.data_dir;
  try {
    App app(config);
    app.Start(/*serve_http=*/false);
    ingest::ImportReport total;
    auto started = std::chrono::steady_clock::now();
    for (const std::string& file : args.files) {
      ingest::ImportReport r =
          ingest::ImportFile(file, profile, app.ingest(), "import");
      if (!r.status.ok()) {
        std::fprintf(stderr, "%s: %s\n", file.c_str(),
                     r.status.ToString().c_str());
      }
      for (const auto& rej : r.rejections)
        std::fprintf(stderr, "%s:%zu: %s\n", file.c_str(), rej.row,
                     rej.reason.c_str());
      if (!r.status.ok()) total.status = r.status;
      if (r.status.ok() && r.read == 0)
        std::fprintf(stderr, "%s: no data rows\n", file.c_str());
      total.read += r.read;
      total.imported += r.imported;
      total.rejected += r.rejected;
      total.duplicates += r.duplicates;
      total.skipped += r.skipped;
    }
    if (!app.Settle(kSettleTimeout))
      spdlog::warn("import: rules or notifier still busy at exit");
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    spdlog::info("import done files={} read={} took_ms={}", args.files.size(),
                 total.read, took.count());
    if (args.list_alerts) PrintAlerts(app.alerts());
    app.Stop();
    std::printf("imported=%zu rejected=%zu duplicates=%zu skipped=%zu\n",
                total.imported, total.rejected, total.duplicates,
                total.skipped);
    // Nothing imported is never success: not for a file of rows that were
    // all refused, skipped or seen before, nor for one with no rows at all.
    return !total.status.ok() || total.imported == 0 ? 1 : 0;
  } catch (const std::exception& e) {
    spdlog::critical("import failed: {}", e.what());
    return 1;
  }
}

int CheckConfigCommand(const std::string& file) {
  config::Config config;
  std::vector<config::ConfigError> errors;
  if (config::LoadConfig(file, &config, &errors)) {
    std::printf("%s: ok (%zu rules, %zu subscribers)\n", file.c_str(),
                config.rules.rules.size(), config.notify.subscribers.size());
    return 0;
  }
  std::fputs(config::FormatErrors(errors).c_str(), stderr);
  return 1;
}

int AlertsCommand(const AlertsArgs& args) {
  config::Config config;
  if (!Load(args.config, &config)) return 2;
  if (!args.data_dir.empty()) config.data_dir = args.data_dir;
  const auto path = std::filesystem::path(config.data_dir) / "rules.db";
  if (!std::filesystem::exists(path)) {
    std::fprintf(stderr, "no alerts: %s does not exist\n", path.c_str());
    return 1;
  }
  rules::AlertStore store(path.string());
  if (args.json) {
    rules::AlertQuery query;
    query.limit = 100000;
    for (const rules::Alert& a : store.List(query))
      std::printf("%s\n", rules::AlertToJson(a).dump().c_str());
    return 0;
  }
  PrintAlerts(store);
  return 0;
}

int TokenCommand(const TokenArgs& args) {
  config::Config config;
  if (!Load(args.config, &config)) return 2;
  if (!args.data_dir.empty()) config.data_dir = args.data_dir;
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  std::filesystem::permissions(config.data_dir,
                               std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  try {
    ingest::TokenStore store(
        (std::filesystem::path(config.data_dir) / "ingest.db").string());
    const core::Instant now = core::SystemClock().Now();
    core::Status status;
    if (args.action == "create") {
      core::Principal who;
      who.name = args.name;
      auto role = core::ParseRole(args.role);
      auto steps = ingest::SplitSteps(args.steps);
      if (!role || !steps) {
        std::fprintf(stderr, "token: %s\n",
                     !role ? "--role is reporter, partner, police, "
                             "shopkeeper or admin"
                           : "--steps names an unknown step");
        return 2;
      }
      who.role = *role;
      who.steps = *steps;
      who.regions = ingest::SplitRegions(args.regions);
      std::string secret;
      status = store.Create(who, now, &secret);
      if (status.ok()) std::printf("%s\n", secret.c_str());
    } else if (args.action == "revoke") {
      status = store.Revoke(args.name, now);
    } else {
      for (const ingest::TokenInfo& t : store.List()) {
        const std::string state =
            t.revoked_at ? "revoked:" + core::FormatInstant(*t.revoked_at)
                         : "live";
        std::printf("%-24s %-10s %-20s %-29s %s\n", t.principal.name.c_str(),
                    std::string(core::RoleName(t.principal.role)).c_str(),
                    core::FormatInstant(t.created_at).c_str(), state.c_str(),
                    ingest::JoinSteps(t.principal.steps).c_str());
      }
    }
    if (!status.ok()) {
      std::fprintf(stderr, "token: %s\n", status.ToString().c_str());
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "token: %s\n", e.what());
    return 1;
  }
}

}  // namespace slagboom
