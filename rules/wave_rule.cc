#include "rules/wave_rule.h"

#include <cmath>

namespace slagboom::rules {
namespace {

constexpr double kKmPerDegree = 111.32;  // along a meridian
constexpr double kPi = 3.14159265358979323846;

}  // namespace

std::optional<Motion> FitMotion(const std::vector<AlertIncident>& incidents,
                                core::Duration horizon) {
  // Hours since the first positioned incident, to keep the sums small.
  std::vector<double> t, lat, lon;
  core::Instant origin{};
  for (const AlertIncident& i : incidents) {
    if (!i.lat || !i.lon) continue;
    if (t.empty()) origin = i.occurred_at;
    t.push_back(
        std::chrono::duration<double, std::ratio<3600>>(i.occurred_at - origin)
            .count());
    lat.push_back(*i.lat);
    lon.push_back(*i.lon);
  }
  const double n = static_cast<double>(t.size());
  if (t.size() < 2) return std::nullopt;
  double mt = 0, mlat = 0, mlon = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    mt += t[i] / n;
    mlat += lat[i] / n;
    mlon += lon[i] / n;
  }
  double stt = 0, stlat = 0, stlon = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    stt += (t[i] - mt) * (t[i] - mt);
    stlat += (t[i] - mt) * (lat[i] - mlat);
    stlon += (t[i] - mt) * (lon[i] - mlon);
  }
  if (stt <= 0) return std::nullopt;
  const double dlat = stlat / stt;  // degrees per hour
  const double dlon = stlon / stt;
  const double north = dlat * kKmPerDegree;  // km/h
  const double east = dlon * kKmPerDegree * std::cos(mlat * kPi / 180);

  Motion m;
  m.speed_kmh = std::hypot(north, east);
  double bearing = std::atan2(east, north) * 180 / kPi;
  m.bearing_deg = bearing < 0 ? bearing + 360 : bearing;
  const core::Instant last = incidents.back().occurred_at;
  m.predicted_at = last + horizon;
  const double ahead =
      std::chrono::duration<double, std::ratio<3600>>(m.predicted_at - origin)
          .count();
  m.predicted_lat = mlat + dlat * (ahead - mt);
  m.predicted_lon = mlon + dlon * (ahead - mt);
  return m;
}

WaveRule::WaveRule(const config::RuleConfig& config,
                   const core::RegionIndex* regions)
    : CountRule(config), regions_(regions) {
  config_.key = "offence";
  Prepare();
}

bool WaveRule::KeyOf(const core::Incident& inc, std::string* key) const {
  if (!inc.location.lat || !inc.location.lon) return false;
  return CountRule::KeyOf(inc, key);
}

void WaveRule::Decorate(Alert& alert) const {
  alert.motion = FitMotion(alert.incidents, config_.horizon);
  if (!alert.motion || regions_ == nullptr) return;
  const core::Municipality* m = regions_->MunicipalityAt(
      alert.motion->predicted_lat, alert.motion->predicted_lon);
  if (m != nullptr) alert.motion->predicted_region = m->code;
}

}  // namespace slagboom::rules
