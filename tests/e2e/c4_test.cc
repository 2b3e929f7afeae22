// C4 with real processes: the rules part in `slagboom run --no-notifier`
// publishes alerts on tcp:// endpoints, and a `slagboom notify` process
// that starts late, or is killed and started again, still hands every
// alert to the webhook once.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>

#include "tests/support/child_process.h"
#include "tests/support/webhook_receiver.h"

namespace slagboom::testing {
namespace {

using nlohmann::json;

constexpr int kAlerts = 20;

// A port no one listens on now (the system's choice for port 0).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t size = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string Tcp() { return "tcp://127.0.0.1:" + std::to_string(FreePort()); }

// One rule that fires on every incident of its own block: 20 incidents
// in 20 blocks are 20 alerts.
std::string Config(const std::string& data_dir, const std::string& hook) {
  return "data_dir: " + data_dir + R"(
http:
  listen: 127.0.0.1:0
bus:
  xsub: )" +
         Tcp() + R"(
  xpub: )" +
         Tcp() + R"(
  ingest_replay: )" +
         Tcp() + R"(
  rules_replay: )" +
         Tcp() + R"(
ingest:
  offences: [shoplifting]
rules:
  lateness: 24h
  rules:
    - id: any-block
      key: block
      min_count: 1
      window: 1h
notify:
  subscribers:
    - id: police
      channel: webhook
      url: )" +
         hook + "\n";
}

json Report(int i) {
  return {
      {"report_id", "c4-" + std::to_string(i)},
      {"occurred_at", "2025-06-10T09:" + std::to_string(10 + i) + ":00+02:00"},
      {"offence", "shoplifting"},
      {"location",
       {{"block", "block-" + std::to_string(i)}, {"municipality", "GM0344"}}}};
}

struct C4 {
  TempDir dir;
  WebhookReceiver hook;
  std::string config = dir.path + "/slagboom.yaml";
  std::unique_ptr<ChildProcess> rules;
  std::unique_ptr<ChildProcess> notify;
  std::unique_ptr<httplib::Client> client;

  C4() {
    std::ofstream(config) << Config(dir.path + "/data", hook.Url());
    std::string out;
    REQUIRE(RunToEnd({SLAGBOOM_BINARY, "token", "create", "--config", config,
                      "--role", "admin", "--name", "c4"},
                     &out) == 0);
    std::string token = out.substr(0, out.size() - 1);
    rules = std::make_unique<ChildProcess>(std::vector<std::string>{
        SLAGBOOM_BINARY, "run", "--no-notifier", "--config", config});
    std::string line = rules->ReadLineStartingWith("slagboom listening on ");
    REQUIRE(!line.empty());
    client = std::make_unique<httplib::Client>(
        line.substr(std::string("slagboom listening on ").size()));
    client->set_bearer_token_auth(token.c_str());
  }

  void Post(int i) {
    auto res =
        client->Post("/api/v1/incidents", Report(i).dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 201);
  }

  // The notifier in a process of its own, with its own data folder.
  void StartNotifier() {
    notify = std::make_unique<ChildProcess>(
        std::vector<std::string>{SLAGBOOM_BINARY, "notify", "--config", config,
                                 "--data-dir", dir.path + "/notify"});
    REQUIRE(!notify->ReadLineStartingWith("slagboom notify following").empty());
  }

  // Asks the rules part how many alerts it has fired until at least `n`.
  void AwaitAlerts(int n) {
    for (int fired = -1; fired < n;) {
      auto res = client->Get("/metrics");
      REQUIRE(res);
      const std::string name = "slagboom_alerts_fired_total ";
      size_t at = res->body.find("\n" + name);
      REQUIRE(at != std::string::npos);
      fired = std::stoi(res->body.substr(at + 1 + name.size()));
    }
  }

  // Waits for 20 deliveries, stops the notifier so that nothing is in
  // flight, and returns how often each alert came under each delivery id.
  std::map<std::string, std::set<std::string>> Delivered() {
    std::vector<json> calls = hook.WaitFor(kAlerts);
    REQUIRE(notify->Terminate() == 0);
    std::map<std::string, std::set<std::string>> ids_by_alert;
    for (const json& call : hook.WaitFor(0))
      ids_by_alert[call["alert"]["id"]].insert(call["delivery_id"]);
    return ids_by_alert;
  }
};

void CheckEachOnce(const std::map<std::string, std::set<std::string>>& got) {
  CHECK(got.size() == kAlerts);
  for (const auto& [alert, delivery_ids] : got) CHECK(delivery_ids.size() == 1);
}

TEST_CASE("C4 nothing is lost to a late subscriber", "[e2e]") {
  C4 c4;
  SECTION("the notifier starts with the rules part, before any alert") {
    c4.StartNotifier();
    for (int i = 1; i <= kAlerts; ++i) c4.Post(i);
  }
  SECTION("the notifier starts after some alerts exist") {
    for (int i = 1; i <= kAlerts / 2; ++i) c4.Post(i);
    c4.AwaitAlerts(kAlerts / 2);
    c4.StartNotifier();
    for (int i = kAlerts / 2 + 1; i <= kAlerts; ++i) c4.Post(i);
  }
  SECTION("the notifier starts after all 20 alerts exist") {
    for (int i = 1; i <= kAlerts; ++i) c4.Post(i);
    c4.AwaitAlerts(kAlerts);
    c4.StartNotifier();
  }
  CheckEachOnce(c4.Delivered());
  CHECK(c4.hook.WaitFor(0).size() == kAlerts);
}

TEST_CASE(
    "C4 a notifier killed after alert 8 and started again delivers "
    "each of 20 once",
    "[e2e]") {
  C4 c4;
  for (int i = 1; i <= kAlerts; ++i) c4.Post(i);
  c4.AwaitAlerts(kAlerts);
  c4.StartNotifier();
  c4.hook.WaitFor(8);
  c4.notify.reset();  // SIGKILL, as kill -9
  c4.StartNotifier();
  // At least once: a delivery answered but not yet recorded when the
  // process died comes again under the same delivery id, which the
  // receiver drops; every alert has exactly one delivery id.
  CheckEachOnce(c4.Delivered());
}

}  // namespace
}  // namespace slagboom::testing
