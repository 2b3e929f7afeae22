#include "core/time_util.h"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <cctype>
#include <sstream>

namespace slagboom::core {
namespace {

using std::chrono::milliseconds;

const date::time_zone* FindZone(std::string_view zone, std::string* error) {
  try {
    return date::locate_zone(std::string(zone));
  } catch (const std::exception&) {
    if (error) *error = fmt::format("unknown time zone '{}'", zone);
    return nullptr;
  }
}

// Maps a local time to an instant; an ambiguous time takes the earlier
// instant and a nonexistent one is moved forward by the gap, and both are
// reported so the caller can flag them.
std::optional<ParsedTime> FromLocal(date::local_time<milliseconds> local,
                                    std::string_view zone, std::string* error) {
  const date::time_zone* tz = FindZone(zone, error);
  if (tz == nullptr) return std::nullopt;
  ParsedTime out;
  out.zone_assumed = true;
  date::local_info info = tz->get_info(local);
  switch (info.result) {
    case date::local_info::unique:
      out.instant = Instant(local.time_since_epoch() - info.first.offset);
      break;
    case date::local_info::ambiguous:
      out.fit = LocalTimeFit::kAmbiguous;
      out.instant = Instant(local.time_since_epoch() - info.first.offset);
      break;
    case date::local_info::nonexistent:
      out.fit = LocalTimeFit::kNonexistent;
      out.instant = Instant(local.time_since_epoch() - info.first.offset);
      break;
  }
  return out;
}

}  // namespace

std::optional<ParsedTime> ParseTimestamp(std::string_view text,
                                         std::string_view zone,
                                         std::string* error) {
  std::string s(text);
  for (char& c : s) {
    if (c == 't' || c == ' ') c = 'T';
    if (c == 'z') c = 'Z';
  }
  const bool utc = !s.empty() && s.back() == 'Z';
  // An offset is a trailing +hh:mm or -hh:mm after the time part.
  const size_t tpos = s.find('T');
  const size_t sign = s.find_last_of("+-");
  const bool has_offset =
      tpos != std::string::npos && sign != std::string::npos && sign > tpos;

  std::istringstream in(s);
  date::sys_time<milliseconds> sys;
  if (utc) {
    s.pop_back();
    in.str(s);
    in >> date::parse("%FT%T", sys);
  } else if (has_offset) {
    in >> date::parse("%FT%T%Ez", sys);
  } else {
    date::local_time<milliseconds> local;
    in >> date::parse("%FT%T", local);
    if (!in.fail() && in.peek() == EOF) return FromLocal(local, zone, error);
    if (error) *error = "not an RFC 3339 time (2025-02-14T23:51:00+01:00)";
    return std::nullopt;
  }
  if (in.fail() || in.peek() != EOF) {
    if (error) *error = "not an RFC 3339 time (2025-02-14T23:51:00+01:00)";
    return std::nullopt;
  }
  return ParsedTime{Instant(sys.time_since_epoch()), false,
                    LocalTimeFit::kExact};
}

std::optional<ParsedTime> ParseLocalTime(std::string_view text,
                                         std::string_view format,
                                         std::string_view zone,
                                         std::string* error) {
  std::istringstream in{std::string(text)};
  date::local_time<milliseconds> local;
  in >> date::parse(std::string(format), local);
  if (in.fail() || (in >> std::ws, in.peek() != EOF)) {
    if (error) {
      *error = fmt::format("'{}' does not match the format '{}'", text, format);
    }
    return std::nullopt;
  }
  return FromLocal(local, zone, error);
}

std::string FormatInstant(Instant t) {
  auto secs = std::chrono::floor<std::chrono::seconds>(t);
  if (secs == t) return date::format("%FT%TZ", secs);
  return date::format("%FT%TZ", t);
}

bool IsKnownZone(std::string_view zone) {
  return FindZone(zone, nullptr) != nullptr;
}

std::optional<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  Duration total{0};
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
      ++i;
    if (i == start || i - start > 12) return std::nullopt;
    long long n = std::stoll(std::string(text.substr(start, i - start)));
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
      ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit == "ms")
      total += Duration(n);
    else if (unit == "s")
      total += std::chrono::seconds(n);
    else if (unit == "m")
      total += std::chrono::minutes(n);
    else if (unit == "h")
      total += std::chrono::hours(n);
    else if (unit == "d")
      total += std::chrono::hours(24 * n);
    else
      return std::nullopt;
  }
  return total;
}

std::string FormatDuration(Duration d) {
  using namespace std::chrono;
  const long long ms = d.count();
  if (ms != 0 && ms % (24 * 3600000LL) == 0)
    return fmt::format("{}d", ms / (24 * 3600000LL));
  if (ms != 0 && ms % 3600000LL == 0) return fmt::format("{}h", ms / 3600000LL);
  if (ms != 0 && ms % 60000LL == 0) return fmt::format("{}m", ms / 60000LL);
  if (ms % 1000LL == 0) return fmt::format("{}s", ms / 1000LL);
  return fmt::format("{}ms", ms);
}

}  // namespace slagboom::core
