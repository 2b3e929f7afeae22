// Ingest's HTTP routes: POST and GET /api/v1/incidents.
#ifndef SLAGBOOM_INGEST_HTTP_ROUTES_H_
#define SLAGBOOM_INGEST_HTTP_ROUTES_H_

#include <httplib.h>

#include "ingest/ingest_service.h"

namespace slagboom::ingest {

// Registers the routes on `server`; `service` must outlive it.
//   POST /api/v1/incidents      one incident object or an array of them;
//                               201 {"incidents": [{"id", "seq",
//                               "duplicate"}]}, 400 bad JSON, 409 a reused
//                               report id, 422 invalid fields
//   GET  /api/v1/incidents      ?since=&until= (RFC 3339), ?after_seq=,
//                               ?limit= (default 100, at most 1000)
//   GET  /api/v1/incidents/{id}
void RegisterRoutes(httplib::Server& server, IngestService& service);

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_HTTP_ROUTES_H_
