// Time enters the program through a Clock so that tests can move it by
// hand instead of sleeping.
#ifndef SLAGBOOM_CORE_CLOCK_H_
#define SLAGBOOM_CORE_CLOCK_H_

#include <atomic>
#include <chrono>

namespace slagboom::core {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

// The wall clock.  Thread-safe.
class SystemClock : public Clock {
 public:
  Instant Now() const override {
    return std::chrono::time_point_cast<Duration>(
        std::chrono::system_clock::now());
  }
};

// A clock that only moves when told to.  Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(Instant start)
      : now_(start.time_since_epoch().count()) {}
  Instant Now() const override { return Instant(Duration(now_.load())); }
  void Set(Instant t) { now_ = t.time_since_epoch().count(); }
  void Advance(Duration d) { now_ += d.count(); }

 private:
  std::atomic<Duration::rep> now_;
};

}  // namespace slagboom::core

#endif  // SLAGBOOM_CORE_CLOCK_H_
