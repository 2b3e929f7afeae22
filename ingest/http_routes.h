// Ingest's HTTP routes: POST and GET /api/v1/incidents.
#ifndef SLAGBOOM_INGEST_HTTP_ROUTES_H_
#define SLAGBOOM_INGEST_HTTP_ROUTES_H_

#include <httplib.h>

#include <optional>

#include "core/principal.h"
#include "ingest/ingest_service.h"
#include "ingest/rate_limiter.h"

namespace slagboom::ingest {

// The principal of the request's bearer token, or nullopt after answering
// 401 with the JSON error (field "Authorization").
std::optional<core::Principal> RequirePrincipal(core::Authenticator& auth,
                                                const httplib::Request& req,
                                                httplib::Response& res);

// Registers the routes on `server`; the references must outlive it.
// Every route needs a bearer token (401 without a live one).
//   POST /api/v1/incidents      one incident object or an array of them;
//                               201 {"incidents": [{"id", "seq",
//                               "duplicate"}]}, 400 bad JSON, 403 a role
//                               or step the token may not report, 409 a
//                               reused report id, 422 invalid fields, 429
//                               over the token's reports per minute (with
//                               Retry-After).  The reporter is the token's
//                               name.
//   GET  /api/v1/incidents      ?since=&until= (RFC 3339), ?after_seq=,
//                               ?limit= (default 100, at most 1000)
//   GET  /api/v1/incidents/{id}
// Both GETs leave out plates in clear and descriptions unless the token
// is police or admin (see access.h).
void RegisterRoutes(httplib::Server& server, IngestService& service,
                    core::Authenticator& auth, RateLimiter& limiter);

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_HTTP_ROUTES_H_
