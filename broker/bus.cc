#include "broker/bus.h"

#include <spdlog/spdlog.h>

#include <pthread.h>

#include <charconv>
#include <zmq_addon.hpp>

namespace slagboom::broker {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);

uint64_t ToSeq(const zmq::message_t& frame) {
  uint64_t seq = 0;
  auto text = frame.to_string_view();
  std::from_chars(text.data(), text.data() + text.size(), seq);
  return seq;
}

zmq::message_t FromSeq(uint64_t seq) {
  std::string text = std::to_string(seq);
  return zmq::message_t(text.data(), text.size());
}

// Names the calling thread as `top -H` and perf show it (15 characters).
void NameThread(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

Subscriber::Options OneAtATime(Subscriber::Options options) {
  options.max_batch = 1;
  return options;
}

}  // namespace

Publisher::Publisher(zmq::context_t& context, const std::string& xsub_endpoint)
    : socket_(context, zmq::socket_type::pub) {
  socket_.set(zmq::sockopt::sndhwm, 200000);
  socket_.set(zmq::sockopt::linger, 0);
  socket_.connect(xsub_endpoint);
}

void Publisher::Publish(const Event& event) {
  std::array<zmq::const_buffer, 3> frames = {
      zmq::buffer(event.topic), zmq::buffer(std::to_string(event.seq)),
      zmq::buffer(event.payload)};
  std::lock_guard<std::mutex> lock(mu_);
  // A full queue drops here; subscribers recover the event by replay.
  zmq::send_multipart(socket_, frames, zmq::send_flags::dontwait);
}

ReplayServer::ReplayServer(zmq::context_t& context, const std::string& endpoint,
                           ReplaySource& source)
    : socket_(context, zmq::socket_type::rep), source_(source) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind(endpoint);
  thread_ = std::thread([this] { Serve(); });
}

ReplayServer::~ReplayServer() {
  stop_ = true;
  thread_.join();
}

// A request is [from_seq][max]; the answer is [seq][payload] pairs, empty
// when the owner has nothing at or after from_seq.
void ReplayServer::Serve() {
  NameThread("replay");
  while (!stop_) {
    zmq::pollitem_t item = {socket_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, kPollInterval);
    if (!(item.revents & ZMQ_POLLIN)) continue;
    std::vector<zmq::message_t> request;
    if (!zmq::recv_multipart(socket_, std::back_inserter(request))) continue;
    uint64_t from = request.size() > 0 ? ToSeq(request[0]) : 1;
    size_t max = request.size() > 1 ? ToSeq(request[1]) : 1000;
    std::vector<Event> events;
    try {
      events = source_.ReadFrom(from, max);
    } catch (const std::exception& e) {
      spdlog::error("replay from seq {} failed: {}", from, e.what());
    }
    zmq::multipart_t reply;
    for (const Event& e : events) {
      reply.add(FromSeq(e.seq));
      reply.addstr(e.payload);
    }
    if (reply.empty()) reply.addstr("");
    reply.send(socket_);
  }
}

Subscriber::Subscriber(zmq::context_t& context, Options options,
                       Handler handler)
    : Subscriber(context, OneAtATime(std::move(options)),
                 BatchHandler([handler = std::move(handler)](
                                  const std::vector<Event>& events) {
                   for (const Event& e : events) handler(e);
                 })) {}

Subscriber::Subscriber(zmq::context_t& context, Options options,
                       BatchHandler handler)
    : context_(context),
      options_(std::move(options)),
      handler_(std::move(handler)),
      cursor_(options_.cursor) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  thread_ = std::thread([this] { Run(); });
}

Subscriber::~Subscriber() {
  stop_ = true;
  thread_.join();
}

zmq::socket_t Subscriber::Connect() {
  zmq::socket_t request(context_, zmq::socket_type::req);
  request.set(zmq::sockopt::linger, 0);
  request.set(zmq::sockopt::rcvtimeo,
              static_cast<int>(options_.replay_timeout.count()));
  request.connect(options_.replay_endpoint);
  return request;
}

