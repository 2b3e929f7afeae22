// The sms channel: a short text per delivery, handed to an HTTP SMS
// gateway once per configured number.
#ifndef SLAGBOOM_NOTIFIER_SMS_SENDER_H_
#define SLAGBOOM_NOTIFIER_SMS_SENDER_H_

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/clock.h"
#include "notifier/http_sender.h"

namespace httplib {
class Client;
}

namespace slagboom::notifier {

// The text: "[slagboom] <severity> <rule> <state>: <regions> <last_at>
// #<alert id> <link>", using only fields `alert` carries (so an alert cut
// down for an audience gives no plate or description), at most
// `max_chars` characters (UTF-8 code points): a longer text is cut at a
// character boundary and ends in "...".  REQUIRES: max_chars >= 3.
std::string SmsText(const nlohmann::json& alert, std::string_view link,
                    size_t max_chars);

// `text` with at most `max_chars` code points, "..." closing a cut one.
std::string TruncateText(std::string_view text, size_t max_chars);

// `templ` with {to}, {text} and {id} replaced by the values escaped for
// `content_type`: inside a JSON string for application/json, percent-
// encoded for application/x-www-form-urlencoded, as they are otherwise.
std::string FillTemplate(std::string_view templ, std::string_view content_type,
                         std::string_view to, std::string_view text,
                         std::string_view id);

// Sends subscriber.method (POST, PUT or GET) to subscriber.url once per
// number in subscriber.numbers, with body_template filled (FillTemplate;
// none for GET, whose url may hold the placeholders, percent-encoded)
// and, when auth_file or auth_env is set, the header auth_header holding
// that value.  Waits at most subscriber.timeout to connect, send and read.
//
// The result is that of the first number the gateway did not take (with
// its Retry-After), or 200 when it took all of them.  Numbers the gateway
// took are remembered per delivery id in memory, so a retry goes to the
// others only; after a restart all are sent again.  Thread-safe under the
// Sender contract.
class SmsSender : public Sender {
 public:
  // `clock` turns a Retry-After date into a wait; it must outlive this.
  explicit SmsSender(const core::Clock& clock);
  ~SmsSender() override;

  SmsSender(const SmsSender&) = delete;
  SmsSender& operator=(const SmsSender&) = delete;

  SendResult Send(const config::SubscriberConfig& subscriber,
                  const std::string& delivery_id,
                  const std::string& body) override;

 private:
  struct Gateway {
    std::unique_ptr<httplib::Client> client;
    std::string path;
    std::string auth;  // the header's value; empty: none
  };

  // The gateway of `subscriber`, made on first use; null with *error set
  // when its url or auth cannot be used.
  Gateway* GatewayFor(const config::SubscriberConfig& subscriber,
                      std::string* error);
  SendResult SendOne(const config::SubscriberConfig& subscriber,
                     Gateway& gateway, const std::string& delivery_id,
                     const std::string& number, const std::string& text);

  const core::Clock& clock_;
  std::mutex mu_;
  std::map<std::string, Gateway> gateways_;  // guarded by mu_
  // Delivery id -> numbers already taken.  Guarded by mu_.
  std::map<std::string, std::set<std::string>> sent_;
};

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_SMS_SENDER_H_
