#include "notifier/notifier_service.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "core/digest.h"
#include "notifier/http_sender.h"
#include "notifier/outbox.h"

namespace slagboom::notifier {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const core::Instant kT0 = core::Instant(core::Duration(1'750'000'000'000));
constexpr auto kPatience = std::chrono::seconds(20);
constexpr char kDescription[] = "Grey van seen near three shops";

// One request as the receiver got it.
struct Received {
  std::string path;
  std::string delivery_id;
  std::string content_type;
  std::string body;
};

// A real webhook receiver on 127.0.0.1, on a port of its own, that
// records every POST and answers as it is told (200 by default).
class Receiver {
 public:
  Receiver() {
    server_.Post(".*", [this](const httplib::Request& req,
                              httplib::Response& res) { Handle(req, res); });
    server_.Get("/ready", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Answered only once the server is accepting, so Stop cannot race it.
    REQUIRE(httplib::Client(Origin()).Get("/ready"));
  }

  ~Receiver() {
    Release();
    server_.stop();
    thread_.join();
  }

  std::string Origin() const {
    return fmt::format("http://127.0.0.1:{}", port_);
  }
  std::string Url() const { return Origin() + "/hook"; }

  // The next answers, in order; 200 when they run out.
  void Answer(int status, std::string retry_after = "") {
    std::lock_guard lock(mu_);
    answers_.push_back({status, std::move(retry_after)});
  }

  // Holds every request unanswered until Release.
  void Stall() {
    std::lock_guard lock(mu_);
    stalled_ = true;
  }

  void Release() {
    {
      std::lock_guard lock(mu_);
      stalled_ = false;
    }
    changed_.notify_all();
  }

  // Waits until at least `n` requests came in; false after kPatience.
  bool WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, kPatience, [&] { return got_.size() >= n; });
  }

  std::vector<Received> got() {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  struct Answer_ {
    int status;
    std::string retry_after;
  };

  void Handle(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mu_);
    got_.push_back({req.path, req.get_header_value("X-Slagboom-Delivery"),
                    req.get_header_value("Content-Type"), req.body});
    changed_.notify_all();
    changed_.wait(lock, [this] { return !stalled_; });

    Answer_ answer{200, ""};
    if (!answers_.empty()) {
      answer = answers_.front();
      answers_.pop_front();
    }
    res.status = answer.status;
    if (!answer.retry_after.empty())
      res.set_header("Retry-After", answer.retry_after);
    res.set_content("{}", "application/json");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<Received> got_;    // guarded by mu_
  std::deque<Answer_> answers_;  // guarded by mu_
  bool stalled_ = false;         // guarded by mu_
};

// A local port nobody listens on: bound, never listening, so a connection
// is refused at once and nobody else can take the port meanwhile.
struct ClosedPort {
  ClosedPort() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~ClosedPort() { close(fd); }
  std::string Url() const {
    return fmt::format("http://127.0.0.1:{}/hook", port);
  }

  int fd = -1;
  int port = 0;
};

// Sends the default logger to a string for as long as it lives.
struct LogCapture {
  LogCapture() : previous(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous); }

  std::ostringstream stream;
  std::shared_ptr<spdlog::logger> previous;
};

config::SubscriberConfig Webhook(const std::string& id, const std::string& url,
                                 std::vector<std::string> rules = {}) {
  config::SubscriberConfig s;
  s.id = id;
  s.channel = "webhook";
  s.url = url;
  s.rules = std::move(rules);
  return s;
}

config::SubscriberConfig LogSubscriber(const std::string& id) {
  config::SubscriberConfig s;
  s.id = id;
  s.channel = "log";
  return s;
}

rules::Alert MakeAlert(const std::string& rule, const std::string& key,
                       int version = 1) {
  rules::Alert a;
  a.id = rules::MakeAlertId(rule, key, "inc_1");
  a.rule_id = rule;
  a.severity = "high";
  a.description = kDescription;
  a.state =
      version == 1 ? rules::AlertState::kFiring : rules::AlertState::kUpdated;
  a.key_kind = "plate";
  a.key = "pk_" + key;
  a.region_level = "police_unit";
  a.regions = {"midden-nederland", "oost-nederland"};
  a.steps = {"offence"};
  for (int i = 1; i <= 3; ++i) {
    a.incidents.push_back({fmt::format("inc_{}", i), uint64_t(i),
                           kT0 + hours(i), a.regions[i % 2], "offence",
                           "shoplifting", std::nullopt, std::nullopt});
  }
  a.first_at = kT0 + hours(1);
  a.last_at = kT0 + hours(3);
  a.version = version;
  return a;
}

