// The event bus between the parts: numbered events over ZeroMQ PUB/SUB,
// with replay from the owner of each stream so that nothing is lost to a
// slow joiner, a full queue or a restart (the Clone pattern).
//
// Every event is three frames: topic, sequence number (decimal text) and
// a JSON payload.  Each stream (topic) has exactly one owner, which numbers
// its events 1, 2, 3, ... without gaps, keeps them, publishes them, and
// answers replay requests for them.
#ifndef SLAGBOOM_BROKER_BUS_H_
#define SLAGBOOM_BROKER_BUS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

namespace slagboom::broker {

inline constexpr char kIncidentTopic[] = "incident";
inline constexpr char kAlertTopic[] = "alert";

struct Event {
  std::string topic;
  uint64_t seq = 0;
  std::string payload;
};

// Publishes events onto the broker's XSUB side.  Thread-safe.
class Publisher {
 public:
  Publisher(zmq::context_t& context, const std::string& xsub_endpoint);
  void Publish(const Event& event);

 private:
  std::mutex mu_;
  zmq::socket_t socket_;
};

// What the owner of a stream offers to replay.  Called from the replay
// server's thread; implementations must be safe to call from it.
class ReplaySource {
 public:
  virtual ~ReplaySource() = default;
  // Events with seq >= from_seq, ascending, at most `max`.
  virtual std::vector<Event> ReadFrom(uint64_t from_seq, size_t max) = 0;
};

// Answers replay requests for one stream on a REP socket, in a thread of
// its own, until destroyed.
class ReplayServer {
 public:
  ReplayServer(zmq::context_t& context, const std::string& endpoint,
               ReplaySource& source);
  ~ReplayServer();
  ReplayServer(const ReplayServer&) = delete;
  ReplayServer& operator=(const ReplayServer&) = delete;

 private:
  void Serve();

  zmq::socket_t socket_;
  ReplaySource& source_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Receives one stream in order, exactly once from a given cursor.  Starts
// by replaying everything after `cursor` from the owner, then follows the
// live stream; a gap, or silence for `idle_check`, makes it ask the owner
// again.  The handler runs on the subscriber's own thread, in sequence
// order; the consumer persists its cursor itself.
//
// A batch handler gets every event that is waiting, in order and without
// gaps, up to `max_batch` at a time, so that a consumer that fell behind
// can commit many in one transaction.  It handles all of them or throws,
// and then gets them again.  When it keeps up, a batch is one event.
class Subscriber {
 public:
  using Handler = std::function<void(const Event&)>;
  using BatchHandler = std::function<void(const std::vector<Event>&)>;

  struct Options {
    std::string xpub_endpoint;
    std::string replay_endpoint;
    std::string topic;
    uint64_t cursor = 0;  // the last sequence number already handled
    std::chrono::milliseconds idle_check{200};
    std::chrono::milliseconds replay_timeout{2000};
    size_t replay_batch = 5000;
    size_t max_batch = 256;  // events per call of a batch handler
  };

  // One event per call.
  Subscriber(zmq::context_t& context, Options options, Handler handler);
  Subscriber(zmq::context_t& context, Options options, BatchHandler handler);
  ~Subscriber();  // stops the thread
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // The last sequence number handed to the handler.
  uint64_t cursor() const { return cursor_.load(); }

 private:
  void Run();
  // Replays from the owner until it has nothing newer; false on timeout.
  bool CatchUp(zmq::socket_t& request);
  zmq::socket_t Connect();
  // Hands events to the handler, those at or below the cursor left out;
  // false when the handler failed.  Events that do not follow on from the
  // cursor are held back, unless they are the owner's answer to a replay
  // (`from_owner`): what the owner does not send after the cursor does
  // not exist, and waiting for it would stop the subscriber for good.
  // REQUIRES: no gaps within `events`.
  bool Deliver(std::vector<Event>& events, bool from_owner = false);

  zmq::context_t& context_;
  Options options_;
  BatchHandler handler_;
  std::atomic<uint64_t> cursor_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace slagboom::broker

#endif  // SLAGBOOM_BROKER_BUS_H_
