#include "notifier/channel_sender.h"

namespace slagboom::notifier {

bool IsSentChannel(std::string_view channel) {
  return channel == "webhook" || channel == "email" || channel == "sms";
}

ChannelSender::ChannelSender(const core::Clock& clock)
    : webhook_(clock), email_(clock), sms_(clock) {}

SendResult ChannelSender::Send(const config::SubscriberConfig& subscriber,
                               const std::string& delivery_id,
                               const std::string& body) {
  if (subscriber.channel == "webhook")
    return webhook_.Send(subscriber, delivery_id, body);
  if (subscriber.channel == "email")
    return email_.Send(subscriber, delivery_id, body);
  if (subscriber.channel == "sms")
    return sms_.Send(subscriber, delivery_id, body);
  SendResult result;
  result.error = "channel " + subscriber.channel + " sends nothing";
  return result;
}

}  // namespace slagboom::notifier
