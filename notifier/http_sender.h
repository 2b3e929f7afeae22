// How a delivery leaves the process: the Sender interface, and HttpSender,
// which POSTs it as JSON to the subscriber's webhook.
#ifndef SLAGBOOM_NOTIFIER_HTTP_SENDER_H_
#define SLAGBOOM_NOTIFIER_HTTP_SENDER_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/clock.h"

namespace httplib {
class Client;
}

namespace slagboom::notifier {

// The outcome of one attempt.
struct SendResult {
  int status = 0;     // the HTTP status; 0 when no response came back
  std::string error;  // why no response came back (status 0)
  // The receiver's Retry-After, when it sent one that could be read.
  std::optional<core::Duration> retry_after;
  // Set by a channel without HTTP statuses (SMTP 5xx): sending the same
  // again cannot help, so the delivery is dead at once.
  bool permanent = false;

  bool ok() const { return status >= 200 && status < 300; }
};

class Sender {
 public:
  virtual ~Sender() = default;

  // Makes one attempt to hand `body` (JSON) to `subscriber`.  Never throws.
  // Calls for one subscriber come one at a time; calls for different
  // subscribers may run at the same time, on different threads.
  virtual SendResult Send(const config::SubscriberConfig& subscriber,
                          const std::string& delivery_id,
                          const std::string& body) = 0;
};

// POSTs to subscriber.url with Content-Type: application/json and
// X-Slagboom-Delivery: <delivery id>, and, when the subscriber has a
// secret_file, X-Slagboom-Signature: sha256=<hex HMAC-SHA256 of the body
// under the file's secret> (SignBody), waiting at most subscriber.timeout
// to connect, to send and to read.  Keeps one connection per subscriber
// open between calls.  The secret is read once, on the first call; a
// secret_file that cannot be read fails every attempt (status 0).
// Thread-safe under the Sender contract.
class HttpSender : public Sender {
 public:
  // `clock` turns a Retry-After date into a wait.
  explicit HttpSender(const core::Clock& clock);
  ~HttpSender() override;

  HttpSender(const HttpSender&) = delete;
  HttpSender& operator=(const HttpSender&) = delete;

  SendResult Send(const config::SubscriberConfig& subscriber,
                  const std::string& delivery_id,
                  const std::string& body) override;

 private:
  struct Target {
    std::unique_ptr<httplib::Client> client;
    std::string path;
    std::string secret;  // empty: unsigned
  };

  // The target for `subscriber`, made on first use.  Null, with *error
  // set, when its url or its secret_file cannot be used.
  Target* TargetFor(const config::SubscriberConfig& subscriber,
                    std::string* error);

  const core::Clock& clock_;
  std::mutex mu_;
  // Keyed by subscriber id and url.  Guarded by mu_; each client is used
  // by one thread at a time, as the Sender contract promises.
  std::map<std::string, Target> targets_;
};

// "http://host:port/a/b?c" -> {"http://host:port", "/a/b?c"}; the path is
// "/" when the url has none.  Nullopt unless the url starts with http://
// or https:// and names a host.
struct UrlParts {
  std::string origin;
  std::string path;
};
std::optional<UrlParts> SplitUrl(std::string_view url);

// Reads a Retry-After value: delay-seconds ("120") or an HTTP-date ("Wed,
// 21 Oct 2015 07:28:00 GMT", measured from `now`, never below zero).
// Nullopt when it is neither.
std::optional<core::Duration> ParseRetryAfter(std::string_view value,
                                              core::Instant now);

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_HTTP_SENDER_H_
