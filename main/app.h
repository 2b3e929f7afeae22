// The embedded deployment: every part of slagboom in one process, on
// inproc:// endpoints and one data folder.  The parts still talk only over
// the bus and each keeps its own store, as they would on separate machines.
#ifndef SLAGBOOM_MAIN_APP_H_
#define SLAGBOOM_MAIN_APP_H_

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "broker/bus.h"
#include "broker/proxy.h"
#include "config/config.h"
#include "core/clock.h"
#include "ingest/anpr_server.h"
#include "ingest/incident_store.h"
#include "ingest/ingest_service.h"
#include "ingest/rate_limiter.h"
#include "ingest/token_store.h"
#include "notifier/channel_sender.h"
#include "notifier/http_sender.h"
#include "notifier/notifier_service.h"
#include "notifier/outbox.h"
#include "notifier/stream.h"
#include "rules/alert_store.h"
#include "rules/rules_service.h"

namespace slagboom {

class App {
 public:
  // Opens the stores under config.data_dir, creating the folder and the
  // plate key when missing.  Throws std::runtime_error (start-up).
  explicit App(const config::Config& config);
  ~App();  // Stop()
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Starts the broker, ingest, rules and notifier; with `serve_http` also
  // the HTTP API on config.http.listen.  Throws when a socket cannot be
  // bound.
  void Start(bool serve_http);
  void Stop();

  // Before Start: the notifier is not started, so another process
  // (`slagboom notify`) delivers the alerts from the bus.
  void LeaveNotifying() { notifying_ = false; }

  // Waits until the rules have handled every stored incident and the
  // notifier every alert event, then delivers what is due until nothing
  // is, so that every delivery has had its first attempt.  False on
  // timeout.
  bool Settle(std::chrono::milliseconds timeout);

  // Runs until SIGINT or SIGTERM; on SIGHUP calls Reload.
  void Wait();

  // Reads the configuration file (config.path) again.  When it is valid,
  // its rules replace the running ones (rules::Engine::Reload: unchanged
  // rules keep their state) and a log line names what changed; other
  // sections take effect at the next start.  When it is not, every error
  // is logged with its line, the running rules stay, and it returns false.
  bool Reload();

  ingest::IngestService& ingest() { return ingest_; }
  ingest::TokenStore& tokens() { return tokens_; }
  rules::AlertStore& alerts() { return alert_store_; }
  notifier::Outbox& outbox() { return outbox_; }
  int http_port() const { return http_port_; }
  // The plate-camera server's port; 0 when it is not enabled.
  int anpr_port() const { return anpr_server_ ? anpr_server_->port() : 0; }

 private:
  void RegisterRoutes();
  // With anpr.enabled: the watchlist, fed from the alert stream, and the
  // plate-camera server.
  void StartAnpr();
  // The alert stream for dashboards, following the alert events.
  void StartStream();
  std::string Metrics();

  config::Config config_;
  core::SystemClock clock_;
  zmq::context_t context_;
  std::unique_ptr<broker::Proxy> proxy_;

  ingest::IncidentStore incident_store_;
  ingest::TokenStore tokens_;
  ingest::RateLimiter rate_limiter_;
  std::unique_ptr<broker::Publisher> ingest_publisher_;
  ingest::IngestService ingest_;
  std::unique_ptr<broker::ReplayServer> ingest_replay_;

  rules::AlertStore alert_store_;
  std::unique_ptr<broker::Publisher> rules_publisher_;
  std::unique_ptr<rules::RulesService> rules_;

  notifier::Outbox outbox_;
  notifier::ChannelSender sender_;  // webhook, email, sms
  notifier::NotifierService notifier_;
  std::unique_ptr<broker::Subscriber> notifier_subscriber_;
  // GET /api/v1/stream, told of new alert events by its own subscriber.
  std::unique_ptr<notifier::AlertStream> stream_;
  std::unique_ptr<broker::Subscriber> stream_subscriber_;

  std::unique_ptr<core::RegionIndex> regions_;
  std::unique_ptr<ingest::Watchlist> watchlist_;
  std::unique_ptr<broker::Subscriber> watchlist_subscriber_;
  std::unique_ptr<ingest::AnprMatcher> anpr_matcher_;
  std::unique_ptr<ingest::AnprServer> anpr_server_;

  httplib::Server http_;
  std::thread http_thread_;
  int http_port_ = 0;
  std::atomic<uint64_t> reloads_{0};
  std::atomic<uint64_t> reload_failures_{0};
  bool started_ = false;
  bool notifying_ = true;
};

}  // namespace slagboom

#endif  // SLAGBOOM_MAIN_APP_H_
