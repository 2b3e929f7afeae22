// The rules part's HTTP routes: GET /api/v1/alerts and /api/v1/alerts/{id}.
#ifndef SLAGBOOM_RULES_HTTP_ROUTES_H_
#define SLAGBOOM_RULES_HTTP_ROUTES_H_

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "rules/alert_store.h"

namespace slagboom::rules {

// Finds an incident's full record by id, where the owner of the incidents
// is reachable (in `slagboom run` it is the ingest store).
using IncidentLookup =
    std::function<std::optional<nlohmann::json>(const std::string& id)>;

// What the caller of `request` may see of `alert` (as the routes below
// would answer it); nullopt when it may not see the alert at all.
using AlertView = std::function<std::optional<nlohmann::json>(
    const httplib::Request& request, nlohmann::json alert)>;

// Registers on `server`; `store` must outlive it.
//   GET /api/v1/alerts        ?state=firing|updated|resolved, ?rule=,
//                             ?limit= (default 100, at most 1000)
//   GET /api/v1/alerts/{id}   the alert, each incident in full when
//                             `lookup` is set
// Each alert goes through `view` when it is set: left out of the list,
// and 404 on its own, where it answers nullopt.
void RegisterRoutes(httplib::Server& server, AlertStore& store,
                    IncidentLookup lookup, AlertView view = {});

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_HTTP_ROUTES_H_
