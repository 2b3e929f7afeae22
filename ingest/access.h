// What each role may do with incidents: who may report which steps, and
// who may read the personal data in them.
#ifndef SLAGBOOM_INGEST_ACCESS_H_
#define SLAGBOOM_INGEST_ACCESS_H_

#include <nlohmann/json.hpp>
#include <vector>

#include "core/principal.h"
#include "core/status.h"

namespace slagboom::ingest {

// Reporters, police and admins report any step; a partner only the steps
// of its token; a shopkeeper nothing.  `bodies` are reports as posted (a
// missing "step" is "offence").  Returns ok, or a status whose message
// and details (field "step", "[2].step" in an array, or "token") say why
// the caller may not: the HTTP answer is 403.
core::Status CheckMayReport(const core::Principal& who,
                            const std::vector<nlohmann::json>& bodies);

// Police and admin read plates in clear, suspect descriptions and the
// free-text description; every other role sees the plate's keyed hash
// (vehicle.plate_key) only.
bool SeesPersonalData(const core::Principal& who);

// Removes vehicle.plate, suspects.descriptions and description from an
// incident as IncidentToJson writes it.
void RedactIncident(nlohmann::json* incident);

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_ACCESS_H_
