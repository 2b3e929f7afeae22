// The email channel: each delivery as one RFC 5322 mail, sent over SMTP
// with libcurl.
#ifndef SLAGBOOM_NOTIFIER_SMTP_SENDER_H_
#define SLAGBOOM_NOTIFIER_SMTP_SENDER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/clock.h"
#include "notifier/http_sender.h"

namespace slagboom::notifier {

// "Name <a@b>" or "a@b" -> "a@b".
std::string MailAddress(std::string_view mailbox);

// The subject: "[slagboom] <severity> <rule>: <state>".
std::string MailSubject(const nlohmann::json& alert);

// The plain text of the mail: only the fields `alert` carries, so an
// alert already cut down for an audience (AlertForAudience) shows no
// more than that audience may see.  Lines end in "\n".
std::string MailText(const nlohmann::json& alert, std::string_view link);

// The whole message, CRLF line ends: Date (`now`, UTC), From, To,
// Subject (RFC 2047 when not ASCII), Message-ID "<delivery_id@domain of
// from>" (the same on every attempt), References naming the alert, MIME
// headers for UTF-8 text in quoted-printable, and MailText.  Line breaks
// in configured values are dropped so they cannot add headers.
std::string ComposeMail(const config::SubscriberConfig& subscriber,
                        std::string_view delivery_id,
                        const nlohmann::json& alert, core::Instant now);

// Sends the delivery's envelope (the JSON the notifier stores: delivery_id,
// alert, ...) as ComposeMail to subscriber.to, from subscriber.from,
// through subscriber.url (smtp:// or smtps://; with starttls, smtp://
// must upgrade), logging in when username is set with the password in
// password_file, waiting at most subscriber.timeout to connect and
// twice that for the whole exchange.
//
// The result: status 250 when the server took the mail; otherwise status
// 0 with the server's reply code in the error, and `permanent` set for a
// 5xx reply (the delivery is dead at once), unset for 4xx replies and
// transport failures (tried again).  Thread-safe: every call uses its own
// connection.
class SmtpSender : public Sender {
 public:
  // `clock` dates the mails and must outlive the sender.
  explicit SmtpSender(const core::Clock& clock);
  ~SmtpSender() override;

  SmtpSender(const SmtpSender&) = delete;
  SmtpSender& operator=(const SmtpSender&) = delete;

  SendResult Send(const config::SubscriberConfig& subscriber,
                  const std::string& delivery_id,
                  const std::string& body) override;

 private:
  const core::Clock& clock_;
};

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_SMTP_SENDER_H_
