#include "notifier/stream.h"

#include <fmt/format.h>
#include <httplib.h>

#include <catch2/catch.hpp>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "ingest/token_store.h"
#include "tests/notifier/notifier_test_support.h"

namespace slagboom::notifier {
namespace {

using testing::EventOf;
using testing::PlateAlert;

// The alert stream's owner, in memory.
class FakeSource : public broker::ReplaySource {
 public:
  void Add(const broker::Event& event) {
    std::lock_guard lock(mu_);
    events_.push_back(event);
  }
  std::vector<broker::Event> ReadFrom(uint64_t from_seq, size_t max) override {
    std::lock_guard lock(mu_);
    std::vector<broker::Event> out;
    for (const broker::Event& e : events_) {
      if (e.seq >= from_seq && out.size() < max) out.push_back(e);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<broker::Event> events_;
};

class FakeAuth : public core::Authenticator {
 public:
  FakeAuth() {
    tokens_["police"] = {"dispatch", core::Role::kPolice, {}, {}};
    tokens_["shop"] = {"bakker", core::Role::kShopkeeper, {}, {}};
    tokens_["north"] = {"north", core::Role::kPolice, {}, {"noord-holland"}};
  }
  std::optional<core::Principal> Authenticate(
      std::string_view header) override {
    if (!header.starts_with("Bearer ")) return std::nullopt;
    auto it = tokens_.find(std::string(header.substr(7)));
    if (it == tokens_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, core::Principal> tokens_;
};

struct SseEvent {
  std::string id;
  std::string event;
  nlohmann::json data;
};

StreamOptions Fast() {
  StreamOptions options;
  options.heartbeat = std::chrono::milliseconds(50);
  return options;
}

// An AlertStream served by a real HTTP server on 127.0.0.1.
struct StreamFixture {
  explicit StreamFixture(uint64_t last_seq = 0, StreamOptions options = Fast())
      : stream(source, last_seq, options) {
    stream.Register(server, auth);
    server.Get("/ready", [](const httplib::Request&, httplib::Response&) {});
    port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { server.listen_after_bind(); });
    REQUIRE(Client().Get("/ready"));
  }
  ~StreamFixture() {
    stream.Close();
    server.stop();
    thread.join();
  }

  httplib::Client Client() {
    httplib::Client client(fmt::format("http://127.0.0.1:{}", port));
    client.set_read_timeout(std::chrono::seconds(20));
    return client;
  }

  // Reads the stream as `token` until `count` events came; `on_open` runs
  // once the stream is open; `comments` gets the comment lines.
  std::vector<SseEvent> Read(const std::string& token, size_t count,
                             httplib::Headers headers = {},
                             std::function<void()> on_open = {},
                             std::vector<std::string>* comments = nullptr) {
    headers.emplace("Authorization", "Bearer " + token);
    std::vector<SseEvent> events;
    std::string buffer;
    bool opened = false;
    auto receive = [&](const char* data, size_t size) {
      buffer.append(data, size);
      for (size_t end; (end = buffer.find("\n\n")) != std::string::npos;) {
        std::string block = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        SseEvent e;
        std::istringstream lines(block);
        for (std::string line; std::getline(lines, line);) {
          if (line.starts_with(":") && comments) comments->push_back(line);
          if (line.starts_with("id: ")) e.id = line.substr(4);
          if (line.starts_with("event: ")) e.event = line.substr(7);
          if (line.starts_with("data: "))
            e.data = nlohmann::json::parse(line.substr(6));
        }
        if (!e.id.empty()) events.push_back(e);
      }
      if (!opened && on_open) on_open();
      opened = true;
      return events.size() < count &&
             (comments == nullptr || comments->size() < count);
    };
    Client().Get("/api/v1/stream", headers, receive);
    return events;
  }

  FakeSource source;
  FakeAuth auth;
  AlertStream stream;
  httplib::Server server;
  int port = 0;
  std::thread thread;
};

TEST_CASE("stream events arrive in order with the bus sequence as id",
          "[stream]") {
  StreamFixture f;
  rules::Alert first = PlateAlert("van-wave", "ab12");
  rules::Alert second = PlateAlert("van-wave", "ab12", 2);

  std::vector<SseEvent> events = f.Read("police", 2, {}, [&] {
    f.source.Add(EventOf(1, first));
    f.source.Add(EventOf(2, second));
    f.stream.Notify(2);
  });
  REQUIRE(events.size() == 2);
  CHECK(events[0].id == "1");
  CHECK(events[0].event == "firing");
  CHECK(events[1].id == "2");
  CHECK(events[1].event == "updated");
  CHECK(events[1].data["key"] == "pk_ab12");
  CHECK(events[1].data["version"] == 2);
}

TEST_CASE("a shopkeeper stream carries no plate key or description",
          "[stream]") {
  StreamFixture f;
  rules::Alert alert = PlateAlert("van-wave", "ab12");

  std::vector<SseEvent> events = f.Read("shop", 1, {}, [&] {
    f.source.Add(EventOf(1, alert));
    f.stream.Notify(1);
  });
  REQUIRE(events.size() == 1);
  CHECK(events[0].data["rule"] == "van-wave");
  CHECK_FALSE(events[0].data.contains("key"));
  CHECK_FALSE(events[0].data.contains("description"));
  CHECK_FALSE(events[0].data.contains("incidents"));
  CHECK(events[0].data.dump().find("pk_ab12") == std::string::npos);
}

TEST_CASE("last-event-id resumes the stream after the named event",
          "[stream]") {
  StreamFixture f(3);
  for (int v = 1; v <= 3; ++v)
    f.source.Add(EventOf(v, PlateAlert("van-wave", "ab12", v)));

  std::vector<SseEvent> events = f.Read("police", 2, {{"Last-Event-ID", "1"}});
  REQUIRE(events.size() == 2);
  CHECK(events[0].id == "2");
  CHECK(events[1].id == "3");
}

TEST_CASE("a token scoped to a region sees only alerts touching it",
          "[stream]") {
  StreamFixture f(2);
  rules::Alert elsewhere = PlateAlert("van-wave", "ab12");
  rules::Alert north = PlateAlert("van-wave", "cd34");
  north.regions = {"noord-holland"};
  f.source.Add(EventOf(1, elsewhere));
  f.source.Add(EventOf(2, north));

  std::vector<SseEvent> events = f.Read("north", 1, {{"Last-Event-ID", "0"}});
  REQUIRE(events.size() == 1);
  CHECK(events[0].id == "2");
}

TEST_CASE("an alert the tlp keeps from shopkeepers is not streamed to them",
          "[stream]") {
  StreamFixture f(2);
  f.source.Add(EventOf(1, PlateAlert("van-wave", "ab12"), "RED"));
  f.source.Add(EventOf(2, PlateAlert("van-wave", "cd34"), "GREEN"));

  std::vector<SseEvent> events = f.Read("shop", 1, {{"Last-Event-ID", "0"}});
  REQUIRE(events.size() == 1);
  CHECK(events[0].id == "2");
}

TEST_CASE("an idle stream sends heartbeat comments", "[stream]") {
  StreamFixture f;
  std::vector<std::string> comments;

  f.Read("police", 3, {}, {}, &comments);
  REQUIRE(comments.size() >= 3);
  CHECK(comments[0] == ": slagboom alert stream");
  CHECK(comments[1] == ": heartbeat");
}

TEST_CASE("a stream without a valid token is refused with 401", "[stream]") {
  StreamFixture f;
  httplib::Result none = f.Client().Get("/api/v1/stream");
  REQUIRE(none);
  CHECK(none->status == 401);
  httplib::Result wrong =
      f.Client().Get("/api/v1/stream", {{"Authorization", "Bearer nobody"}});
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
}

TEST_CASE("streams beyond the limit are refused with 503", "[stream]") {
  StreamOptions options = Fast();
  options.max_streams = 1;
  StreamFixture f(0, options);
  std::promise<void> open;
  std::promise<void> release;
  std::thread holder([&] {
    std::vector<std::string> comments;
    f.Read(
        "police", 1000, {},
        [&] {
          open.set_value();
          release.get_future().wait();
        },
        &comments);
  });
  open.get_future().wait();

  httplib::Result refused =
      f.Client().Get("/api/v1/stream", {{"Authorization", "Bearer police"}});
  release.set_value();
  f.stream.Close();
  holder.join();
  REQUIRE(refused);
  CHECK(refused->status == 503);
  CHECK(refused->get_header_value("Retry-After") == "5");
}

}  // namespace
}  // namespace slagboom::notifier

namespace slagboom::notifier {
namespace {

TEST_CASE("a token's region scope is stored and given to the stream",
          "[stream]") {
  testing::TempDir dir;
  std::string path = (dir.path / "ingest.db").string();
  {
    // A file from before tokens had regions.
    core::Database db(path, core::Database::Durability::kFull);
    db.Exec(
        "CREATE TABLE tokens (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT "
        "NOT NULL, token_hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL, steps "
        "TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER)");
  }
  ingest::TokenStore tokens(path);
  core::Principal north{"north-desk", core::Role::kPolice, {}, {}};
  north.regions = {"noord-holland", "noord-nederland"};
  std::string token;
  REQUIRE(tokens.Create(north, testing::kT0, &token).ok());

  std::optional<core::Principal> who = tokens.Authenticate("Bearer " + token);
  REQUIRE(who);
  CHECK(who->regions ==
        std::vector<std::string>{"noord-holland", "noord-nederland"});
  CHECK(tokens.List().at(0).principal.regions.size() == 2);
}

}  // namespace
}  // namespace slagboom::notifier
