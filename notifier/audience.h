// Audience profiles and TLP: what each kind of subscriber may see of an
// alert.  Fields are let through by name, so a field added to alerts
// later reaches police only until a profile names it.
#ifndef SLAGBOOM_NOTIFIER_AUDIENCE_H_
#define SLAGBOOM_NOTIFIER_AUDIENCE_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace slagboom::notifier {

enum class Tlp { kClear, kGreen, kAmber, kAmberStrict, kRed };

std::optional<Tlp> ParseTlp(std::string_view name);
std::string_view TlpName(Tlp tlp);

// The alert's "tlp" (rules::AlertTlp: the most restrictive of its
// incidents'); without one, the most restrictive of its incidents' "tlp".
// A missing or unknown mark counts as AMBER.
Tlp AlertTlp(const nlohmann::json& alert);

// The alert (AlertToJson) as `audience` may see it, or nullopt when the
// TLP keeps all of it from that audience:
//   police      everything, at any TLP;
//   partner     nothing at RED or AMBER+STRICT; otherwise the alert
//               without the key of a plate rule, each incident only with
//               its time, region, step and offence;
//   shopkeeper  nothing at RED or AMBER+STRICT; otherwise only the rule,
//               severity, state, times, regions, steps, counts per region,
//               offence and sector, and for a wave where it is heading
//               ("heading": bearing, speed, predicted point and time): no
//               key, no description, no incidents.
// An unknown audience is treated as shopkeeper.
std::optional<nlohmann::json> AlertForAudience(const nlohmann::json& alert,
                                               std::string_view audience);

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_AUDIENCE_H_
