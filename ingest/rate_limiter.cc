#include "ingest/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace slagboom::ingest {
namespace {

constexpr double kMillisPerMinute = 60000.0;

}  // namespace

RateLimiter::RateLimiter(size_t per_minute, const core::Clock& clock)
    : capacity_(static_cast<double>(per_minute)), clock_(clock) {}

std::optional<std::chrono::seconds> RateLimiter::Take(const std::string& caller,
                                                      size_t count) {
  if (capacity_ <= 0) return std::nullopt;
  const double wanted = static_cast<double>(count);
  if (wanted > capacity_) return std::chrono::seconds(60);

  const core::Instant now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b =
      buckets_.try_emplace(caller, Bucket{capacity_, now}).first->second;
  // A clock that steps back refills nothing rather than draining.
  const double elapsed_ms =
      std::max<double>(0, static_cast<double>((now - b.at).count()));
  b.tokens =
      std::min(capacity_, b.tokens + elapsed_ms * capacity_ / kMillisPerMinute);
  b.at = std::max(b.at, now);
  if (b.tokens >= wanted) {
    b.tokens -= wanted;
    return std::nullopt;
  }
  const double wait_ms = (wanted - b.tokens) * kMillisPerMinute / capacity_;
  return std::chrono::seconds(
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_ms / 1000.0))));
}

}  // namespace slagboom::ingest
