#include "notifier/routing.h"

#include <date/tz.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "notifier/area.h"

namespace slagboom::notifier {
namespace {

bool AnyIn(const std::vector<std::string>& wanted,
           const std::vector<std::string>& have) {
  if (wanted.empty()) return true;
  return std::any_of(have.begin(), have.end(), [&](const std::string& h) {
    return std::find(wanted.begin(), wanted.end(), h) != wanted.end();
  });
}

// "HH:MM" at `at` in `text` as minutes after midnight.
int MinuteOfDay(std::string_view text, size_t at) {
  return std::stoi(std::string(text.substr(at, 2))) * 60 +
         std::stoi(std::string(text.substr(at + 3, 2)));
}

}  // namespace

int SeverityRank(std::string_view severity) {
  static constexpr std::string_view kOrder[] = {"low", "medium", "high",
                                                "critical"};
  for (int i = 0; i < 4; ++i) {
    if (severity == kOrder[i]) return i;
  }
  return 1;
}

bool Wants(const config::SubscriberConfig& subscriber,
           const rules::Alert& alert) {
  const std::vector<std::string>& rules = subscriber.rules;
  if (!rules.empty() &&
      std::find(rules.begin(), rules.end(), alert.rule_id) == rules.end())
    return false;
  return SeverityRank(alert.severity) >=
             SeverityRank(subscriber.min_severity) &&
         InPlace(subscriber, alert) && InSectors(subscriber, alert) &&
         AnyIn(subscriber.steps, alert.steps);
}

std::optional<core::Instant> QuietUntil(
    const config::SubscriberConfig& subscriber, core::Instant now) {
  const std::string& range = subscriber.quiet_hours;
  if (subscriber.audience == "police" || range.size() != 11)
    return std::nullopt;
  int start = MinuteOfDay(range, 0);
  int end = MinuteOfDay(range, 6);
  if (start == end) return std::nullopt;

  // Where `now` falls in the subscriber's own day.
  const date::time_zone* zone = date::locate_zone(subscriber.zone);
  auto local = zone->to_local(now);
  auto day = std::chrono::floor<date::days>(local);
  int minute = static_cast<int>(
      std::chrono::floor<std::chrono::minutes>(local - day).count());
  bool quiet = start < end ? minute >= start && minute < end
                           : minute >= start || minute < end;
  if (!quiet) return std::nullopt;

  // The end is today, or tomorrow when the range wraps and began today.
  date::local_days end_day = day;
  if (start > end && minute >= start) end_day += date::days(1);
  auto end_local = end_day + std::chrono::minutes(end);
  return std::chrono::time_point_cast<core::Duration>(
      zone->to_sys(end_local, date::choose::earliest));
}

core::Instant RateLimitedUntil(int max_per_hour,
                               const std::vector<core::Instant>& recent,
                               core::Instant now) {
  if (max_per_hour <= 0 || recent.size() < static_cast<size_t>(max_per_hour))
    return now;
  return std::max(now, recent[max_per_hour - 1] + std::chrono::hours(1));
}

std::string SignBody(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac,
       &length);
  std::string out = "sha256=";
  for (unsigned int i = 0; i < length; ++i)
    out += fmt::format("{:02x}", mac[i]);
  return out;
}

std::optional<std::string> LoadSecret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r'))
    secret.pop_back();
  if (secret.empty()) return std::nullopt;
  return secret;
}

}  // namespace slagboom::notifier
