#include "ingest/anpr_read.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/time_util.h"

namespace slagboom::ingest {
namespace {

using core::Status;

Status Bad(const std::string& field, const std::string& problem) {
  return Status::Invalid("invalid read", {{field, problem}});
}

bool IsCameraId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != ':' && c != '-')
      return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool ParseNumber(std::string_view text, double* out) {
  text = Trim(text);
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The six values, from either form, as text and numbers.
struct Values {
  std::string camera, plate, country, time;
  double lat = 0, lon = 0;
};

Status FromJson(std::string_view line, Values* v) {
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return Bad("line", "not a JSON object");
  for (const char* key : {"camera", "plate", "time"}) {
    if (!j.contains(key) || !j[key].is_string())
      return Bad(key, "required, a string");
  }
  for (const char* key : {"lat", "lon"}) {
    if (!j.contains(key) || !j[key].is_number())
      return Bad(key, "required, a number");
  }
  if (j.contains("country") && !j["country"].is_string())
    return Bad("country", "must be a string");
  v->camera = j["camera"];
  v->plate = j["plate"];
  v->country = j.value("country", "");
  v->time = j["time"];
  v->lat = j["lat"];
  v->lon = j["lon"];
  return Status::Ok();
}

Status FromCsv(std::string_view line, Values* v) {
  std::vector<std::string_view> f;
  for (size_t start = 0;;) {
    size_t comma = line.find(',', start);
    f.push_back(Trim(line.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (f.size() != 6)
    return Bad("line", "expected camera,plate,country,time,lat,lon");
  v->camera = f[0];
  v->plate = f[1];
  v->country = f[2];
  v->time = f[3];
  if (!ParseNumber(f[4], &v->lat)) return Bad("lat", "not a number");
  if (!ParseNumber(f[5], &v->lon)) return Bad("lon", "not a number");
  return Status::Ok();
}

}  // namespace

Status ParseAnprRead(std::string_view line, AnprRead* out) {
  line = Trim(line);
  if (line.empty()) return Bad("line", "empty");
  Values v;
  Status s = line.front() == '{' ? FromJson(line, &v) : FromCsv(line, &v);
  if (!s.ok()) return s;

  if (!IsCameraId(v.camera))
    return Bad("camera", "1 to 64 of A-Z a-z 0-9 . _ : -");
  if (v.plate.empty()) return Bad("plate", "required");
  if (v.lat < -90 || v.lat > 90) return Bad("lat", "must be -90 to 90");
  if (v.lon < -180 || v.lon > 180) return Bad("lon", "must be -180 to 180");
  std::string error;
  auto t = core::ParseTimestamp(v.time, "UTC", &error);
  if (!t) return Bad("time", error);
  if (t->zone_assumed) return Bad("time", "needs an offset (RFC 3339)");

  out->camera = std::move(v.camera);
  out->plate = std::move(v.plate);
  out->country = std::move(v.country);
  out->time = t->instant;
  out->lat = v.lat;
  out->lon = v.lon;
  return Status::Ok();
}

}  // namespace slagboom::ingest
