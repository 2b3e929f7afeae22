// The Sender the notifier uses: hands each delivery to the sender of its
// subscriber's channel (webhook, email, sms).
#ifndef SLAGBOOM_NOTIFIER_CHANNEL_SENDER_H_
#define SLAGBOOM_NOTIFIER_CHANNEL_SENDER_H_

#include <string>
#include <string_view>

#include "core/clock.h"
#include "notifier/http_sender.h"
#include "notifier/sms_sender.h"
#include "notifier/smtp_sender.h"

namespace slagboom::notifier {

// True for the channels whose deliveries go through the outbox and a
// Sender: webhook, email and sms (not log, which is written at once).
bool IsSentChannel(std::string_view channel);

// Thread-safe under the Sender contract, as each channel's sender is.
class ChannelSender : public Sender {
 public:
  // `clock` must outlive the sender.
  explicit ChannelSender(const core::Clock& clock);

  ChannelSender(const ChannelSender&) = delete;
  ChannelSender& operator=(const ChannelSender&) = delete;

  // A subscriber of another channel fails the attempt (status 0).
  SendResult Send(const config::SubscriberConfig& subscriber,
                  const std::string& delivery_id,
                  const std::string& body) override;

 private:
  HttpSender webhook_;
  SmtpSender email_;
  SmsSender sms_;
};

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_CHANNEL_SENDER_H_
