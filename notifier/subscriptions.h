// Subscribers added at run time through the API: their JSON form, its
// checks, and the routes that manage them.
#ifndef SLAGBOOM_NOTIFIER_SUBSCRIPTIONS_H_
#define SLAGBOOM_NOTIFIER_SUBSCRIPTIONS_H_

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "core/principal.h"
#include "core/status.h"

namespace slagboom::notifier {

class NotifierService;

// Reads a subscriber from the fields of the YAML `notify.subscribers`
// entries (docs/configuration.md), durations as text ("30s").  Every
// problem is named in the status details, field by field ("id",
// "areas[0].radius_m").  Escalation and secret files are left to the
// configuration file.
core::Status SubscriberFromJson(const nlohmann::json& j,
                                config::SubscriberConfig* out);
nlohmann::json SubscriberToJson(const config::SubscriberConfig& s);

// Registers on `server` (admin role only; without `auth`, anyone):
//   POST   /api/v1/subscriptions       a subscriber (SubscriberFromJson);
//                                      201, 409 when the id is taken
//   GET    /api/v1/subscriptions       the API subscribers
//   DELETE /api/v1/subscriptions/{id}  204, or 404
// `service` and `auth` must outlive the server.
void RegisterSubscriptionRoutes(httplib::Server& server,
                                NotifierService& service,
                                core::Authenticator* auth);

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_SUBSCRIPTIONS_H_
