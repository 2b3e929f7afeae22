// Where a subscriber wants to hear about: regions, circles and polygons
// (shopkeepers' areas), and the trades (sectors) it serves.
#ifndef SLAGBOOM_NOTIFIER_AREA_H_
#define SLAGBOOM_NOTIFIER_AREA_H_

#include "config/config.h"
#include "rules/alert.h"

namespace slagboom::notifier {

// True when the point lies in `area`: within radius_m (great-circle
// distance) of the circle's centre, or inside (or on the edge of) its
// polygon, read in plain lat/lon, which is exact enough at town scale.
bool InArea(const config::AreaConfig& area, double lat, double lon);

// True when neither `regions` nor `areas` is set, or the alert touches one
// of them: one of its regions, or for a wave alert its predicted region,
// is among `regions`; or one of its incidents with a position, or a wave's
// predicted point, lies in one of `areas`.
bool InPlace(const config::SubscriberConfig& subscriber,
             const rules::Alert& alert);

// True when `sectors` is empty or one of the alert's incidents has one of
// them as its sector (both folded to lower case).
bool InSectors(const config::SubscriberConfig& subscriber,
               const rules::Alert& alert);

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_AREA_H_
