#include "broker/proxy.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace slagboom::broker {
namespace {

// Subscribers that fall this far behind lose messages at the broker; they
// notice the gap and replay from the owner.
constexpr int kHighWaterMark = 200000;

}  // namespace

Proxy::Proxy(zmq::context_t& context, const std::string& xsub_endpoint,
             const std::string& xpub_endpoint)
    : context_(context),
      control_endpoint_(fmt::format("inproc://slagboom-proxy-control-{}",
                                    static_cast<void*>(this))),
      xsub_(context, zmq::socket_type::xsub),
      xpub_(context, zmq::socket_type::xpub),
      control_(context, zmq::socket_type::pair) {
  xsub_.set(zmq::sockopt::rcvhwm, kHighWaterMark);
  xpub_.set(zmq::sockopt::sndhwm, kHighWaterMark);
  xsub_.set(zmq::sockopt::linger, 0);
  xpub_.set(zmq::sockopt::linger, 0);
  xsub_.bind(xsub_endpoint);
  xpub_.bind(xpub_endpoint);

  zmq::socket_t control_in(context, zmq::socket_type::pair);
  control_in.bind(control_endpoint_);
  control_.connect(control_endpoint_);
  thread_ = std::thread([this, in = std::move(control_in)]() mutable {
    try {
      zmq::proxy_steerable(xsub_, xpub_, zmq::socket_ref(), in);
    } catch (const zmq::error_t& e) {
      if (e.num() != ETERM) spdlog::error("broker stopped: {}", e.what());
    }
  });
  spdlog::info("broker listening xsub={} xpub={}", xsub_endpoint,
               xpub_endpoint);
}

Proxy::~Proxy() {
  control_.send(zmq::str_buffer("TERMINATE"), zmq::send_flags::none);
  thread_.join();
}

}  // namespace slagboom::broker
