#include "notifier/area.h"

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <cctype>

namespace slagboom::notifier {
namespace {

namespace bg = boost::geometry;

using Planar = bg::model::d2::point_xy<double>;  // x = lon, y = lat
using Polygon = bg::model::polygon<Planar>;
using Spherical =
    bg::model::point<double, 2, bg::cs::spherical_equatorial<bg::degree>>;

// The mean Earth radius (IUGG), in metres.
constexpr double kEarthRadiusM = 6'371'008.8;

bool InCircle(const config::AreaConfig& area, double lat, double lon) {
  double metres =
      bg::distance(Spherical(area.lon, area.lat), Spherical(lon, lat),
                   bg::strategy::distance::haversine<double>(kEarthRadiusM));
  return metres <= area.radius_m;
}

bool InPolygon(const config::AreaConfig& area, double lat, double lon) {
  Polygon polygon;
  for (const auto& [p_lat, p_lon] : area.polygon)
    bg::append(polygon.outer(), Planar(p_lon, p_lat));
  bg::correct(polygon);  // closes it and fixes the winding
  return bg::covered_by(Planar(lon, lat), polygon);
}

bool InAnyArea(const std::vector<config::AreaConfig>& areas, double lat,
               double lon) {
  return std::any_of(areas.begin(), areas.end(),
                     [&](const auto& a) { return InArea(a, lat, lon); });
}

bool Listed(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Folded(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(c));
  return text;
}

}  // namespace

bool InArea(const config::AreaConfig& area, double lat, double lon) {
  if (area.polygon.size() >= 3) return InPolygon(area, lat, lon);
  return area.radius_m > 0 && InCircle(area, lat, lon);
}

bool InPlace(const config::SubscriberConfig& subscriber,
             const rules::Alert& alert) {
  const auto& regions = subscriber.regions;
  const auto& areas = subscriber.areas;
  if (regions.empty() && areas.empty()) return true;

  // By region: the alert's own, and where a wave is heading.
  for (const std::string& region : alert.regions) {
    if (Listed(regions, region)) return true;
  }
  const std::optional<rules::Motion>& motion = alert.motion;
  if (motion && !motion->predicted_region.empty() &&
      Listed(regions, motion->predicted_region))
    return true;

  // By area: where it happened, and where a wave is heading.
  if (areas.empty()) return false;
  for (const rules::AlertIncident& i : alert.incidents) {
    if (i.lat && i.lon && InAnyArea(areas, *i.lat, *i.lon)) return true;
  }
  return motion &&
         InAnyArea(areas, motion->predicted_lat, motion->predicted_lon);
}

bool InSectors(const config::SubscriberConfig& subscriber,
               const rules::Alert& alert) {
  if (subscriber.sectors.empty()) return true;
  return std::any_of(alert.incidents.begin(), alert.incidents.end(),
                     [&](const rules::AlertIncident& i) {
                       return !i.sector.empty() &&
                              Listed(subscriber.sectors, Folded(i.sector));
                     });
}

}  // namespace slagboom::notifier
