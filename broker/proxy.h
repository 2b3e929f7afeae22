// The broker: a ZeroMQ XSUB/XPUB proxy that fans every published event out
// to every subscriber.  It keeps nothing; the owners of the streams do.
#ifndef SLAGBOOM_BROKER_PROXY_H_
#define SLAGBOOM_BROKER_PROXY_H_

#include <string>
#include <thread>
#include <zmq.hpp>

namespace slagboom::broker {

class Proxy {
 public:
  // Binds both endpoints before returning, so that publishers and
  // subscribers may connect right away, then forwards in its own thread.
  // Throws zmq::error_t when an endpoint cannot be bound (start-up).
  Proxy(zmq::context_t& context, const std::string& xsub_endpoint,
        const std::string& xpub_endpoint);
  ~Proxy();  // stops forwarding and joins the thread
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

 private:
  zmq::context_t& context_;
  std::string control_endpoint_;
  zmq::socket_t xsub_;
  zmq::socket_t xpub_;
  zmq::socket_t control_;
  std::thread thread_;
};

}  // namespace slagboom::broker

#endif  // SLAGBOOM_BROKER_PROXY_H_
