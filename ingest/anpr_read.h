// One read of a plate camera (ANPR) as it arrives on the camera stream,
// parsed apart from any socket.
#ifndef SLAGBOOM_INGEST_ANPR_READ_H_
#define SLAGBOOM_INGEST_ANPR_READ_H_

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace slagboom::ingest {

struct AnprRead {
  std::string camera;   // the camera's id, [A-Za-z0-9._:-], at most 64
  std::string plate;    // as the camera read it; personal data
  std::string country;  // two letters, "" when the camera does not know
  core::Instant time{};
  double lat = 0;
  double lon = 0;
};

// Reads one line (without its '\n'): either a JSON object
//   {"camera": "A12-3", "plate": "12-ZZX-4", "country": "NL",
//    "time": "2025-06-12T10:00:00+02:00", "lat": 52.09, "lon": 5.12}
// or the same six values as CSV: camera,plate,country,time,lat,lon.  The
// time must be RFC 3339 with an offset.  On failure returns kInvalid with
// one detail naming the field ("plate", "time", "line") and the problem,
// never the plate itself.
core::Status ParseAnprRead(std::string_view line, AnprRead* out);

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_ANPR_READ_H_
