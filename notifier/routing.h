// Which subscriber gets an alert and when: routing filters, quiet hours,
// the rate limit, and the webhook signature.
#ifndef SLAGBOOM_NOTIFIER_ROUTING_H_
#define SLAGBOOM_NOTIFIER_ROUTING_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "rules/alert.h"

namespace slagboom::notifier {

// 0 for low up to 3 for critical; an unknown severity counts as medium.
int SeverityRank(std::string_view severity);

// True when `subscriber` routes `alert` to itself: the rule is among its
// `rules`, the severity at least its `min_severity`, the alert is in its
// place (InPlace: `regions` and `areas`) and sectors (InSectors), and one
// of its steps among its `steps` (each empty list matching everything).
bool Wants(const config::SubscriberConfig& subscriber,
           const rules::Alert& alert);

// When `now` falls in the subscriber's quiet hours (read in its zone), the
// instant they end; nullopt otherwise, and always for police.
std::optional<core::Instant> QuietUntil(
    const config::SubscriberConfig& subscriber, core::Instant now);

// The earliest instant at or after `now` at which one more delivery keeps
// at most `max_per_hour` in any hour, given the scheduled times of the
// last deliveries (the latest first).  `now` when max_per_hour is 0.
core::Instant RateLimitedUntil(int max_per_hour,
                               const std::vector<core::Instant>& recent,
                               core::Instant now);

// The value of X-Slagboom-Signature: "sha256=" and the lower-case hex
// HMAC-SHA256 of `body` under `secret`.
std::string SignBody(std::string_view secret, std::string_view body);

// The secret in the file at `path`, without a trailing line break;
// nullopt when the file cannot be read or holds nothing.
std::optional<std::string> LoadSecret(const std::string& path);

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_ROUTING_H_
