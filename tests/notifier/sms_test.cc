#include <fmt/format.h>
#include <httplib.h>

#include <catch2/catch.hpp>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>

#include "notifier/channel_sender.h"
#include "notifier/sms_sender.h"
#include "tests/notifier/notifier_test_support.h"

namespace slagboom::notifier {
namespace {

using testing::EventOf;
using testing::kT0;
using testing::PlateAlert;

struct GatewayCall {
  std::string method;
  std::string path;
  std::string authorization;
  std::string content_type;
  std::string body;
};

// A real SMS gateway stand-in on 127.0.0.1: records every request and
// answers from a script of statuses (200 once the script is used up).
class Gateway {
 public:
  Gateway() {
    auto handle = [this](const httplib::Request& req, httplib::Response& res) {
      if (req.path == "/ready") return;
      std::lock_guard lock(mu_);
      calls_.push_back({req.method, req.target,
                        req.get_header_value("Authorization"),
                        req.get_header_value("Content-Type"), req.body});
      if (answers_.empty()) return;
      auto [status, retry_after] = answers_.front();
      answers_.pop_front();
      res.status = status;
      if (!retry_after.empty()) res.set_header("Retry-After", retry_after);
    };
    server_.Post(".*", handle);
    server_.Put(".*", handle);
    server_.Get(".*", handle);
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Answered once the server accepts, so stop() cannot race the start.
    REQUIRE(httplib::Client(Url("")).Get("/ready"));
  }
  ~Gateway() {
    server_.stop();
    thread_.join();
  }

  std::string Url(const std::string& path = "/send") const {
    return fmt::format("http://127.0.0.1:{}{}", port_, path);
  }
  void Answer(int status, const std::string& retry_after = "") {
    std::lock_guard lock(mu_);
    answers_.emplace_back(status, retry_after);
  }
  std::vector<GatewayCall> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<GatewayCall> calls_;
  std::deque<std::pair<int, std::string>> answers_;
};

config::SubscriberConfig Phone(const std::string& url,
                               const std::string& audience,
                               std::vector<std::string> numbers) {
  config::SubscriberConfig s;
  s.id = "sms-" + audience;
  s.channel = "sms";
  s.url = url;
  s.audience = audience;
  s.numbers = std::move(numbers);
  return s;
}

struct SmsFixture {
  explicit SmsFixture(const config::SubscriberConfig& subscriber) {
    config.subscribers = {subscriber};
    config.retry_initial = std::chrono::seconds(1);
    outbox = std::make_unique<Outbox>((dir.path / "notify.db").string());
    service = std::make_unique<NotifierService>(config, *outbox, sender, clock);
  }
  std::optional<Delivery> Only(const rules::Alert& alert) {
    return outbox->Get(
        MakeDeliveryId(config.subscribers[0].id, alert.id, alert.version));
  }

