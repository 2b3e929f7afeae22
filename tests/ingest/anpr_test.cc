// Plate-camera reads over a real TCP connection on 127.0.0.1, the
// watchlist and the parsing of reads.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "broker/proxy.h"
#include "core/plate.h"
#include "core/time_util.h"
#include "ingest/anpr_server.h"
#include "tests/support/child_process.h"

namespace slagboom::ingest {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr char kKey[] = "secret-key-of-32-bytes-for-tests";

// A camera: sends lines and reads the answer to each.
struct Camera {
  asio::io_context io;
  tcp::socket socket{io};
  asio::streambuf in;

  explicit Camera(uint16_t port) {
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  std::string Send(const std::string& line) {
    asio::write(socket, asio::buffer(line + "\n"));
    size_t n = asio::read_until(socket, in, '\n');
    std::string answer(asio::buffers_begin(in.data()),
                       asio::buffers_begin(in.data()) + n - 1);
    in.consume(n);
    return answer;
  }
};

struct Fixture {
  testing::TempDir dir;
  IncidentStore store{dir.path + "/ingest.db"};
  core::ManualClock clock{
      core::ParseTimestamp("2025-06-12T12:00:00Z", "UTC", nullptr)->instant};
  IngestService service{config::IngestConfig{}, store, nullptr, clock, kKey};
  Watchlist watchlist{dir.path + "/ingest.db"};
  AnprMatcher matcher{service, watchlist, kKey};
  AnprServer server{"127.0.0.1:0", 256, matcher};