broker::Event AlertEvent(uint64_t seq, const rules::Alert& alert) {
  return {broker::kAlertTopic, seq, rules::AlertToJson(alert).dump()};
}

struct TempDir {
  TempDir()
      : path(std::filesystem::temp_directory_path() /
             ("slagboom-notifier-" + core::RandomHex(8))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }

  std::filesystem::path path;
};

// Declare receivers before the fixture, so the service stops first.
struct Fixture {
  Fixture() {
    config.retry_initial = seconds(1);
    config.retry_max = minutes(1);
    config.max_attempts = 5;
  }

  void Open() {
    outbox = std::make_unique<Outbox>((dir.path / "outbox.db").string());
    service = std::make_unique<NotifierService>(config, *outbox, sender, clock);
  }

  // What a restart does: everything in memory is gone, the file stays.
  void Restart() {
    service.reset();
    outbox.reset();
    Open();
  }

  void Handle(uint64_t seq, const rules::Alert& alert) {
    REQUIRE(service->HandleAlertEvent(AlertEvent(seq, alert)).ok());
  }

  Delivery Get(const std::string& subscriber, const rules::Alert& alert) {
    std::optional<Delivery> d =
        outbox->Get(MakeDeliveryId(subscriber, alert.id, alert.version));
    REQUIRE(d);
    return *d;
  }

  TempDir dir;
  core::ManualClock clock{kT0};
  HttpSender sender{clock};
  config::NotifyConfig config;
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<NotifierService> service;
};

TEST_CASE("one alert event reaches both webhook subscribers", "[notifier]") {
  Receiver police;
  Receiver shop;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url()),
                          Webhook("shop", shop.Url())};
  f.Open();
  rules::Alert alert = MakeAlert("r1", "van");
  f.Handle(1, alert);

  CHECK(f.service->DeliverDue() == 2);
  std::vector<Received> got = police.got();
  REQUIRE(got.size() == 1);
  REQUIRE(shop.got().size() == 1);
  CHECK(got[0].path == "/hook");
  CHECK(got[0].content_type == "application/json");
  CHECK(got[0].delivery_id == MakeDeliveryId("police", alert.id, 1));
  nlohmann::json body = nlohmann::json::parse(got[0].body);
  CHECK(body["delivery_id"] == got[0].delivery_id);
  CHECK(body["subscriber"] == "police");
  CHECK(body["event_seq"] == 1);
  CHECK(body["alert"] == rules::AlertToJson(alert));
  CHECK(f.outbox->Counts().delivered == 2);
  CHECK(f.service->metrics().delivered == 2);
}

TEST_CASE("a subscriber naming rules gets only the alerts of those rules",
          "[notifier]") {
  Receiver police;
  Receiver shop;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url(), {"r1"}),
                          Webhook("shop", shop.Url())};
  f.Open();
  f.Handle(1, MakeAlert("r1", "van"));
  f.Handle(2, MakeAlert("r2", "van"));

  CHECK(f.service->DeliverDue() == 3);
  REQUIRE(police.got().size() == 1);
  CHECK(nlohmann::json::parse(police.got()[0].body)["alert"]["rule"] == "r1");
  CHECK(shop.got().size() == 2);
}

TEST_CASE("an event at or below the cursor delivers nothing", "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url())};
  f.Open();
  f.Handle(2, MakeAlert("r1", "van"));
  REQUIRE(f.service->DeliverDue() == 1);

  f.Handle(2, MakeAlert("r1", "van"));
  f.Handle(1, MakeAlert("r1", "car"));
  CHECK(f.service->DeliverDue() == 0);
  CHECK(police.got().size() == 1);
  CHECK(f.outbox->Cursor() == 2);
}

TEST_CASE("a batch of alert events is handled as one by one, in one commit",
          "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url())};
  f.Open();
  f.Handle(1, MakeAlert("r1", "van"));
  std::vector<broker::Event> batch = {
      AlertEvent(1, MakeAlert("r1", "bus")),  // at the cursor: ignored
      AlertEvent(2, MakeAlert("r1", "car")),
      {broker::kAlertTopic, 3, "not json"},  // skipped, moves the cursor
      AlertEvent(4, MakeAlert("r2", "van"))};
  std::vector<core::Status> statuses = f.service->HandleAlertEvents(batch);
  REQUIRE(statuses.size() == 4);
  CHECK(statuses[0].ok());
  CHECK(statuses[1].ok());
  CHECK(!statuses[2].ok());
  CHECK(statuses[3].ok());
  CHECK(f.outbox->Cursor() == 4);

  CHECK(f.service->DeliverDue() == 3);
  std::vector<Received> got = police.got();
  REQUIRE(got.size() == 3);
  std::vector<std::string> keys;
  for (const Received& r : got)
    keys.push_back(nlohmann::json::parse(r.body)["alert"]["key"]);
  CHECK(keys == std::vector<std::string>{"pk_van", "pk_car", "pk_van"});
  CHECK(f.outbox->store().GetAlert(MakeAlert("r1", "bus").id) == std::nullopt);
}

