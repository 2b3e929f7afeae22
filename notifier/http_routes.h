// The notifier's HTTP routes: acknowledgement, feedback and silences.
#ifndef SLAGBOOM_NOTIFIER_HTTP_ROUTES_H_
#define SLAGBOOM_NOTIFIER_HTTP_ROUTES_H_

#include <httplib.h>

#include "core/clock.h"
#include "core/principal.h"
#include "notifier/outbox.h"

namespace slagboom::notifier {

// Registers on `server`; `outbox` and `clock` must outlive it.
//   POST   /api/v1/alerts/{id}/ack       body optional: {"by": "..."}
//   POST   /api/v1/alerts/{id}/feedback  {"verdict": "confirmed" or
//                                         "false_positive"}
//   POST   /api/v1/silences              {"rule"?, "key"?, "region"?,
//                                         "until": RFC 3339 or a duration}
//   GET    /api/v1/silences              the silences in force
//   DELETE /api/v1/silences/{id}
//   GET    /api/v1/deliveries/dead       dead letters, the latest first
//                                        (?limit=, default 100, at most 1000)
//   POST   /api/v1/deliveries/{id}/replay  a dead letter pending again
//   GET    /api/v1/alerts/{id}/cap       the alert's latest CAP 1.2 message
//                                        (AlertToCap): full for police and
//                                        admin, public for other roles
//   GET    /api/v1/cap                   the public feed: every open alert
//                                        with TLP CLEAR or GREEN as a public
//                                        CAP <alert> inside one
//                                        <alerts xmlns="urn:slagboom:cap-feed">
// With `auth` set the routes above the CAP ones answer 401 without a
// token it accepts and 403 unless the token's role is police or admin
// (the CAP message needs any accepted token, the feed none); the
// acknowledger is then
// the token's name.  Without it (loopback-only set-ups and tests) anyone
// may call them and "by" comes from the body.  `auth` must outlive the
// server when set.
void RegisterRoutes(httplib::Server& server, Outbox& outbox,
                    const core::Clock& clock, core::Authenticator* auth);

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_HTTP_ROUTES_H_