bool Subscriber::Deliver(std::vector<Event>& events, bool from_owner) {
  std::erase_if(events, [this](const Event& e) { return e.seq <= cursor_; });
  if (events.empty()) return true;
  if (events.front().seq != cursor_ + 1) {
    if (!from_owner) return true;
    spdlog::warn("{} seq {}..{} do not exist at the owner; passed over",
                 options_.topic, cursor_ + 1, events.front().seq - 1);
  }
  try {
    handler_(events);
  } catch (const std::exception& e) {
    // The events stay unhandled; the next catch-up offers them again.
    spdlog::error("{} seq {}..{} not handled: {}", options_.topic,
                  events.front().seq, events.back().seq, e.what());
    return false;
  }
  cursor_ = events.back().seq;
  return true;
}

bool Subscriber::CatchUp(zmq::socket_t& request) {
  while (!stop_) {
    std::array<zmq::const_buffer, 2> ask = {
        zmq::buffer(std::to_string(cursor_ + 1)),
        zmq::buffer(std::to_string(options_.replay_batch))};
    zmq::send_multipart(request, ask);
    std::vector<zmq::message_t> reply;
    if (!zmq::recv_multipart(request, std::back_inserter(reply))) {
      return false;  // the owner did not answer in time
    }
    if (reply.size() < 2) return true;
    std::vector<Event> batch;
    for (size_t i = 0; i + 1 < reply.size(); i += 2) {
      batch.push_back(
          {options_.topic, ToSeq(reply[i]), reply[i + 1].to_string()});
      if (batch.size() == options_.max_batch || i + 3 >= reply.size()) {
        if (!Deliver(batch, /*from_owner=*/true)) return false;
        batch.clear();
      }
    }
    if (reply.size() / 2 < options_.replay_batch) return true;
  }
  return true;
}

void Subscriber::Run() {
  NameThread("sub:" + options_.topic);
  zmq::socket_t sub(context_, zmq::socket_type::sub);
  sub.set(zmq::sockopt::rcvhwm, 200000);
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::subscribe, options_.topic);
  sub.connect(options_.xpub_endpoint);
  zmq::socket_t request = Connect();

  // Subscribe first, then replay: whatever is published meanwhile is
  // either in the replay or waiting on `sub`, and duplicates are skipped.
  bool need_catch_up = true;
  auto last_check = std::chrono::steady_clock::now();
  while (!stop_) {
    if (need_catch_up) {
      if (!CatchUp(request)) {
        request = Connect();  // a REQ socket is stuck after a timeout
      } else {
        need_catch_up = false;
      }
      last_check = std::chrono::steady_clock::now();
    }
    zmq::pollitem_t item = {sub.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, kPollInterval);
    if (item.revents & ZMQ_POLLIN) {
      // Everything waiting, up to a batch, as long as it follows on.
      std::vector<Event> batch;
      uint64_t next = cursor_ + 1;
      while (batch.size() < options_.max_batch) {
        std::vector<zmq::message_t> frames;
        auto got = zmq::recv_multipart(sub, std::back_inserter(frames),
                                       zmq::recv_flags::dontwait);
        if (!got) break;
        if (frames.size() != 3 || frames[0].to_string_view() != options_.topic)
          continue;
        uint64_t seq = ToSeq(frames[1]);
        if (seq < next) continue;
        if (seq != next) {
          need_catch_up = true;  // a gap: the replay includes this event
          break;
        }
        batch.push_back({options_.topic, seq, frames[2].to_string()});
        ++next;
      }
      if (!batch.empty() && !Deliver(batch)) need_catch_up = true;
      last_check = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - last_check >=
               options_.idle_check) {
      need_catch_up = true;  // silence may hide a dropped tail
    }
  }
}

}  // namespace slagboom::broker
