#include "main/app.h"

#include <fmt/ranges.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/api_error.h"
#include "core/plate.h"
#include "ingest/access.h"
#include "ingest/http_routes.h"
#include "notifier/audience.h"
#include "notifier/http_routes.h"
#include "notifier/stream.h"
#include "notifier/subscriptions.h"
#include "rules/http_routes.h"

namespace slagboom {
namespace {

// Makes the data folder, owner-only, and returns the path of `file` in it.
std::string DataFile(const config::Config& config, const std::string& file) {
  std::filesystem::path dir(config.data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw std::runtime_error("cannot create data folder " + dir.string() +
                             ": " + ec.message());
  }
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return (dir / file).string();
}

std::string PlateKey(const config::Config& config) {
  const std::string& file = config.ingest.plate_key_file;
  return core::LoadOrCreateKey(file.empty() ? DataFile(config, "plate.key")
                                            : file);
}

// The region data named in the configuration.  A file left at its
// default path may be missing (slagboom then runs without it); a file
// named explicitly must be there.
std::unique_ptr<core::RegionIndex> LoadRegions(config::RegionsConfig files) {
  const config::RegionsConfig defaults;
  auto present = [](std::string& path, const std::string& default_path) {
    if (path.empty() || std::filesystem::exists(path)) return;
    if (path != default_path)
      throw std::runtime_error("regions: no file " + path);
    spdlog::warn("regions: {} not found, running without it", path);
    path.clear();
  };
  present(files.municipalities, defaults.municipalities);
  present(files.hierarchy, defaults.hierarchy);
  present(files.aliases, defaults.aliases);
  present(files.districts, defaults.districts);
  if (files.hierarchy.empty() || files.municipalities.empty()) {
    files.hierarchy.clear();
    files.municipalities.clear();
  }
  auto index = std::make_unique<core::RegionIndex>(core::RegionFiles{
      files.municipalities, files.hierarchy, files.aliases, files.districts});
  spdlog::info("regions: municipalities={} districts={}",
               index->municipality_count(), index->district_count());
  return index;
}

std::pair<std::string, int> SplitListen(const std::string& listen) {
  auto colon = listen.rfind(':');
  return {listen.substr(0, colon), std::stoi(listen.substr(colon + 1))};
}

}  // namespace

App::App(const config::Config& config)
    : config_(config),
      proxy_(std::make_unique<broker::Proxy>(context_, config.bus.xsub,
                                             config.bus.xpub)),
      incident_store_(DataFile(config, "ingest.db")),
      tokens_(DataFile(config, "ingest.db")),
      rate_limiter_(config.ingest.rate_limit_per_minute, clock_),
      ingest_publisher_(
          std::make_unique<broker::Publisher>(context_, config.bus.xsub)),
      ingest_(config.ingest, incident_store_, ingest_publisher_.get(), clock_,
              PlateKey(config)),
      alert_store_(DataFile(config, "rules.db")),
      rules_publisher_(
          std::make_unique<broker::Publisher>(context_, config.bus.xsub)),
      rules_(std::make_unique<rules::RulesService>(config.rules, alert_store_,
                                                   rules_publisher_.get())),
      outbox_(DataFile(config, "notify.db")),
      sender_(clock_),
      notifier_(config.notify, outbox_, sender_, clock_),
      regions_(LoadRegions(config.regions)) {
  ingest_.set_regions(regions_.get());
  rules_->set_regions(regions_.get());
}

App::~App() { Stop(); }

void App::Start(bool serve_http) {
  ingest_replay_ = std::make_unique<broker::ReplayServer>(
      context_, config_.bus.ingest_replay, incident_store_);
  rules_->Start(context_, config_.bus);

  broker::Subscriber::Options options;
  options.xpub_endpoint = config_.bus.xpub;
  options.replay_endpoint = config_.bus.rules_replay;
  options.topic = broker::kAlertTopic;
  options.cursor = outbox_.Cursor();
  // Without it, a `slagboom notify` process follows the bus instead.
  if (notifying_) {
    notifier_subscriber_ = std::make_unique<broker::Subscriber>(
        context_, options, [this](const std::vector<broker::Event>& events) {
          notifier_.OnAlertEvents(events);
        });
    notifier_.Start();
  }
  StartAnpr();
  StartStream();
  started_ = true;

  if (!serve_http) return;
  RegisterRoutes();
  auto [host, port] = SplitListen(config_.http.listen);
  http_.set_payload_max_length(config_.http.max_body_bytes);
  // Without it a keep-alive client waits ~40 ms per answer (Nagle against
  // delayed ACK): a reply leaves in more than one write.
  http_.set_tcp_nodelay(true);
  if (port == 0) {
    http_port_ = http_.bind_to_any_port(host);
  } else if (http_.bind_to_port(host, port)) {
    http_port_ = port;
  } else {
    http_port_ = -1;
  }
  if (http_port_ <= 0) {
    throw std::runtime_error("cannot listen on " + config_.http.listen);
  }
  http_thread_ = std::thread([this] { http_.listen_after_bind(); });
  spdlog::info("http listening on {}:{}", host, http_port_);
}

void App::StartStream() {
  uint64_t last = alert_store_.LastEventSeq();
  stream_ = std::make_unique<notifier::AlertStream>(alert_store_, last);
  broker::Subscriber::Options options;
  options.xpub_endpoint = config_.bus.xpub;
  options.replay_endpoint = config_.bus.rules_replay;
  options.topic = broker::kAlertTopic;
  options.cursor = last;
  stream_subscriber_ = std::make_unique<broker::Subscriber>(
      context_, options,
      [this](const broker::Event& e) { stream_->Notify(e.seq); });
}

void App::StartAnpr() {
  if (!config_.anpr.enabled) return;
  watchlist_ =
      std::make_unique<ingest::Watchlist>(DataFile(config_, "ingest.db"));
  anpr_matcher_ = std::make_unique<ingest::AnprMatcher>(ingest_, *watchlist_,
                                                        PlateKey(config_));
  anpr_server_ = std::make_unique<ingest::AnprServer>(
      config_.anpr.listen, config_.anpr.max_line_bytes, *anpr_matcher_);

  broker::Subscriber::Options options;
  options.xpub_endpoint = config_.bus.xpub;
  options.replay_endpoint = config_.bus.rules_replay;
  options.topic = broker::kAlertTopic;
  options.cursor = watchlist_->Cursor();
  watchlist_subscriber_ = std::make_unique<broker::Subscriber>(
      context_, options, [this](const broker::Event& e) {
        core::Status s = watchlist_->HandleAlertEvent(e);
        if (!s.ok()) {
          spdlog::error("watchlist skipped alert event seq={}: {}", e.seq,
                        s.ToString());
        }
      });
  anpr_server_->Start();
}

void App::Stop() {
  if (!started_) return;
  started_ = false;
  if (stream_) stream_->Close();
  if (http_thread_.joinable()) {
    http_.stop();
    http_thread_.join();
  }
  notifier_subscriber_.reset();
  stream_subscriber_.reset();
  watchlist_subscriber_.reset();
  anpr_server_.reset();
  notifier_.Stop();
  rules_->Stop();
  ingest_replay_.reset();
}

bool App::Settle(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto settled = [this] {
    return rules_->cursor() >= incident_store_.LastSeq() &&
           outbox_.Cursor() >= alert_store_.LastEventSeq();
  };
  while (!settled()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Each pass takes a bounded batch per subscriber; what fails waits for
  // its retry time, so the passes end.
  while (notifier_.DeliverDue() > 0) {
  }
  return true;
}

void App::Wait() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  int sig = 0;
  while (sigwait(&set, &sig) == 0 && sig == SIGHUP) Reload();
  spdlog::info("stopping on signal {}", sig);
}

bool App::Reload() {
  config::Config fresh;
  std::vector<config::ConfigError> errors;
  if (!config::LoadConfig(config_.path, &fresh, &errors)) {
    spdlog::error("reload refused, the running rules stay: {} error(s)",
                  errors.size());
    for (const config::ConfigError& e : errors)
      spdlog::error("reload: {}", e.ToString());
    ++reload_failures_;
    return false;
  }
  rules::ReloadReport r = rules_->Reload(fresh.rules);
  config_.rules = fresh.rules;
  try {
    // New subscribers get the open alerts; nobody else anything again.
    notifier_.Reconfigure(fresh.notify);
    config_.notify = fresh.notify;
  } catch (const std::exception& e) {
    spdlog::error("reload: notifier reconfiguration failed: {}", e.what());
  }
  auto ids = [](const std::vector<std::string>& v) {
    return v.empty() ? std::string("-") : fmt::format("{}", fmt::join(v, ","));
  };
  spdlog::info("reload rules kept={} added={} changed={} removed={}",
               ids(r.kept), ids(r.added), ids(r.changed), ids(r.removed));
  ++reloads_;
  return true;
}

void App::RegisterRoutes() {
  // Every /api/v1 route needs a live token; the routes that act on who is
  // asking look the principal up again.
  http_.set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (req.path.rfind("/api/v1/", 0) != 0 ||
            ingest::RequirePrincipal(tokens_, req, res))
          return httplib::Server::HandlerResponse::Unhandled;
        return httplib::Server::HandlerResponse::Handled;
      });
  ingest::RegisterRoutes(http_, ingest_, tokens_, rate_limiter_);
  notifier::RegisterRoutes(http_, outbox_, clock_, &tokens_);
  stream_->Register(http_, tokens_);
  notifier::RegisterSubscriptionRoutes(http_, notifier_, &tokens_);
  rules::RegisterRoutes(
      http_, alert_store_,
      [this](const std::string& id) -> std::optional<nlohmann::json> {
        auto inc = incident_store_.Get(id);
        if (!inc) return std::nullopt;
        return core::IncidentToJson(*inc);
      },
      // Police and admin read alerts in full.  Other roles read them
      // through the audience profile the stream and the notifier use for
      // them (partner, or shopkeeper: no key, no description, no
      // incidents), not at all where the TLP keeps the alert from that
      // profile, and never an incident's plate or descriptions in clear.
      [this](const httplib::Request& req,
             nlohmann::json alert) -> std::optional<nlohmann::json> {
        auto who = tokens_.Authenticate(req.get_header_value("Authorization"));
        if (who && ingest::SeesPersonalData(*who)) return alert;
        auto shown = notifier::AlertForAudience(
            alert, notifier::AudienceForRole(who ? who->role
                                                 : core::Role::kShopkeeper));
        if (shown && shown->contains("incidents")) {
          for (nlohmann::json& inc : (*shown)["incidents"])
            ingest::RedactIncident(&inc);
        }
        return shown;
      });
  http_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  http_.Get("/metrics",
            [this](const httplib::Request&, httplib::Response& res) {
              res.set_content(Metrics(), "text/plain; version=0.0.4");
            });
  http_.set_error_handler([this](const httplib::Request&,
                                 httplib::Response& res) {
    if (!res.body.empty()) return;
    nlohmann::json error = core::ErrorJson(
        res.status == 404 ? "no such resource" : "request failed");
    if (res.status == 413) {
      error = core::ErrorJson(
          "the body is too large",
          {{"body",
            fmt::format("more than {} bytes", config_.http.max_body_bytes)}});
    }
    res.set_content(error.dump(), "application/json");
  });
  http_.set_exception_handler([](const httplib::Request& req,
                                 httplib::Response& res,
                                 std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      spdlog::error("http {} {} failed: {}", req.method, req.path, e.what());
    } catch (...) {
    }
    res.status = 500;
    res.set_content(core::ErrorJson(what).dump(), "application/json");
  });
}