TEST_CASE("C1 restart sends nothing twice", "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url()),
                          LogSubscriber("audit")};
  f.Open();
  std::vector<rules::Alert> alerts = {
      MakeAlert("r1", "a"), MakeAlert("r1", "b"), MakeAlert("r1", "c")};
  f.Handle(1, alerts[0]);
  f.Handle(2, alerts[1]);
  REQUIRE(f.service->DeliverDue() == 2);
  f.Handle(3, alerts[2]);  // stored, not yet sent when the process dies

  f.Restart();
  for (uint64_t seq = 1; seq <= 3; ++seq) f.Handle(seq, alerts[seq - 1]);
  CHECK(f.service->metrics().logged == 0);
  CHECK(f.service->DeliverDue() == 1);
  CHECK(f.service->DeliverDue() == 0);

  std::vector<Received> got = police.got();
  REQUIRE(got.size() == 3);
  CHECK(got[2].delivery_id == MakeDeliveryId("police", alerts[2].id, 1));
  StateCounts counts = f.outbox->Counts();
  CHECK(counts.delivered == 6);  // three webhook, three log
  CHECK(counts.pending == 0);
}

TEST_CASE("C4 a notifier restarted after alert 8 delivers each of 20 once",
          "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url())};
  f.Open();
  std::vector<rules::Alert> alerts;
  for (int i = 1; i <= 20; ++i)
    alerts.push_back(MakeAlert("r1", fmt::format("van-{}", i)));

  for (uint64_t seq = 1; seq <= 8; ++seq) f.Handle(seq, alerts[seq - 1]);
  f.service->DeliverDue();
  f.Restart();
  // The bus replays from a cursor that may lag the outbox's.
  for (uint64_t seq = 5; seq <= 20; ++seq) f.Handle(seq, alerts[seq - 1]);
  f.service->DeliverDue();

  std::map<std::string, int> times;
  for (const Received& r : police.got()) ++times[r.delivery_id];
  CHECK(times.size() == 20);
  for (const auto& [id, n] : times) CHECK(n == 1);
}

TEST_CASE("a failed delivery is retried later with the same delivery id",
          "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url())};
  f.Open();
  rules::Alert alert = MakeAlert("r1", "van");
  f.Handle(1, alert);
  police.Answer(500);

  REQUIRE(f.service->DeliverDue() == 1);
  CHECK(f.Get("police", alert).last_error == "HTTP 500");
  CHECK(f.service->DeliverDue() == 0);  // not due before the backoff
  f.clock.Advance(f.config.retry_initial);
  CHECK(f.service->DeliverDue() == 1);

  std::vector<Received> got = police.got();
  REQUIRE(got.size() == 2);
  CHECK(got[1].delivery_id == got[0].delivery_id);
  CHECK(got[1].body == got[0].body);
  Delivery d = f.Get("police", alert);
  CHECK(d.state == DeliveryState::kDelivered);
  CHECK(d.attempts == 2);
  CHECK(f.service->metrics().retried == 1);
  CHECK(f.service->metrics().delivered == 1);
}

TEST_CASE("a receiver that is down leaves the delivery pending", "[notifier]") {
  ClosedPort down;
  Fixture f;
  f.config.subscribers = {Webhook("police", down.Url())};
  f.Open();
  rules::Alert alert = MakeAlert("r1", "van");
  f.Handle(1, alert);

  REQUIRE(f.service->DeliverDue() == 1);
  Delivery d = f.Get("police", alert);
  CHECK(d.state == DeliveryState::kPending);
  CHECK(d.attempts == 1);
  CHECK(d.last_error.rfind("transport: ", 0) == 0);
  CHECK(d.next_attempt_at > kT0);
}

