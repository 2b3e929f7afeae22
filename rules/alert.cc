#include "rules/alert.h"

#include <algorithm>

#include "core/digest.h"
#include "core/time_util.h"

namespace slagboom::rules {
namespace {

using nlohmann::json;

core::Instant ReadInstant(const json& j, const char* name) {
  std::string error;
  auto t = core::ParseTimestamp(j.at(name).get<std::string>(), "UTC", &error);
  if (!t) throw std::runtime_error(std::string(name) + ": " + error);
  return t->instant;
}

json MotionToJson(const Motion& m) {
  json j = {{"bearing_deg", m.bearing_deg},
            {"speed_kmh", m.speed_kmh},
            {"predicted", {{"lat", m.predicted_lat}, {"lon", m.predicted_lon}}},
            {"predicted_at", core::FormatInstant(m.predicted_at)}};
  if (!m.predicted_region.empty())
    j["predicted"]["municipality"] = m.predicted_region;
  return j;
}

Motion MotionFromJson(const json& j) {
  Motion m;
  m.bearing_deg = j.at("bearing_deg");
  m.speed_kmh = j.at("speed_kmh");
  m.predicted_lat = j.at("predicted").at("lat");
  m.predicted_lon = j.at("predicted").at("lon");
  m.predicted_region = j.at("predicted").value("municipality", "");
  m.predicted_at = ReadInstant(j, "predicted_at");
  return m;
}

}  // namespace

std::string_view AlertStateName(AlertState state) {
  switch (state) {
    case AlertState::kFiring:
      return "firing";
    case AlertState::kUpdated:
      return "updated";
    case AlertState::kResolved:
      return "resolved";
  }
  return "firing";
}

core::Tlp AlertTlp(const Alert& alert) {
  if (alert.incidents.empty()) return core::Tlp::kAmber;
  core::Tlp most = core::Tlp::kClear;
  for (const AlertIncident& i : alert.incidents) most = std::max(most, i.tlp);
  return most;
}

std::string MakeAlertId(const std::string& rule_id, const std::string& key,
                        const std::string& first_incident_id) {
  return "alr_" +
         core::Sha256Hex(rule_id + "\n" + key + "\n" + first_incident_id, 20);
}

json AlertToJson(const Alert& a) {
  json incidents = json::array();
  for (const AlertIncident& i : a.incidents) {
    json one = {{"id", i.id},
                {"seq", i.seq},
                {"occurred_at", core::FormatInstant(i.occurred_at)},
                {"region", i.region},
                {"step", i.step},
                {"offence", i.offence},
                {"tlp", core::TlpName(i.tlp)}};
    if (!i.sector.empty()) one["sector"] = i.sector;
    if (i.lat && i.lon) {
      one["lat"] = *i.lat;
      one["lon"] = *i.lon;
    }
    incidents.push_back(std::move(one));
  }
  json j = {{"id", a.id},
            {"rule", a.rule_id},
            {"severity", a.severity},
            {"description", a.description},
            {"state", AlertStateName(a.state)},
            {"key_kind", a.key_kind},
            {"key", a.key},
            {"tlp", core::TlpName(AlertTlp(a))},
            {"region_level", a.region_level},
            {"regions", a.regions},
            {"steps", a.steps},
            {"incident_count", a.incidents.size()},
            {"incidents", incidents},
            {"first_at", core::FormatInstant(a.first_at)},
            {"last_at", core::FormatInstant(a.last_at)},
            {"version", a.version}};
  if (a.state == AlertState::kResolved)
    j["resolved_at"] = core::FormatInstant(a.resolved_at);
  if (a.withdrawn) {
    j["withdrawn"] = true;
    if (!a.replaced_by.empty()) j["replaced_by"] = a.replaced_by;
  }
  if (a.motion) j["motion"] = MotionToJson(*a.motion);
  return j;
}

core::Status AlertFromJson(const json& j, Alert* out) {
  try {
    Alert a;
    a.id = j.at("id");
    a.rule_id = j.at("rule");
    a.severity = j.value("severity", "");
    a.description = j.value("description", "");
    std::string state = j.value("state", "firing");
    a.state = state == "resolved"  ? AlertState::kResolved
              : state == "updated" ? AlertState::kUpdated
                                   : AlertState::kFiring;
    a.key_kind = j.value("key_kind", "");
    a.key = j.value("key", "");
    a.region_level = j.value("region_level", "");
    a.regions = j.value("regions", std::vector<std::string>{});
    a.steps = j.value("steps", std::vector<std::string>{});
    for (const json& i : j.at("incidents")) {
      AlertIncident one{
          i.at("id"),
          i.value("seq", uint64_t{0}),
          ReadInstant(i, "occurred_at"),
          i.value("region", ""),
          i.value("step", ""),
          i.value("offence", ""),
          std::nullopt,
          std::nullopt,
          core::ParseTlp(i.value("tlp", "AMBER")).value_or(core::Tlp::kAmber),
          i.value("sector", "")};
      if (i.contains("lat") && i.contains("lon")) {
        one.lat = i.at("lat").get<double>();
        one.lon = i.at("lon").get<double>();
      }
      a.incidents.push_back(std::move(one));
    }
    a.first_at = ReadInstant(j, "first_at");
    a.last_at = ReadInstant(j, "last_at");
    if (j.contains("resolved_at"))
      a.resolved_at = ReadInstant(j, "resolved_at");
    a.version = j.value("version", 1);
    a.withdrawn = j.value("withdrawn", false);
    a.replaced_by = j.value("replaced_by", "");
    if (j.contains("motion")) a.motion = MotionFromJson(j.at("motion"));
    *out = std::move(a);
    return core::Status::Ok();
  } catch (const std::exception& e) {
    return core::Status::Invalid(std::string("alert: ") + e.what());
  }
}

}  // namespace slagboom::rules
