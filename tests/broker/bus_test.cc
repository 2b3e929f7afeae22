#include "broker/bus.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "broker/proxy.h"

namespace slagboom::broker {
namespace {

// An owner that keeps its stream in memory.
class MemoryStream : public ReplaySource {
 public:
  Event Append(const std::string& payload) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back({"incident", ++last_, payload});
    return events_.back();
  }
  // Uses up a number without an event, as a store whose counter moved
  // past a row it did not write.
  void Skip() {
    std::lock_guard<std::mutex> lock(mu_);
    ++last_;
  }
  std::vector<Event> ReadFrom(uint64_t from, size_t max) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Event> out;
    for (const Event& e : events_) {
      if (e.seq >= from && out.size() < max) out.push_back(e);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<Event> events_;
  uint64_t last_ = 0;
};

// Collects what a subscriber hands over and lets a test wait for it.
struct Collector {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<uint64_t> seqs;

  void operator()(const Event& e) {
    std::lock_guard<std::mutex> lock(mu);
    seqs.push_back(e.seq);
    cv.notify_all();
  }
  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(20),
                       [&] { return seqs.size() >= n; });
  }
};

struct Bus {
  zmq::context_t context;
  Proxy proxy{context, "inproc://t-xsub", "inproc://t-xpub"};
  MemoryStream stream;
  ReplayServer replay{context, "inproc://t-replay", stream};
  Publisher publisher{context, "inproc://t-xsub"};

  Subscriber::Options Options(uint64_t cursor) {
    return {"inproc://t-xpub",
            "inproc://t-replay",
            "incident",
            cursor,
            std::chrono::milliseconds(50),
            std::chrono::milliseconds(2000),
            7};
  }
  void Emit(int n) {
    for (int i = 0; i < n; ++i) publisher.Publish(stream.Append("x"));
  }
};

std::vector<uint64_t> Range(uint64_t from, uint64_t to) {
  std::vector<uint64_t> out;
  for (uint64_t s = from; s <= to; ++s) out.push_back(s);
  return out;
}

TEST_CASE("a late subscriber gets every event once, in order", "[broker]") {
  Bus bus;
  bus.Emit(20);  // before anyone subscribed: lost on PUB/SUB
  Collector got;
  Subscriber sub(bus.context, bus.Options(0), std::ref(got));
  bus.Emit(10);
  REQUIRE(got.WaitFor(30));
  CHECK(got.seqs == Range(1, 30));
}

TEST_CASE("a subscriber resumes after its cursor", "[broker]") {
  Bus bus;
  bus.Emit(12);
  Collector got;
  Subscriber sub(bus.context, bus.Options(8), std::ref(got));
  REQUIRE(got.WaitFor(4));
  bus.Emit(1);
  REQUIRE(got.WaitFor(5));
  CHECK(got.seqs == Range(9, 13));
}

TEST_CASE("an event missing from the live stream is replayed", "[broker]") {
  Bus bus;
  Collector got;
  Subscriber sub(bus.context, bus.Options(0), std::ref(got));
  bus.Emit(3);
  REQUIRE(got.WaitFor(3));
  bus.stream.Append("never published");  // seq 4 only in the owner's store
  bus.Emit(2);
  REQUIRE(got.WaitFor(6));
  CHECK(got.seqs == Range(1, 6));
}

TEST_CASE("a number the owner never used does not stop the subscriber",
          "[broker]") {
  Bus bus;
  bus.Emit(2);
  bus.stream.Skip();  // seq 3 exists nowhere
  bus.Emit(2);
  Collector got;
  Subscriber late(bus.context, bus.Options(0), std::ref(got));
  REQUIRE(got.WaitFor(4));
  bus.stream.Skip();  // seq 6 neither, now on the live stream
  bus.Emit(1);
  REQUIRE(got.WaitFor(5));
  CHECK(got.seqs == std::vector<uint64_t>{1, 2, 4, 5, 7});
}

TEST_CASE("a failing handler sees the event again", "[broker]") {
  Bus bus;
  int failures = 0;
  Collector got;
  Subscriber sub(bus.context, bus.Options(0), [&](const Event& e) {
    if (e.seq == 2 && failures == 0) {
      ++failures;
      throw std::runtime_error("disk full");
    }
    got(e);
  });
  bus.Emit(3);
  REQUIRE(got.WaitFor(3));
  CHECK(got.seqs == Range(1, 3));
  CHECK(failures == 1);
}

// What a batch handler was handed, call by call.
struct BatchCollector {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::vector<uint64_t>> calls;

  void Add(const std::vector<Event>& events) {
    std::vector<uint64_t> seqs;
    for (const Event& e : events) seqs.push_back(e.seq);
    std::lock_guard<std::mutex> lock(mu);
    calls.push_back(std::move(seqs));
    cv.notify_all();
  }
  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(20), [&] {
      size_t got = 0;
      for (const auto& c : calls) got += c.size();
      return got >= n;
    });
  }
  std::vector<uint64_t> All() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<uint64_t> out;
    for (const auto& c : calls) out.insert(out.end(), c.begin(), c.end());
    return out;
  }
};

TEST_CASE("a batch handler gets what waited together, in order, once",
          "[broker]") {
  Bus bus;
  bus.Emit(30);  // replayed in pieces of the replay batch (7)
  auto options = bus.Options(0);
  options.max_batch = 16;
  BatchCollector got;
  std::mutex gate;
  std::unique_lock<std::mutex> closed(gate);
  Subscriber sub(bus.context, options, [&](const std::vector<Event>& events) {
    if (events.front().seq == 31) std::lock_guard<std::mutex> wait(gate);
    got.Add(events);
  });
  REQUIRE(got.WaitFor(30));
  bus.Emit(1);   // holds the handler at seq 31 ...
  bus.Emit(40);  // ... while these wait for it
  closed.unlock();
  REQUIRE(got.WaitFor(71));
  CHECK(got.All() == Range(1, 71));
  size_t largest = 0, largest_after = 0;  // after the held call
  for (const auto& call : got.calls) {
    largest = std::max(largest, call.size());
    if (call.front() > 31) largest_after = std::max(largest_after, call.size());
  }
  CHECK(largest_after > 1);
  CHECK(largest <= 16);
}

TEST_CASE("a failing batch handler sees the whole batch again", "[broker]") {
  Bus bus;
  bus.Emit(20);
  int failures = 0;
  BatchCollector got;
  Subscriber::BatchHandler handler = [&](const std::vector<Event>& events) {
    for (const Event& e : events) {
      if (e.seq == 9 && failures == 0) {
        ++failures;
        throw std::runtime_error("disk full");
      }
    }
    got.Add(events);
  };
  Subscriber sub(bus.context, bus.Options(0), handler);
  REQUIRE(got.WaitFor(20));
  CHECK(got.All() == Range(1, 20));
  CHECK(failures == 1);
}

}  // namespace
}  // namespace slagboom::broker
