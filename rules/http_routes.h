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

// Registers on `server`; `store` must outlive it.
//   GET /api/v1/alerts        ?state=firing|updated|resolved, ?rule=,
//                             ?limit= (default 100, at most 1000)
//   GET /api/v1/alerts/{id}   the alert, each incident in full when
//                             `lookup` is set
void RegisterRoutes(httplib::Server& server, AlertStore& store,
                    IncidentLookup lookup);

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_HTTP_ROUTES_H_
