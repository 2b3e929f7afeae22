// Reports per token per minute, as a token bucket per caller: a caller
// may post up to `per_minute` reports at once and then one every
// 60 s / per_minute.  Thread-safe.
#ifndef SLAGBOOM_INGEST_RATE_LIMITER_H_
#define SLAGBOOM_INGEST_RATE_LIMITER_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"

namespace slagboom::ingest {

class RateLimiter {
 public:
  // `per_minute` 0 turns the limit off.  `clock` must outlive this.
  RateLimiter(size_t per_minute, const core::Clock& clock);

  // Takes `count` reports from `caller`'s bucket.  Returns nullopt when
  // they may pass, else how long the caller must wait before the same
  // request can pass (rounded up to whole seconds, at least 1 s).  A
  // request of more than `per_minute` reports never passes; it gets 60 s.
  std::optional<std::chrono::seconds> Take(const std::string& caller,
                                           size_t count);

 private:
  struct Bucket {
    double tokens;
    core::Instant at;
  };

  const double capacity_;
  const core::Clock& clock_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_RATE_LIMITER_H_