  testing::TempDir dir;
  core::ManualClock clock{kT0};
  ChannelSender sender{clock};
  config::NotifyConfig config;
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<NotifierService> service;
};

std::string Envelope(const nlohmann::json& alert) {
  return nlohmann::json{{"alert", alert}}.dump();
}

TEST_CASE(
    "an sms goes to the gateway once per number with the template "
    "filled",
    "[sms]") {
  Gateway gateway;
  testing::TempDir dir;
  std::string auth_file = (dir.path / "sms.auth").string();
  std::ofstream(auth_file) << "Bearer gw-secret\n";
  config::SubscriberConfig s =
      Phone(gateway.Url(), "police", {"+31600000001", "+31600000002"});
  s.auth_file = auth_file;
  core::ManualClock clock{kT0};
  SmsSender sender(clock);
  nlohmann::json alert = rules::AlertToJson(PlateAlert("van-wave", "ab12"));

  REQUIRE(sender.Send(s, "d-1", Envelope(alert)).status == 200);
  std::vector<GatewayCall> calls = gateway.calls();
  REQUIRE(calls.size() == 2);
  nlohmann::json body = nlohmann::json::parse(calls[1].body);
  CHECK(body["to"] == "+31600000002");
  CHECK_THAT(body["text"].get<std::string>(),
             Catch::StartsWith("[slagboom] high van-wave firing: "
                               "midden-nederland,oost-nederland"));
  CHECK(calls[0].method == "POST");
  CHECK(calls[0].authorization == "Bearer gw-secret");
  CHECK(calls[0].content_type == "application/json");
}

TEST_CASE("a shopkeeper sms carries no plate key or description", "[sms]") {
  Gateway gateway;
  SmsFixture f(Phone(gateway.Url(), "shopkeeper", {"+31600000003"}));
  rules::Alert alert = PlateAlert("van-wave", "ab12");

  REQUIRE(f.service->HandleAlertEvent(EventOf(1, alert)).ok());
  REQUIRE(f.service->DeliverDue() == 1);
  std::vector<GatewayCall> calls = gateway.calls();
  REQUIRE(calls.size() == 1);
  std::string text = nlohmann::json::parse(calls[0].body)["text"];
  CHECK_THAT(text, Catch::Contains("#" + alert.id));
  CHECK_THAT(text, !Catch::Contains("pk_ab12"));
  CHECK_THAT(text, !Catch::Contains("Grey van"));
  CHECK(f.outbox->Counts().delivered == 1);
}

TEST_CASE("an sms the gateway answers 503 or 429 waits for its retry-after",
          "[sms]") {
  int status = GENERATE(503, 429);
  Gateway gateway;
  SmsFixture f(Phone(gateway.Url(), "police", {"+31600000001"}));
  rules::Alert alert = PlateAlert("van-wave", "ab12");
  gateway.Answer(status, "120");

  REQUIRE(f.service->HandleAlertEvent(EventOf(1, alert)).ok());
  REQUIRE(f.service->DeliverDue() == 1);
  std::optional<Delivery> d = f.Only(alert);
  REQUIRE(d);
  CHECK(d->state == DeliveryState::kPending);
  CHECK(d->next_attempt_at >= kT0 + std::chrono::seconds(120));
  CHECK(f.service->DeliverDue() == 0);

  f.clock.Advance(std::chrono::seconds(121));
  REQUIRE(f.service->DeliverDue() == 1);
  CHECK(f.Only(alert)->state == DeliveryState::kDelivered);
  CHECK(gateway.calls().size() == 2);
}

TEST_CASE("an sms the gateway answers 400 is dead at once", "[sms]") {
  Gateway gateway;
  SmsFixture f(Phone(gateway.Url(), "police", {"+31600000001"}));
  rules::Alert alert = PlateAlert("van-wave", "ab12");
  gateway.Answer(400);

  REQUIRE(f.service->HandleAlertEvent(EventOf(1, alert)).ok());
  REQUIRE(f.service->DeliverDue() == 1);
  std::optional<Delivery> d = f.Only(alert);
  REQUIRE(d);
  CHECK(d->state == DeliveryState::kDead);
  CHECK(d->attempts == 1);
  CHECK(f.outbox->DeadLetters(10).size() == 1);
}

TEST_CASE("a retried sms goes only to the numbers the gateway did not take",
          "[sms]") {
  Gateway gateway;
  SmsFixture f(
      Phone(gateway.Url(), "police", {"+31600000001", "+31600000002"}));
  rules::Alert alert = PlateAlert("van-wave", "ab12");
  gateway.Answer(200);
  gateway.Answer(502);

  REQUIRE(f.service->HandleAlertEvent(EventOf(1, alert)).ok());
  REQUIRE(f.service->DeliverDue() == 1);
  f.clock.Advance(std::chrono::minutes(1));
  REQUIRE(f.service->DeliverDue() == 1);
  std::vector<GatewayCall> calls = gateway.calls();
  REQUIRE(calls.size() == 3);
  CHECK(nlohmann::json::parse(calls[2].body)["to"] == "+31600000002");
  CHECK(f.Only(alert)->state == DeliveryState::kDelivered);
}

TEST_CASE("a form-encoded sms template is percent-encoded", "[sms]") {
  CHECK(FillTemplate("to={to}&msg={text}", "application/x-www-form-urlencoded",
                     "+316", "a b&c", "d") == "to=%2B316&msg=a%20b%26c");
  CHECK(FillTemplate(R"({"to":"{to}","text":"{text}"})", "application/json",
                     "+316", "say \"hi\"",
                     "d") == R"({"to":"+316","text":"say \"hi\""})");
}

TEST_CASE("a long sms text is cut at a character with a marker", "[sms]") {
  CHECK(TruncateText("abcdefghij", 10) == "abcdefghij");
  CHECK(TruncateText("abcdefghijk", 10) == "abcdefg...");
  CHECK(TruncateText("ééééééééééé", 5) == "éé...");

  nlohmann::json alert = {{"id", std::string(40, 'x')},
                          {"rule", "van-wave"},
                          {"severity", "high"},
                          {"state", "firing"},
                          {"regions", std::vector<std::string>(20, "region")}};
  std::string text = SmsText(alert, "https://s.example/a/1", 160);
  CHECK(text.size() == 160);
  CHECK_THAT(text, Catch::EndsWith("... https://s.example/a/1"));
}

TEST_CASE("an sms gateway token can come from the environment", "[sms]") {
  Gateway gateway;
  ::setenv("SLAGBOOM_TEST_SMS_TOKEN", "Token env-secret", 1);
  config::SubscriberConfig s = Phone(gateway.Url(), "police", {"+31600000001"});
  s.auth_env = "SLAGBOOM_TEST_SMS_TOKEN";
  s.auth_header = "Authorization";
  core::ManualClock clock{kT0};
  SmsSender sender(clock);

  REQUIRE(sender.Send(s, "d-2", Envelope({{"id", "a"}})).ok());
  CHECK(gateway.calls().at(0).authorization == "Token env-secret");
}

}  // namespace
}  // namespace slagboom::notifier

