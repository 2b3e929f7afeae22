// A real HTTP server on 127.0.0.1 that records the webhook calls it gets,
// so tests can wait for them without sleeping.
#ifndef SLAGBOOM_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_
#define SLAGBOOM_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace slagboom::testing {

class WebhookReceiver {
 public:
  WebhookReceiver() {
    server_.Post("/alerts",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard<std::mutex> lock(mu_);
                   calls_.push_back(nlohmann::json::parse(req.body));
                   res.status = 200;
                   cv_.notify_all();
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~WebhookReceiver() {
    server_.stop();
    thread_.join();
  }

  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/alerts";
  }

  // Waits until at least n calls came in; returns the calls so far.
  std::vector<nlohmann::json> WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(60),
                 [&] { return calls_.size() >= n; });
    return calls_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<nlohmann::json> calls_;
};

}  // namespace slagboom::testing

#endif  // SLAGBOOM_TESTS_SUPPORT_WEBHOOK_RECEIVER_H_