std::string App::Metrics() {
  auto m = notifier_.metrics();
  auto counts = outbox_.Counts();
  std::string out;
  auto put = [&out](const char* name, const char* type, uint64_t value) {
    out += fmt::format("# TYPE {} {}\n{} {}\n", name, type, name, value);
  };
  put("slagboom_incidents_accepted_total", "counter", ingest_.accepted());
  put("slagboom_config_reloads_total", "counter", reloads_);
  put("slagboom_config_reload_failures_total", "counter", reload_failures_);
  put("slagboom_incidents_rejected_total", "counter", ingest_.rejected());
  put("slagboom_incidents_duplicate_total", "counter", ingest_.duplicates());
  put("slagboom_ingest_last_seq", "gauge", incident_store_.LastSeq());
  put("slagboom_ingest_transactions_total", "counter",
      incident_store_.transactions());
  put("slagboom_rules_cursor", "gauge", rules_->cursor());
  put("slagboom_rules_processed_total", "counter", rules_->processed());
  put("slagboom_rules_late_incidents_total", "counter", rules_->late());
  put("slagboom_alerts_fired_total", "counter", rules_->alerts_fired());
  put("slagboom_notify_cursor", "gauge", outbox_.Cursor());
  put("slagboom_notify_delivered_total", "counter", m.delivered);
  put("slagboom_notify_retried_total", "counter", m.retried);
  put("slagboom_notify_dead_total", "counter", m.dead);
  put("slagboom_notify_logged_total", "counter", m.logged);
  put("slagboom_outbox_pending", "gauge", counts.pending);
  put("slagboom_outbox_dead", "gauge", counts.dead);
  if (anpr_server_) {
    put("slagboom_anpr_reads_total", "counter", anpr_matcher_->reads());
    put("slagboom_anpr_matched_total", "counter", anpr_matcher_->matched());
    put("slagboom_anpr_dropped_total", "counter", anpr_matcher_->dropped());
    put("slagboom_anpr_bad_lines_total", "counter", anpr_server_->bad_lines());
    put("slagboom_anpr_connections_total", "counter",
        anpr_server_->connections());
    put("slagboom_anpr_watchlist_plates", "gauge", watchlist_->size());
  }
  return out;
}

}  // namespace slagboom