  Fixture() { server.Start(); }
};

const char kWatchedRead[] =
    R"({"camera": "cam-7", "plate": "12-zzx-4", "country": "NL",)"
    R"( "time": "2025-06-12T10:00:00+02:00", "lat": 52.09, "lon": 5.12})";

TEST_CASE_METHOD(Fixture, "a watched plate read over tcp is one incident",
                 "[ingest]") {
  const std::string key = core::KeyedHash(kKey, "NL:12ZZX4");
  watchlist.Put("alert-1", key);
  Camera camera(server.port());

  CHECK(camera.Send(kWatchedRead) == "ok");
  CHECK(camera.Send(kWatchedRead) == "ok");  // the same read again
  CHECK(camera.Send("cam-7,34-ABC-5,NL,2025-06-12T10:01:00+02:00,52.1,5.1") ==
        "ok");

  REQUIRE(store.Count() == 1);
  core::Incident inc = store.List({}).at(0);
  CHECK(inc.step == core::Step::kInfrastructure);
  CHECK(inc.tags == std::vector<std::string>{"anpr"});
  CHECK(inc.source == "anpr:cam-7");
  CHECK(inc.vehicle->plate_key == key);
  CHECK(core::FormatInstant(inc.occurred_at) == "2025-06-12T08:00:00Z");
  CHECK(matcher.matched() == 2);
  CHECK(matcher.dropped() == 1);
}

TEST_CASE_METHOD(Fixture, "a read of a plate nobody watches is not stored",
                 "[ingest]") {
  Camera camera(server.port());
  CHECK(camera.Send(kWatchedRead) == "ok");
  CHECK(store.Count() == 0);
  CHECK(matcher.dropped() == 1);
}

TEST_CASE_METHOD(Fixture, "a malformed line does not close the connection",
                 "[ingest]") {
  watchlist.Put("alert-1", core::KeyedHash(kKey, "NL:12ZZX4"));
  Camera camera(server.port());

  CHECK(camera.Send("not a read") ==
        "error line: expected camera,plate,country,time,lat,lon");
  CHECK(camera.Send(R"({"camera": "cam-7"})") ==
        "error plate: required, a string");
  CHECK(camera.Send(std::string(300, 'x')) ==
        "error line: longer than 256 bytes");
  CHECK(camera.Send("cam-7,12ZZX4,NL,2025-06-12T10:00:00,52.1,5.1") ==
        "error time: needs an offset (RFC 3339)");
  CHECK(camera.Send(kWatchedRead) == "ok");

  CHECK(server.bad_lines() == 4);
  CHECK(server.lines() == 5);
  CHECK(store.Count() == 1);
}

TEST_CASE_METHOD(Fixture, "two cameras are served at once", "[ingest]") {
  Camera first(server.port());
  Camera second(server.port());
  CHECK(second.Send(kWatchedRead) == "ok");
  CHECK(first.Send(kWatchedRead) == "ok");
  CHECK(server.connections() == 2);
}

broker::Event AlertEvent(uint64_t seq, const std::string& id,
                         const std::string& state, const std::string& kind) {
  nlohmann::json alert = {{"id", id},
                          {"state", state},
                          {"key_kind", kind},
                          {"key", "0123456789abcdef0123456789abcdef"}};
  return {broker::kAlertTopic, seq, alert.dump()};
}

TEST_CASE("the watchlist follows the alert stream and survives a restart",
          "[ingest]") {
  testing::TempDir dir;
  const std::string key = "0123456789abcdef0123456789abcdef";
  {
    Watchlist list(dir.path + "/ingest.db");
    REQUIRE(list.HandleAlertEvent(AlertEvent(1, "a1", "firing", "plate")).ok());
    REQUIRE(list.HandleAlertEvent(AlertEvent(2, "a2", "firing", "block")).ok());
    REQUIRE(
        list.HandleAlertEvent(AlertEvent(3, "a3", "updated", "plate")).ok());
    CHECK(list.Contains(key));
    CHECK(list.size() == 1);
    REQUIRE(
        list.HandleAlertEvent(AlertEvent(4, "a1", "resolved", "plate")).ok());
    CHECK(list.Contains(key));  // a3 still holds it
  }
  Watchlist reopened(dir.path + "/ingest.db");
  CHECK(reopened.Cursor() == 4);
  CHECK(reopened.Contains(key));
  REQUIRE(
      reopened.HandleAlertEvent(AlertEvent(5, "a3", "resolved", "plate")).ok());
  CHECK_FALSE(reopened.Contains(key));
  CHECK(reopened.HandleAlertEvent({broker::kAlertTopic, 6, "[]"}).code() ==
        core::Status::Code::kInvalid);
  CHECK(reopened.Cursor() == 6);
}

// The rules part's alert stream, kept in memory.
struct AlertStream : broker::ReplaySource {
  std::vector<broker::Event> events;
  std::vector<broker::Event> ReadFrom(uint64_t from, size_t max) override {
    std::vector<broker::Event> out;
    for (const broker::Event& e : events) {
      if (e.seq >= from && out.size() < max) out.push_back(e);
    }
    return out;
  }
};

TEST_CASE_METHOD(Fixture, "a plate alert on the bus makes its reads incidents",
                 "[ingest]") {
  zmq::context_t context;
  broker::Proxy proxy(context, "inproc://a-xsub", "inproc://a-xpub");
  AlertStream alerts;
  alerts.events = {AlertEvent(1, "a1", "firing", "plate")};
  alerts.events[0].payload =
      nlohmann::json{{"id", "a1"},
                     {"state", "firing"},
                     {"key_kind", "plate"},
                     {"key", core::KeyedHash(kKey, "NL:12ZZX4")}}
          .dump();
  broker::ReplayServer replay(context, "inproc://a-replay", alerts);

  std::mutex mu;
  std::condition_variable applied;
  bool all_ok = true;  // Catch2 assertions stay on the test's thread
  auto apply = [&](const broker::Event& e) {
    const bool ok = watchlist.HandleAlertEvent(e).ok();
    std::lock_guard<std::mutex> lock(mu);
    all_ok = all_ok && ok;
    applied.notify_all();
  };
  broker::Subscriber subscriber(context,
                                {"inproc://a-xpub", "inproc://a-replay",
                                 broker::kAlertTopic, watchlist.Cursor()},
                                apply);
  {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(applied.wait_for(lock, std::chrono::seconds(20),
                             [&] { return watchlist.Cursor() >= 1; }));
    CHECK(all_ok);
  }

  Camera camera(server.port());
  CHECK(camera.Send(kWatchedRead) == "ok");
  CHECK(store.Count() == 1);
}

TEST_CASE("a read is parsed from json or csv", "[ingest]") {
  AnprRead json_read, csv_read;
  REQUIRE(ParseAnprRead(kWatchedRead, &json_read).ok());
  REQUIRE(
      ParseAnprRead(" cam-7, 12-zzx-4 ,NL,2025-06-12T08:00:00Z,52.09,5.12\r",
                    &csv_read)
          .ok());
  for (const AnprRead& r : {json_read, csv_read}) {
    CHECK(r.camera == "cam-7");
    CHECK(r.plate == "12-zzx-4");
    CHECK(r.country == "NL");
    CHECK(core::FormatInstant(r.time) == "2025-06-12T08:00:00Z");
    CHECK(r.lat == 52.09);
    CHECK(r.lon == 5.12);
  }
}

TEST_CASE("a read with a bad camera or position is refused", "[ingest]") {
  AnprRead read;
  auto field = [&read](const std::string& line) {
    core::Status s = ParseAnprRead(line, &read);
    return s.ok() ? "ok" : s.details().at(0).field;
  };
  CHECK(field("cam 7,12ZZX4,NL,2025-06-12T08:00:00Z,52.1,5.1") == "camera");
  CHECK(field("cam-7,12ZZX4,NL,2025-06-12T08:00:00Z,95,5.1") == "lat");
  CHECK(field("cam-7,12ZZX4,NL,2025-06-12T08:00:00Z,52.1,east") == "lon");
  CHECK(field("cam-7,,NL,2025-06-12T08:00:00Z,52.1,5.1") == "plate");
}

}  // namespace
}  // namespace slagboom::ingest
