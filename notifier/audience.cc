#include "notifier/audience.h"

#include <algorithm>
#include <array>
#include <string>

namespace slagboom::notifier {
namespace {

constexpr std::array<std::string_view, 5> kTlpNames = {
    "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};

// What every non-police audience may see of the alert itself.
constexpr std::array<const char*, 12> kSummaryFields = {
    "id",       "rule",    "severity",       "state",
    "version",  "regions", "region_level",   "steps",
    "first_at", "last_at", "incident_count", "resolved_at"};

constexpr std::array<const char*, 4> kHeadingFields = {
    "bearing_deg", "speed_kmh", "predicted", "predicted_at"};

constexpr std::array<const char*, 4> kPartnerIncidentFields = {
    "occurred_at", "region", "step", "offence"};

nlohmann::json Pick(const nlohmann::json& from, const auto& fields) {
  nlohmann::json out = nlohmann::json::object();
  for (const char* field : fields) {
    if (from.contains(field)) out[field] = from[field];
  }
  return out;
}

// How many of the alert's incidents fall in each value of `field`.
nlohmann::json CountBy(const nlohmann::json& alert, const char* field) {
  nlohmann::json counts = nlohmann::json::object();
  if (!alert.contains("incidents") || !alert["incidents"].is_array())
    return counts;
  for (const nlohmann::json& incident : alert["incidents"]) {
    if (!incident.contains(field) || !incident[field].is_string()) continue;
    std::string value = incident[field];
    counts[value] = counts.value(value, 0) + 1;
  }
  return counts;
}

}  // namespace

std::optional<Tlp> ParseTlp(std::string_view name) {
  for (size_t i = 0; i < kTlpNames.size(); ++i) {
    if (kTlpNames[i] == name) return static_cast<Tlp>(i);
  }
  return std::nullopt;
}

std::string_view TlpName(Tlp tlp) {
  return kTlpNames[static_cast<size_t>(tlp)];
}

Tlp AlertTlp(const nlohmann::json& alert) {
  auto read = [](const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("tlp") || !j["tlp"].is_string())
      return Tlp::kAmber;
    return ParseTlp(j["tlp"].get<std::string>()).value_or(Tlp::kAmber);
  };
  // The rules part marks the alert (rules::AlertTlp); an event written
  // before alerts carried a mark falls back on its incidents' marks.
  if (!alert.is_object() || alert.contains("tlp") ||
      !alert.contains("incidents") || !alert["incidents"].is_array() ||
      alert["incidents"].empty())
    return read(alert);
  Tlp tlp = Tlp::kClear;
  for (const nlohmann::json& incident : alert["incidents"])
    tlp = std::max(tlp, read(incident));
  return tlp;
}

std::optional<nlohmann::json> AlertForAudience(const nlohmann::json& alert,
                                               std::string_view audience) {
  if (audience == "police") return alert;
  Tlp tlp = AlertTlp(alert);
  if (tlp == Tlp::kRed || tlp == Tlp::kAmberStrict) return std::nullopt;

  nlohmann::json out = Pick(alert, kSummaryFields);
  out["tlp"] = TlpName(tlp);
  if (audience == "partner") {
    if (alert.contains("description"))
      out["description"] = alert["description"];
    if (alert.value("key_kind", "") != "plate" && alert.contains("key")) {
      out["key_kind"] = alert["key_kind"];
      out["key"] = alert["key"];
    }
    out["incidents"] = nlohmann::json::array();
    if (alert.contains("incidents") && alert["incidents"].is_array()) {
      for (const nlohmann::json& incident : alert["incidents"])
        out["incidents"].push_back(Pick(incident, kPartnerIncidentFields));
    }
    return out;
  }
  out["counts"] = {{"by_region", CountBy(alert, "region")},
                   {"by_offence", CountBy(alert, "offence")},
                   {"by_sector", CountBy(alert, "sector")}};
  // Where a wave is heading is what an area warning is for.
  if (alert.contains("motion") && alert["motion"].is_object()) {
    out["heading"] = Pick(alert["motion"], kHeadingFields);
  }
  return out;
}

}  // namespace slagboom::notifier