TEST_CASE("a 4xx other than 408 and 429 is dead without a retry",
          "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url())};
  f.Open();
  rules::Alert alert = MakeAlert("r1", "van");
  f.Handle(1, alert);
  police.Answer(400);

  REQUIRE(f.service->DeliverDue() == 1);
  f.clock.Advance(hours(1));
  CHECK(f.service->DeliverDue() == 0);
  CHECK(police.got().size() == 1);
  std::vector<Delivery> dead = f.outbox->DeadLetters(10);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].id == MakeDeliveryId("police", alert.id, 1));
  CHECK(dead[0].last_error == "HTTP 400");
  CHECK(f.service->metrics().dead == 1);
}

TEST_CASE("a 408 or a 429 is retried", "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url())};
  f.Open();
  rules::Alert alert = MakeAlert("r1", "van");
  f.Handle(1, alert);
  int status = GENERATE(408, 429);
  police.Answer(status);

  REQUIRE(f.service->DeliverDue() == 1);
  CHECK(f.Get("police", alert).state == DeliveryState::kPending);
  f.clock.Advance(f.config.retry_initial);
  CHECK(f.service->DeliverDue() == 1);
  CHECK(f.Get("police", alert).state == DeliveryState::kDelivered);
}

TEST_CASE("any 2xx answer counts as delivered", "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url())};
  f.Open();
  rules::Alert alert = MakeAlert("r1", "van");
  f.Handle(1, alert);
  police.Answer(GENERATE(201, 202, 204));

  REQUIRE(f.service->DeliverDue() == 1);
  CHECK(f.Get("police", alert).state == DeliveryState::kDelivered);
}

TEST_CASE("a 429 with retry-after waits at least that long", "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url())};
  f.Open();
  f.Handle(1, MakeAlert("r1", "van"));
  police.Answer(429, "30");

  REQUIRE(f.service->DeliverDue() == 1);
  f.clock.Advance(seconds(29));
  CHECK(f.service->DeliverDue() == 0);
  f.clock.Advance(seconds(1));
  CHECK(f.service->DeliverDue() == 1);
  CHECK(police.got().size() == 2);
}

TEST_CASE("a delivery is dead after max_attempts", "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.max_attempts = 3;
  f.config.subscribers = {Webhook("police", police.Url())};
  f.Open();
  rules::Alert alert = MakeAlert("r1", "van");
  f.Handle(1, alert);
  for (int i = 0; i < 4; ++i) police.Answer(503);

  for (int i = 0; i < 4; ++i) {
    f.service->DeliverDue();
    f.clock.Advance(f.config.retry_max);
  }
  CHECK(police.got().size() == 3);
  Delivery d = f.Get("police", alert);
  CHECK(d.state == DeliveryState::kDead);
  CHECK(d.attempts == 3);
  CHECK(f.service->metrics().retried == 2);
  CHECK(f.service->metrics().dead == 1);
}

TEST_CASE("later alerts to a subscriber wait for an earlier one's retry",
          "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url())};
  f.Open();
  rules::Alert first = MakeAlert("r1", "van");
  rules::Alert second = MakeAlert("r1", "car");
  f.Handle(1, first);
  f.Handle(2, second);
  police.Answer(500);

  CHECK(f.service->DeliverDue() == 1);
  f.clock.Advance(f.config.retry_initial);
  CHECK(f.service->DeliverDue() == 2);

  std::vector<std::string> order;
  for (const Received& r : police.got()) order.push_back(r.delivery_id);
  std::string one = MakeDeliveryId("police", first.id, 1);
  std::string two = MakeDeliveryId("police", second.id, 1);
  CHECK(order == std::vector<std::string>{one, one, two});
}

TEST_CASE("a dead or stalled receiver does not hold up a healthy one",
          "[notifier]") {
  ClosedPort down;
  Receiver stalled;
  Receiver healthy;
  Fixture f;
  stalled.Stall();
  f.config.subscribers = {Webhook("down", down.Url()),
                          Webhook("stalled", stalled.Url()),
                          Webhook("healthy", healthy.Url())};
  f.config.subscribers[1].timeout = minutes(1);
  f.Open();
  f.service->Start();
  f.Handle(1, MakeAlert("r1", "van"));

  // The healthy receiver is served while the stalled one still holds its
  // request: they were not served one after the other.
  REQUIRE(healthy.WaitFor(1));
  REQUIRE(stalled.WaitFor(1));
  stalled.Release();
  f.service->Stop();

  StateCounts counts = f.outbox->Counts();
  CHECK(counts.delivered == 2);
  CHECK(counts.pending == 1);
}

