// Pieces the notifier tests share: a real webhook receiver on 127.0.0.1
// that checks signatures, alerts, and a notifier on a temporary outbox.
#ifndef SLAGBOOM_TESTS_NOTIFIER_NOTIFIER_TEST_SUPPORT_H_
#define SLAGBOOM_TESTS_NOTIFIER_NOTIFIER_TEST_SUPPORT_H_

#include <fmt/format.h>
#include <httplib.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/digest.h"
#include "notifier/http_sender.h"
#include "notifier/notifier_service.h"
#include "notifier/outbox.h"
#include "notifier/routing.h"

namespace slagboom::notifier::testing {

inline const core::Instant kT0 =
    core::Instant(core::Duration(1'750'000'000'000));  // 2025-06-15 15:06:40Z

struct Call {
  std::string delivery_id;
  std::string signature;
  bool signature_valid = false;  // checked against the receiver's secret
  nlohmann::json body;
};

// Records every POST; when given a secret, checks X-Slagboom-Signature
// the way a receiver would: HMAC-SHA256 of the raw body, compared in full.
class SigningReceiver {
 public:
  explicit SigningReceiver(std::string secret = "") : secret_(secret) {
    server_.Post("/hook", [this](const httplib::Request& req,
                                 httplib::Response& res) {
      Call call{req.get_header_value("X-Slagboom-Delivery"),
                req.get_header_value("X-Slagboom-Signature"), false,
                nlohmann::json::parse(req.body)};
      call.signature_valid =
          !secret_.empty() && call.signature == SignBody(secret_, req.body);
      std::lock_guard lock(mu_);
      calls_.push_back(std::move(call));
      res.status = secret_.empty() || calls_.back().signature_valid ? 200 : 401;
      if (fail_next_ > 0) {
        --fail_next_;
        res.status = 503;
      }
    });
    server_.Get("/ready", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    // One request per connection: forty subscribers keeping connections
    // open would otherwise hold every server thread.
    server_.set_keep_alive_max_count(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket listens from bind on, so this waits for the accept loop.
    REQUIRE(httplib::Client(fmt::format("http://127.0.0.1:{}", port_))
                .Get("/ready"));
  }
  ~SigningReceiver() {
    server_.stop();
    thread_.join();
  }

  std::string Url() const {
    return fmt::format("http://127.0.0.1:{}/hook", port_);
  }
  // The next `n` calls are answered 503.
  void FailNext(int n) {
    std::lock_guard lock(mu_);
    fail_next_ = n;
  }
  std::vector<Call> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::string secret_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Call> calls_;
  int fail_next_ = 0;
};

struct TempDir {
  TempDir()
      : path(std::filesystem::temp_directory_path() /
             ("slagboom-notify-" + core::RandomHex(8))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::filesystem::path path;
};

// True when xmllint finds `xml` valid under the CAP 1.2 schema.
inline bool ValidCap(const TempDir& dir, const std::string& xml) {
  std::string file = dir.path / ("cap-" + core::RandomHex(4) + ".xml");
  std::ofstream(file) << xml;
  std::string command = std::string("xmllint --noout --schema ") +
                        SLAGBOOM_SOURCE_DIR + "/data/cap/CAP-v1.2.xsd " + file +
                        " 2>/dev/null";
  return std::system(command.c_str()) == 0;
}

inline config::SubscriberConfig Hook(const std::string& id,
                                     const std::string& url,
                                     const std::string& audience = "police") {
  config::SubscriberConfig s;
  s.id = id;
  s.channel = "webhook";
  s.url = url;
  s.audience = audience;
  return s;
}

// A plate alert in two police units, carrying a description and a TLP.
inline rules::Alert PlateAlert(const std::string& rule, const std::string& key,
                               int version = 1,
                               const std::string& severity = "high") {
  rules::Alert a;
  a.id = rules::MakeAlertId(rule, key, "inc_1");
  a.rule_id = rule;
  a.severity = severity;
  a.description = "Grey van seen near three shops";
  a.state =
      version == 1 ? rules::AlertState::kFiring : rules::AlertState::kUpdated;
  a.key_kind = "plate";
  a.key = "pk_" + key;
  a.region_level = "police_unit";
  a.regions = {"midden-nederland", "oost-nederland"};
  a.steps = {"offence"};
  for (int i = 1; i <= 2 + version; ++i) {
    rules::AlertIncident incident;
    incident.id = fmt::format("inc_{}", i);
    incident.seq = uint64_t(i);
    incident.occurred_at = kT0 + std::chrono::hours(i);
    incident.region = a.regions[i % 2];
    incident.step = "offence";
    incident.offence = "shoplifting";
    a.incidents.push_back(incident);
  }
  a.first_at = a.incidents.front().occurred_at;
  a.last_at = a.incidents.back().occurred_at;
  a.version = version;
  return a;
}

inline broker::Event EventOf(uint64_t seq, const rules::Alert& alert,
                             const std::string& tlp = "") {
  nlohmann::json j = rules::AlertToJson(alert);
  if (!tlp.empty()) j["tlp"] = tlp;
  return {broker::kAlertTopic, seq, j.dump()};
}

// Declare receivers before the fixture, so the service stops first.
struct NotifierFixture {
  void Open() {
    outbox = std::make_unique<Outbox>((dir.path / "notify.db").string());
    service = std::make_unique<NotifierService>(config, *outbox, sender, clock);
  }
  void Restart() {
    service.reset();
    outbox.reset();
    Open();
  }
  void Handle(uint64_t seq, const rules::Alert& alert,
              const std::string& tlp = "") {
    REQUIRE(service->HandleAlertEvent(EventOf(seq, alert, tlp)).ok());
  }

  TempDir dir;
  core::ManualClock clock{kT0};
  HttpSender sender{clock};
  config::NotifyConfig config;
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<NotifierService> service;
};

}  // namespace slagboom::notifier::testing

#endif  // SLAGBOOM_TESTS_NOTIFIER_NOTIFIER_TEST_SUPPORT_H_
