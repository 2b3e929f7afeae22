#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "notifier/channel_sender.h"
#include "notifier/smtp_sender.h"
#include "tests/notifier/notifier_test_support.h"
#include "tests/support/child_process.h"

namespace slagboom::notifier {
namespace {

using testing::EventOf;
using testing::kT0;
using testing::PlateAlert;

// tests/support/smtp_sink.py, a real SMTP server (aiosmtpd) on 127.0.0.1.
class SmtpSink {
 public:
  explicit SmtpSink(const std::string& dir)
      : process_({"/usr/bin/python3",
                  SLAGBOOM_SOURCE_DIR "/tests/support/smtp_sink.py", dir}) {
    std::string line = process_.ReadLineStartingWith("listening ");
    REQUIRE(!line.empty());
    port_ = std::stoi(line.substr(10));
  }

  std::string Url() const { return fmt::format("smtp://127.0.0.1:{}", port_); }

  // Waits for the next mail the server takes and returns it as it came.
  std::string NextMail() {
    std::string line = process_.ReadLineStartingWith("received ");
    REQUIRE(!line.empty());
    std::string path = line.substr(9, line.find(' ', 9) - 9);
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  slagboom::testing::ChildProcess process_;
  int port_ = 0;
};

config::SubscriberConfig Mailbox(const std::string& url,
                                 const std::string& audience,
                                 std::vector<std::string> to) {
  config::SubscriberConfig s;
  s.id = "mail-" + audience;
  s.channel = "email";
  s.url = url;
  s.audience = audience;
  s.from = "Slagboom <alerts@slagboom.example>";
  s.to = std::move(to);
  s.link_base = "https://slagboom.example/alerts/";
  return s;
}

// A notifier delivering through the ChannelSender, on a fresh outbox.
struct MailFixture {
  explicit MailFixture(const config::SubscriberConfig& subscriber) {
    config.subscribers = {subscriber};
    config.retry_initial = std::chrono::seconds(1);
    outbox = std::make_unique<Outbox>((dir.path / "notify.db").string());
    service = std::make_unique<NotifierService>(config, *outbox, sender, clock);
  }

  testing::TempDir dir;
  core::ManualClock clock{kT0};
  ChannelSender sender{clock};
  config::NotifyConfig config;
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<NotifierService> service;
};

// A port that was free a moment ago: nothing listens there.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
          0);
  socklen_t size = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string Envelope(const std::string& id, const nlohmann::json& alert) {
  return nlohmann::json{{"delivery_id", id}, {"alert", alert}}.dump();
}

TEST_CASE("an email delivery arrives as a mail with the expected headers",
          "[smtp]") {
  testing::TempDir dir;
  SmtpSink sink(dir.path.string());
  core::ManualClock clock{kT0};
  SmtpSender sender(clock);
  config::SubscriberConfig s =
      Mailbox(sink.Url(), "police", {"dispatch@police.example"});
  nlohmann::json alert = rules::AlertToJson(PlateAlert("van-wave", "ab12"));

  SendResult result = sender.Send(s, "d-42", Envelope("d-42", alert));
  REQUIRE(result.ok());
  std::string mail = sink.NextMail();
  CHECK_THAT(mail,
             Catch::Contains("Date: Sun, 15 Jun 2025 15:06:40 +0000\r\n"));
  CHECK_THAT(mail,
             Catch::Contains("From: Slagboom <alerts@slagboom.example>\r\n"));
  CHECK_THAT(mail, Catch::Contains("To: dispatch@police.example\r\n"));
  CHECK_THAT(mail,
             Catch::Contains("Subject: [slagboom] high van-wave: firing\r\n"));
  CHECK_THAT(mail, Catch::Contains("Message-ID: <d-42@slagboom.example>\r\n"));
  CHECK_THAT(mail,
             Catch::Contains("Content-Type: text/plain; charset=UTF-8\r\n"));
  CHECK_THAT(mail, Catch::Contains("https://slagboom.example/alerts/" +
                                   alert["id"].get<std::string>()));
  CHECK_THAT(mail, Catch::Contains("Grey van seen near three shops"));
}

TEST_CASE("a retried email keeps its message id", "[smtp]") {
  testing::TempDir dir;
  SmtpSink sink(dir.path.string());
  core::ManualClock clock{kT0};
  SmtpSender sender(clock);
  config::SubscriberConfig s =
      Mailbox(sink.Url(), "police", {"dispatch@police.example"});
  std::string body =
      Envelope("d-7", rules::AlertToJson(PlateAlert("van-wave", "ab12")));

  REQUIRE(sender.Send(s, "d-7", body).ok());
  clock.Advance(std::chrono::minutes(3));
  REQUIRE(sender.Send(s, "d-7", body).ok());
  std::string first = sink.NextMail();
  std::string second = sink.NextMail();
  CHECK_THAT(first, Catch::Contains("Message-ID: <d-7@slagboom.example>"));
  CHECK_THAT(second, Catch::Contains("Message-ID: <d-7@slagboom.example>"));
}

TEST_CASE(
    "a shopkeeper email through the outbox carries no plate key or "
    "description",
    "[smtp]") {
  testing::TempDir sink_dir;
  SmtpSink sink(sink_dir.path.string());
  MailFixture f(Mailbox(sink.Url(), "shopkeeper", {"shop@example.org"}));
  rules::Alert alert = PlateAlert("van-wave", "ab12");

  REQUIRE(f.service->HandleAlertEvent(EventOf(1, alert)).ok());
  REQUIRE(f.service->DeliverDue() == 1);
  std::string mail = sink.NextMail();
  CHECK_THAT(mail,
             Catch::Contains("Subject: [slagboom] high van-wave: firing"));
  CHECK_THAT(mail, Catch::Contains("midden-nederland"));
  CHECK_THAT(mail, !Catch::Contains("pk_ab12"));
  CHECK_THAT(mail, !Catch::Contains("plate"));
  CHECK_THAT(mail, !Catch::Contains("Grey van"));
  CHECK(f.outbox->Counts().delivered == 1);
}

TEST_CASE("a recipient refused with 550 ends in the dead letters", "[smtp]") {
  testing::TempDir sink_dir;
  SmtpSink sink(sink_dir.path.string());
  MailFixture f(Mailbox(sink.Url(), "police", {"reject@police.example"}));

  REQUIRE(
      f.service->HandleAlertEvent(EventOf(1, PlateAlert("van-wave", "ab12")))
          .ok());
  REQUIRE(f.service->DeliverDue() == 1);
  std::vector<Delivery> dead = f.outbox->DeadLetters(10);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].attempts == 1);
  CHECK_THAT(dead[0].last_error, Catch::Contains("SMTP 550"));
}

