#include "rules/alert.h"

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

std::string MakeAlertId(const std::string& rule_id, const std::string& key,
                        const std::string& first_incident_id) {
  return "alr_" +
         core::Sha256Hex(rule_id + "\n" + key + "\n" + first_incident_id, 20);
}

json AlertToJson(const Alert& a) {
  json incidents = json::array();
  for (const AlertIncident& i : a.incidents) {
    incidents.push_back({{"id", i.id},
                         {"seq", i.seq},
                         {"occurred_at", core::FormatInstant(i.occurred_at)},
                         {"region", i.region},
                         {"step", i.step},
                         {"offence", i.offence}});
  }
  json j = {{"id", a.id},
            {"rule", a.rule_id},
            {"severity", a.severity},
            {"description", a.description},
            {"state", AlertStateName(a.state)},
            {"key_kind", a.key_kind},
            {"key", a.key},
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
      a.incidents.push_back({i.at("id"), i.value("seq", uint64_t{0}),
                             ReadInstant(i, "occurred_at"),
                             i.value("region", ""), i.value("step", ""),
                             i.value("offence", "")});
    }
    a.first_at = ReadInstant(j, "first_at");
    a.last_at = ReadInstant(j, "last_at");
    if (j.contains("resolved_at"))
      a.resolved_at = ReadInstant(j, "resolved_at");
    a.version = j.value("version", 1);
    *out = std::move(a);
    return core::Status::Ok();
  } catch (const std::exception& e) {
    return core::Status::Invalid(std::string("alert: ") + e.what());
  }
}

}  // namespace slagboom::rules
