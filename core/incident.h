// The incident model shared by every part: what a retailer or partner
// reports, after validation and normalisation.
#ifndef SLAGBOOM_CORE_INCIDENT_H_
#define SLAGBOOM_CORE_INCIDENT_H_

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "core/time_util.h"

namespace slagboom::core {

// The steps of the barrier model, in the order a group goes through them.
enum class Step {
  kEntry,
  kStay,
  kInfrastructure,
  kOffence,
  kStorage,
  kTrade,
  kProceeds,
};

std::string_view StepName(Step step);
std::optional<Step> ParseStep(std::string_view name);

// Traffic Light Protocol 2.0, from least to most restrictive.
enum class Tlp { kClear, kGreen, kAmber, kAmberStrict, kRed };

std::string_view TlpName(Tlp tlp);
std::optional<Tlp> ParseTlp(std::string_view name);

struct Location {
  std::optional<double> lat;
  std::optional<double> lon;
  std::string municipality;   // CBS code or name
  std::string region;         // the source's own region (a Chicago district)
  std::string safety_region;  // VRnn
  std::string police_unit;    // REnn
  std::string postcode;
  std::string block;  // street block as the source writes it
  std::string beat;   // the source's patrol area
  // Set by ingest, never read from a report: "outside" when the point lies
  // in no region the installation knows (at sea, abroad); else empty.
  std::string region_status;
};

struct Vehicle {
  std::string plate;      // normalised, "NL:12ZZX4"; personal data
  std::string plate_key;  // keyed hash of `plate`, safe to correlate and log
  std::string country;
  std::string make;
  std::string colour;
};

struct Suspects {
  int count = 0;
  std::vector<std::string> descriptions;  // personal data
};

struct Incident {
  // Set by ingest.
  std::string id;
  uint64_t seq = 0;
  std::string reporter;
  Instant received_at{};

  // Reported.
  std::string report_id;
  Instant occurred_at{};
  bool time_assumed = false;  // local time read in the configured zone
  // How the local time fitted its zone: kAmbiguous (autumn: the earlier
  // instant was taken) or kNonexistent (spring: moved forward by the gap)
  // are shown as "time_fit" beside time_assumed.
  LocalTimeFit time_fit = LocalTimeFit::kExact;
  // "" when the source gave the time of day; "day" or "month" when it
  // gave only that, occurred_at being its first instant in the zone.
  std::string time_precision;
  Step step = Step::kOffence;
  std::vector<std::string> tags;
  std::string offence;
  std::string description;  // free text; personal data
  // The reporter's trade ("supermarket", "drugstore"), folded like a tag;
  // shopkeepers may subscribe by it.  Empty when not given.
  std::string sector;
  Location location;
  std::optional<Vehicle> vehicle;
  Suspects suspects;
  std::vector<std::string> goods;
  std::optional<double> value_eur;
  Tlp tlp = Tlp::kAmber;
  std::string source;  // "api" or "import:<profile>"
};

// What validation needs to know beyond the incident itself.
struct ValidationContext {
  std::string default_zone = "Europe/Amsterdam";
  std::vector<std::string> offences;  // the taxonomy; empty accepts any
  Instant now{};
  Duration future_tolerance = std::chrono::minutes(5);
};

// Reads one incident object as posted to the API.  A local occurred_at
// (no offset) is read in the body's "time_zone" (an IANA name) when
// given, else in ctx.default_zone.  Every problem is named
// in the returned status's details, field by field ("occurred_at",
// "location.lat", "vehicle.plate").  Server-side fields (id, seq,
// reporter, received_at) in the body are refused.
Status ParseIncident(const nlohmann::json& body, const ValidationContext& ctx,
                     Incident* out);

// The incident as JSON, with every field that is set.
nlohmann::json IncidentToJson(const Incident& incident);

// Reads back what IncidentToJson wrote (the store and the bus use it).
Status IncidentFromJson(const nlohmann::json& j, Incident* out);

// The id ingest gives an incident: derived from reporter and report id
// ("inc_" and 20 hex digits), so a retry, an import and a back-test name
// the same report alike; a random one when there is no report id.
std::string IncidentIdFor(const Incident& incident);

}  // namespace slagboom::core

#endif  // SLAGBOOM_CORE_INCIDENT_H_
