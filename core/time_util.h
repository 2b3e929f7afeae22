// Instants, zones and durations as users write them.
//
// Every instant inside slagboom is UTC milliseconds (core::Instant).  Text
// with an offset is taken as given; local text without one is read in a
// named IANA zone through the system time-zone database, never through the
// server's own TZ.
#ifndef SLAGBOOM_CORE_TIME_UTIL_H_
#define SLAGBOOM_CORE_TIME_UTIL_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace slagboom::core {

// How a local time was turned into an instant.
enum class LocalTimeFit {
  kExact,        // the text carried an offset, or the local time is unique
  kAmbiguous,    // occurs twice (autumn change): the earlier one was taken
  kNonexistent,  // skipped (spring change): moved forward by the gap
};

struct ParsedTime {
  Instant instant;
  bool zone_assumed = false;  // no offset in the text; the zone was applied
  LocalTimeFit fit = LocalTimeFit::kExact;
};

// Parses RFC 3339 ("2025-02-14T23:51:00+01:00", "...Z", fractional seconds
// allowed).  Without an offset the text is read as local time in `zone`.
// Returns nullopt and sets *error when the text is not a time.
std::optional<ParsedTime> ParseTimestamp(std::string_view text,
                                         std::string_view zone,
                                         std::string* error);

// Reads `text` with a strftime-like `format` (as in date::parse) as local
// time in `zone`, e.g. "%m/%d/%Y %I:%M:%S %p" in America/Chicago.
std::optional<ParsedTime> ParseLocalTime(std::string_view text,
                                         std::string_view format,
                                         std::string_view zone,
                                         std::string* error);

// "2025-02-14T22:51:00Z" (milliseconds only when not zero).
std::string FormatInstant(Instant t);

// True when `zone` names a zone in the time-zone database.
bool IsKnownZone(std::string_view zone);

// Durations as written in configuration: "500ms", "30s", "15m", "48h",
// "7d", and sums like "1h30m".  Returns nullopt on anything else.
std::optional<Duration> ParseDuration(std::string_view text);

// The shortest text ParseDuration reads back to `d` ("48h", "90s").
std::string FormatDuration(Duration d);

}  // namespace slagboom::core

#endif  // SLAGBOOM_CORE_TIME_UTIL_H_
