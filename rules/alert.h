// Alerts: what a rule found, as stored by the rules part, published on the
// bus and shown by the API.
#ifndef SLAGBOOM_RULES_ALERT_H_
#define SLAGBOOM_RULES_ALERT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/incident.h"
#include "core/status.h"

namespace slagboom::rules {

// One incident behind an alert, as much of it as routing needs.
struct AlertIncident {
  std::string id;
  uint64_t seq = 0;
  core::Instant occurred_at{};
  std::string region;  // at the rule's region level
  std::string step;
  std::string offence;
  std::optional<double> lat;  // where the incident happened, when known
  std::optional<double> lon;
  core::Tlp tlp = core::Tlp::kAmber;  // as the reporter marked it
  std::string sector;                 // the reporter's trade; may be empty
};

// Where a moving group (a `wave` rule) is heading, from a least-squares fit
// of the positions of its incidents over time.
struct Motion {
  double bearing_deg = 0;  // compass bearing, 0 = north, 90 = east
  double speed_kmh = 0;
  double predicted_lat = 0;  // the fitted position at predicted_at
  double predicted_lon = 0;
  core::Instant predicted_at{};  // last incident + the rule's horizon
  std::string predicted_region;  // the municipality there, when known
};

enum class AlertState { kFiring, kUpdated, kResolved };

std::string_view AlertStateName(AlertState state);

struct Alert {
  // Derived from the rule, the key and the first incident, so the same
  // incidents give the same id in live ingest, import and back-test.
  std::string id;
  std::string rule_id;
  std::string severity;
  std::string description;
  AlertState state = AlertState::kFiring;
  std::string key_kind;  // plate, block, ...; "none" for keyless rules
  std::string key;       // plates appear only as their keyed hash
  std::string region_level;
  std::vector<std::string> regions;      // distinct, sorted
  std::vector<std::string> steps;        // distinct, sorted
  std::vector<AlertIncident> incidents;  // by occurred_at, then id
  core::Instant first_at{};              // occurred_at of the first incident
  core::Instant last_at{};               // occurred_at of the last incident
  core::Instant resolved_at{};  // event time at which the window ran out
  int version = 1;  // 1 when it fires, one more per update or resolution
  // Set on a resolved alert that late incidents showed should never have
  // fired as it did (it merged into `replaced_by`, or an absence was
  // broken).  Stores drop it from their list; the event still goes out so
  // receivers can cancel it.
  bool withdrawn = false;
  std::string replaced_by;
  std::optional<Motion> motion;  // wave rules only
};

// An alert event on the bus: the alert as it stands after a change.
struct AlertEvent {
  uint64_t seq = 0;  // the rules part's alert stream
  Alert alert;
};

// The most restrictive TLP of the alert's incidents: who may see the
// alert.  AMBER (the incidents' default) for an alert without incidents.
core::Tlp AlertTlp(const Alert& alert);

std::string MakeAlertId(const std::string& rule_id, const std::string& key,
                        const std::string& first_incident_id);

// The alert carries "tlp" (AlertTlp) and each incident its own "tlp" and,
// when set, "sector".  AlertFromJson reads an incident without "tlp" as
// AMBER.
nlohmann::json AlertToJson(const Alert& alert);
core::Status AlertFromJson(const nlohmann::json& j, Alert* out);

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_ALERT_H_
