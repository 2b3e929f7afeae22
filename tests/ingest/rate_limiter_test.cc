#include "ingest/rate_limiter.h"

#include <catch2/catch.hpp>

namespace slagboom::ingest {
namespace {

using std::chrono::seconds;

struct Fixture {
  core::ManualClock clock{core::Instant(core::Duration(1'750'000'000'000))};
  RateLimiter limiter{60, clock};  // one a second after a burst of 60
};

TEST_CASE_METHOD(Fixture, "a burst up to the limit passes, then 429",
                 "[ingest]") {
  CHECK_FALSE(limiter.Take("shop-1", 50));
  CHECK_FALSE(limiter.Take("shop-1", 10));
  auto wait = limiter.Take("shop-1", 1);
  REQUIRE(wait);
  CHECK(*wait == seconds(1));
  CHECK(limiter.Take("shop-1", 5) == seconds(5));
  // Another token has a bucket of its own.
  CHECK_FALSE(limiter.Take("shop-2", 60));
}

TEST_CASE_METHOD(Fixture, "the bucket refills with time", "[ingest]") {
  REQUIRE_FALSE(limiter.Take("shop-1", 60));
  clock.Advance(seconds(10));
  CHECK_FALSE(limiter.Take("shop-1", 10));
  CHECK(limiter.Take("shop-1", 1));
  clock.Advance(std::chrono::minutes(5));
  CHECK_FALSE(limiter.Take("shop-1", 60));  // full, not more than full
  CHECK(limiter.Take("shop-1", 1));
}

TEST_CASE_METHOD(Fixture, "a batch larger than the limit never passes",
                 "[ingest]") {
  CHECK(limiter.Take("shop-1", 61) == seconds(60));
  CHECK_FALSE(limiter.Take("shop-1", 60));
}

TEST_CASE("a limit of zero lets everything pass", "[ingest]") {
  core::ManualClock clock{core::Instant{}};
  RateLimiter off{0, clock};
  CHECK_FALSE(off.Take("shop-1", 100000));
}

}  // namespace
}  // namespace slagboom::ingest