TEST_CASE("the background loop delivers each new event", "[notifier]") {
  Receiver police;
  Fixture f;
  f.config.subscribers = {Webhook("police", police.Url())};
  f.Open();
  f.service->Start();

  f.Handle(1, MakeAlert("r1", "van"));
  REQUIRE(police.WaitFor(1));
  f.Handle(2, MakeAlert("r1", "car"));
  REQUIRE(police.WaitFor(2));
  f.service->Stop();
  CHECK(f.outbox->Counts().delivered == 2);
}

TEST_CASE("a log subscriber gets one line per alert and a delivered row",
          "[notifier]") {
  Fixture f;
  f.config.subscribers = {LogSubscriber("audit")};
  f.Open();
  rules::Alert alert = MakeAlert("r1", "van");
  LogCapture log;
  f.Handle(1, alert);

  std::string line = log.stream.str();
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
  CHECK(line.find(alert.id) != std::string::npos);
  CHECK(line.find("rule=r1 state=firing version=1 incidents=3 regions=2") !=
        std::string::npos);
  CHECK(line.find(kDescription) == std::string::npos);
  CHECK(line.find(alert.key) == std::string::npos);
  CHECK(f.Get("audit", alert).state == DeliveryState::kDelivered);
  CHECK(f.service->DeliverDue() == 0);
  CHECK(f.service->metrics().logged == 1);
}

TEST_CASE("an unreadable alert event is skipped and moves the cursor",
          "[notifier]") {
  Fixture f;
  f.config.subscribers = {LogSubscriber("audit")};
  f.Open();
  LogCapture log;

  core::Status status =
      f.service->HandleAlertEvent({broker::kAlertTopic, 1, "{\"id\": 3"});
  CHECK(status.code() == core::Status::Code::kInvalid);
  CHECK(f.outbox->Cursor() == 1);
  CHECK(f.outbox->Counts().delivered == 0);
}

TEST_CASE("retry delays double from retry_initial up to retry_max",
          "[notifier]") {
  config::NotifyConfig config;
  config.retry_initial = seconds(1);
  config.retry_max = seconds(10);

  CHECK(RetryDelay(config, 1, 1.0, std::nullopt) == seconds(1));
  CHECK(RetryDelay(config, 2, 1.0, std::nullopt) == seconds(2));
  CHECK(RetryDelay(config, 4, 1.0, std::nullopt) == seconds(8));
  CHECK(RetryDelay(config, 5, 1.0, std::nullopt) == seconds(10));
  CHECK(RetryDelay(config, 500, 1.0, std::nullopt) == seconds(10));
  SECTION("jitter takes off at most half") {
    CHECK(RetryDelay(config, 2, 0.0, std::nullopt) == seconds(1));
    CHECK(RetryDelay(config, 2, 0.5, std::nullopt) ==
          std::chrono::milliseconds(1500));
  }
  SECTION("retry-after is a lower bound") {
    CHECK(RetryDelay(config, 1, 1.0, seconds(30)) == seconds(30));
    CHECK(RetryDelay(config, 5, 1.0, seconds(3)) == seconds(10));
  }
}

TEST_CASE("retry-after is read as seconds or as an http date", "[notifier]") {
  // 2025-06-15T15:06:40Z
  core::Instant now = kT0;
  CHECK(ParseRetryAfter("120", now) == seconds(120));
  CHECK(ParseRetryAfter(" 0 ", now) == seconds(0));
  CHECK(ParseRetryAfter("Sun, 15 Jun 2025 15:07:40 GMT", now) == seconds(60));
  CHECK(ParseRetryAfter("Sun, 15 Jun 2025 15:00:00 GMT", now) == seconds(0));
  CHECK_FALSE(ParseRetryAfter("", now));
  CHECK_FALSE(ParseRetryAfter("-5", now));
  CHECK_FALSE(ParseRetryAfter("soon", now));
  CHECK_FALSE(ParseRetryAfter("99999999999", now));
}

TEST_CASE("a webhook url splits into origin and path", "[notifier]") {
  std::optional<UrlParts> parts = SplitUrl("http://127.0.0.1:9000/a/b?c=1");
  REQUIRE(parts);
  CHECK(parts->origin == "http://127.0.0.1:9000");
  CHECK(parts->path == "/a/b?c=1");
  CHECK(SplitUrl("https://example.org")->path == "/");
  CHECK(SplitUrl("http://example.org?x=1")->path == "/?x=1");
  CHECK_FALSE(SplitUrl("ftp://example.org/"));
  CHECK_FALSE(SplitUrl("http:///path"));
  CHECK_FALSE(SplitUrl("example.org/hook"));
}

}  // namespace
}  // namespace slagboom::notifier