namespace slagboom::notifier {
namespace {

TEST_CASE("email and sms subscribers are read from the configuration",
          "[sms]") {
  const std::string yaml = R"(notify:
  subscribers:
    - id: duty-mail
      channel: email
      url: smtps://mail.example:465
      from: "Slagboom <alerts@slagboom.example>"
      to: [duty@police.example]
      username: slagboom
      password_file: /etc/slagboom/smtp.pass
    - id: duty-sms
      channel: sms
      url: https://sms.example/api/send
      numbers: ["+31600000001"]
      body_template: "to={to}&text={text}"
      content_type: application/x-www-form-urlencoded
      auth_env: SMS_TOKEN
      max_length: 140
)";
  config::Config config;
  std::vector<config::ConfigError> errors;
  REQUIRE(config::ParseConfig(yaml, "test.yaml", &config, &errors));
  const config::SubscriberConfig& mail = config.notify.subscribers[0];
  CHECK(mail.to == std::vector<std::string>{"duty@police.example"});
  CHECK(mail.password_file == "/etc/slagboom/smtp.pass");
  CHECK_FALSE(mail.starttls);
  const config::SubscriberConfig& sms = config.notify.subscribers[1];
  CHECK(sms.method == "POST");
  CHECK(sms.max_length == 140);
  CHECK(sms.auth_env == "SMS_TOKEN");
}

TEST_CASE("an email subscriber without from or to is an error", "[sms]") {
  const std::string yaml = R"(notify:
  subscribers:
    - id: duty-mail
      channel: email
      url: http://mail.example
)";
  config::Config config;
  std::vector<config::ConfigError> errors;
  REQUIRE_FALSE(config::ParseConfig(yaml, "test.yaml", &config, &errors));
  std::string text = config::FormatErrors(errors);
  CHECK_THAT(text, Catch::Contains("smtp:// or smtps://"));
  CHECK_THAT(text, Catch::Contains("needs a from"));
  CHECK_THAT(text, Catch::Contains("needs a to list"));
}

}  // namespace
}  // namespace slagboom::notifier
