// CAP 1.2 (OASIS Common Alerting Protocol) messages for alerts.
#ifndef SLAGBOOM_NOTIFIER_CAP_H_
#define SLAGBOOM_NOTIFIER_CAP_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"

namespace slagboom::notifier {

// One version of an alert and when the notifier first saw it: the CAP
// message of that version is identified "<alert id>-v<version>" and sent
// at that time.
struct CapVersion {
  int version = 1;
  core::Instant seen_at{};
};

// The CAP <alert> for `alert` (AlertToJson) at its current version, with
// `versions` every version seen (ascending, the current one included).
// msgType is Alert for a firing alert, Update for an updated one and
// Cancel for a resolved one; the latter two reference each earlier version
// seen.  With `full` (police), the description, key and TLP go into the
// message and its scope is Restricted unless the TLP is CLEAR or GREEN;
// otherwise (public) only the rule, severity, counts and area do.  The
// area is a circle around the centroid of the incidents that have a
// position (radius reaching the farthest, at least 1 km) and a geocode
// per region.
std::string AlertToCap(const nlohmann::json& alert,
                       const std::vector<CapVersion>& versions, bool full);

// "2025-06-15T15:06:40+00:00": CAP's dateTime, which takes no "Z".
std::string CapTime(core::Instant t);

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_CAP_H_