TEST_CASE("a recipient refused with 451 is tried again later", "[smtp]") {
  testing::TempDir sink_dir;
  SmtpSink sink(sink_dir.path.string());
  MailFixture f(Mailbox(sink.Url(), "police", {"later@police.example"}));
  rules::Alert alert = PlateAlert("van-wave", "ab12");

  REQUIRE(f.service->HandleAlertEvent(EventOf(1, alert)).ok());
  REQUIRE(f.service->DeliverDue() == 1);
  std::optional<Delivery> d =
      f.outbox->Get(MakeDeliveryId("mail-police", alert.id, 1));
  REQUIRE(d);
  CHECK(d->state == DeliveryState::kPending);
  CHECK(d->attempts == 1);
  CHECK(d->next_attempt_at > kT0);
  CHECK_THAT(d->last_error, Catch::Contains("SMTP 451"));
}

TEST_CASE("an email to a server that refuses the connection is retried",
          "[smtp]") {
  int port = FreePort();
  MailFixture f(Mailbox(fmt::format("smtp://127.0.0.1:{}", port), "police",
                        {"dispatch@police.example"}));
  rules::Alert alert = PlateAlert("van-wave", "ab12");

  REQUIRE(f.service->HandleAlertEvent(EventOf(1, alert)).ok());
  REQUIRE(f.service->DeliverDue() == 1);
  std::optional<Delivery> d =
      f.outbox->Get(MakeDeliveryId("mail-police", alert.id, 1));
  REQUIRE(d);
  CHECK(d->state == DeliveryState::kPending);
  CHECK(d->attempts == 1);
  CHECK(f.outbox->Counts().dead == 0);
}

TEST_CASE("a subject that is not ascii is encoded as an rfc 2047 word",
          "[smtp]") {
  config::SubscriberConfig s =
      Mailbox("smtp://127.0.0.1:25", "police", {"a@b.example"});
  nlohmann::json alert = {{"id", "a1"},
                          {"rule", "wijk-überfall"},
                          {"severity", "low"},
                          {"state", "resolved"},
                          {"regions", {"Súdwest-Fryslân"}}};

  std::string mail = ComposeMail(s, "d-1", alert, kT0);
  CHECK_THAT(mail, Catch::Contains("Subject: =?UTF-8?B?"));
  CHECK_THAT(mail, Catch::Contains("S=C3=BAdwest-Frysl=C3=A2n"));
  CHECK_THAT(mail,
             Catch::Contains("Content-Transfer-Encoding: quoted-printable"));
}

TEST_CASE("line breaks in configured values cannot add mail headers",
          "[smtp]") {
  config::SubscriberConfig s = Mailbox("smtp://127.0.0.1:25", "police",
                                       {"a@b.example\r\nBcc: evil@x.example"});
  std::string mail = ComposeMail(s, "d-1", {{"id", "a1"}}, kT0);
  CHECK_THAT(mail, !Catch::Contains("\r\nBcc:"));
  CHECK(MailAddress("Slagboom <alerts@slagboom.example>") ==
        "alerts@slagboom.example");
}

}  // namespace
}  // namespace slagboom::notifier
