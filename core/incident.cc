#include "core/incident.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/plate.h"
#include "core/time_util.h"

namespace slagboom::core {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 7> kStepNames = {
    "entry",   "stay",  "infrastructure", "offence",
    "storage", "trade", "proceeds"};
constexpr std::array<std::string_view, 5> kTlpNames = {
    "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};

constexpr std::array<std::string_view, 17> kTopFields = {
    "report_id",      "occurred_at", "step",     "tags",     "offence",
    "description",    "location",    "vehicle",  "suspects", "goods",
    "value_eur",      "tlp",         "reporter", "source",   "time_zone",
    "time_precision", "sector"};
constexpr std::array<std::string_view, 3> kFitNames = {"exact", "ambiguous",
                                                       "nonexistent"};
constexpr std::array<std::string_view, 9> kLocationFields = {
    "lat",         "lon",      "municipality", "region", "safety_region",
    "police_unit", "postcode", "block",        "beat"};
constexpr std::array<std::string_view, 4> kVehicleFields = {"plate", "country",
                                                            "make", "colour"};

// Collects the problems of one incident, field by field.
class Checker {
 public:
  void Fail(std::string field, std::string problem) {
    errors_.push_back({std::move(field), std::move(problem)});
  }
  bool ok() const { return errors_.empty(); }
  std::vector<FieldError> Take() { return std::move(errors_); }

  template <size_t N>
  void OnlyKnown(const json& obj, const std::array<std::string_view, N>& known,
                 std::string_view prefix) {
    for (const auto& [name, value] : obj.items()) {
      if (std::find(known.begin(), known.end(), name) == known.end())
        Fail(fmt::format("{}{}", prefix, name), "unknown field");
    }
  }

  // A string field; absent or null leaves *out as it was.
  void String(const json& obj, const char* name, std::string_view prefix,
              std::string* out) {
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) return;
    if (!it->is_string()) {
      Fail(fmt::format("{}{}", prefix, name), "must be a string");
      return;
    }
    *out = it->get<std::string>();
  }

  void StringList(const json& obj, const char* name,
                  std::vector<std::string>* out) {
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) return;
    if (!it->is_array()) {
      Fail(name, "must be an array of strings");
      return;
    }
    for (const json& v : *it) {
      if (!v.is_string()) {
        Fail(name, "must be an array of strings");
        return;
      }
      out->push_back(v.get<std::string>());
    }
  }

  std::optional<double> Number(const json& obj, const char* name,
                               std::string_view prefix) {
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) {
      Fail(fmt::format("{}{}", prefix, name), "must be a number");
      return std::nullopt;
    }
    return it->get<double>();
  }

 private:
  std::vector<FieldError> errors_;
};

std::string FoldTag(std::string tag) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  tag.erase(tag.begin(), std::find_if(tag.begin(), tag.end(), not_space));
  tag.erase(std::find_if(tag.rbegin(), tag.rend(), not_space).base(),
            tag.end());
  for (char& c : tag) c = static_cast<char>(std::tolower(c));
  return tag;
}

void ParseLocation(const json& body, Checker& check, Location* loc) {
  auto it = body.find("location");
  if (it == body.end() || it->is_null()) {
    check.Fail("location", "required");
    return;
  }
  if (!it->is_object()) {
    check.Fail("location", "must be an object");
    return;
  }
  const json& j = *it;
  check.OnlyKnown(j, kLocationFields, "location.");
  loc->lat = check.Number(j, "lat", "location.");
  loc->lon = check.Number(j, "lon", "location.");
  if (loc->lat && (*loc->lat < -90 || *loc->lat > 90))
    check.Fail("location.lat", "must be between -90 and 90");
  if (loc->lon && (*loc->lon < -180 || *loc->lon > 180))
    check.Fail("location.lon", "must be between -180 and 180");
  if (loc->lat.has_value() != loc->lon.has_value())
    check.Fail(loc->lat ? "location.lon" : "location.lat",
               "lat and lon come together");
  check.String(j, "municipality", "location.", &loc->municipality);
  check.String(j, "region", "location.", &loc->region);
  check.String(j, "safety_region", "location.", &loc->safety_region);
  check.String(j, "police_unit", "location.", &loc->police_unit);
  check.String(j, "postcode", "location.", &loc->postcode);
  check.String(j, "block", "location.", &loc->block);
  check.String(j, "beat", "location.", &loc->beat);
  if (!loc->lat && loc->municipality.empty() && loc->region.empty() &&
      loc->safety_region.empty() && loc->police_unit.empty() &&
      loc->postcode.empty()) {
    check.Fail("location",
               "needs lat/lon or a municipality, region, safety_region, "
               "police_unit or postcode");
  }
}

void ParseVehicle(const json& body, Checker& check,
                  std::optional<Vehicle>* out) {
  auto it = body.find("vehicle");
  if (it == body.end() || it->is_null()) return;
  if (!it->is_object()) {
    check.Fail("vehicle", "must be an object");
    return;
  }
  check.OnlyKnown(*it, kVehicleFields, "vehicle.");
  Vehicle v;
  std::string raw_plate;
  check.String(*it, "plate", "vehicle.", &raw_plate);
  check.String(*it, "country", "vehicle.", &v.country);
  check.String(*it, "make", "vehicle.", &v.make);
  check.String(*it, "colour", "vehicle.", &v.colour);
  if (!raw_plate.empty()) {
    std::string error;
    auto plate = NormalisePlate(raw_plate, v.country, &error);
    if (!plate) {
      check.Fail("vehicle.plate", error);
    } else {
      v.plate = *plate;
      v.country = v.plate.substr(0, 2);
    }
  }
  *out = std::move(v);
}

void ParseTime(const json& body, const ValidationContext& ctx, Checker& check,
               Incident* out) {
  auto it = body.find("occurred_at");
  if (it == body.end() || it->is_null()) {
    check.Fail("occurred_at", "required");
    return;
  }
  if (!it->is_string()) {
    check.Fail("occurred_at", "must be an RFC 3339 string");
    return;
  }
  std::string zone = ctx.default_zone;
  check.String(body, "time_zone", "", &zone);
  if (!IsKnownZone(zone)) {
    check.Fail("time_zone", fmt::format("unknown time zone '{}'", zone));
    return;
  }
  std::string precision;
  check.String(body, "time_precision", "", &precision);
  if (!precision.empty() && precision != "day" && precision != "month")
    check.Fail("time_precision", "must be day or month");
  std::string error;
  auto t = ParseTimestamp(it->get<std::string>(), zone, &error);
  if (!t) {
    check.Fail("occurred_at", error);
    return;
  }
  if (ctx.now != Instant{} && t->instant > ctx.now + ctx.future_tolerance) {
    check.Fail("occurred_at",
               fmt::format("lies in the future (more than {} ahead)",
                           FormatDuration(ctx.future_tolerance)));
    return;
  }
  out->occurred_at = t->instant;
  out->time_assumed = t->zone_assumed;
  out->time_fit = t->fit;
  out->time_precision = precision;
}

}  // namespace

std::string_view StepName(Step step) {
  return kStepNames[static_cast<size_t>(step)];
}

std::optional<Step> ParseStep(std::string_view name) {
  for (size_t i = 0; i < kStepNames.size(); ++i) {
    if (kStepNames[i] == name) return static_cast<Step>(i);
  }
  return std::nullopt;
}

std::string_view TlpName(Tlp tlp) {
  return kTlpNames[static_cast<size_t>(tlp)];
}

std::optional<Tlp> ParseTlp(std::string_view name) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(c));
  if (upper == "WHITE") return Tlp::kClear;  // TLP 1.0 spelling
  for (size_t i = 0; i < kTlpNames.size(); ++i) {
    if (kTlpNames[i] == upper) return static_cast<Tlp>(i);
  }
  return std::nullopt;
}

Status ParseIncident(const json& body, const ValidationContext& ctx,
                     Incident* out) {
  if (!body.is_object())
    return Status::Invalid("an incident must be a JSON object");
  Checker check;
  Incident inc;
  check.OnlyKnown(body, kTopFields, "");
  if (body.contains("reporter"))
    check.Fail("reporter", "set by the server from the token, not the body");
  if (body.contains("source"))
    check.Fail("source", "set by the server, not the body");

  check.String(body, "report_id", "", &inc.report_id);
  if (inc.report_id.size() > 200) check.Fail("report_id", "longer than 200");
  ParseTime(body, ctx, check, &inc);

  std::string step = "offence";
  check.String(body, "step", "", &step);
  if (auto s = ParseStep(step)) {
    inc.step = *s;
  } else {
    check.Fail("step", fmt::format("'{}' is not one of entry, stay, "
                                   "infrastructure, offence, storage, trade, "
                                   "proceeds",
                                   step));
  }
  check.StringList(body, "tags", &inc.tags);
  for (std::string& tag : inc.tags) tag = FoldTag(tag);

  check.String(body, "offence", "", &inc.offence);
  if (inc.offence.empty() && inc.step == Step::kOffence) {
    check.Fail("offence", "required for step offence");
  } else if (!inc.offence.empty() && !ctx.offences.empty() &&
             std::find(ctx.offences.begin(), ctx.offences.end(), inc.offence) ==
                 ctx.offences.end()) {
    check.Fail("offence",
               fmt::format("'{}' is not in the offence taxonomy", inc.offence));
  }
  check.String(body, "description", "", &inc.description);
  check.String(body, "sector", "", &inc.sector);
  inc.sector = FoldTag(inc.sector);
  ParseLocation(body, check, &inc.location);
  ParseVehicle(body, check, &inc.vehicle);

  if (auto it = body.find("suspects"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) {
      check.Fail("suspects", "must be an object");
    } else {
      auto count = check.Number(*it, "count", "suspects.");
      if (count && (*count < 0 || *count != static_cast<int>(*count)))
        check.Fail("suspects.count", "must be a whole number, 0 or more");
      else if (count)
        inc.suspects.count = static_cast<int>(*count);
      check.StringList(*it, "descriptions", &inc.suspects.descriptions);
    }
  }
  check.StringList(body, "goods", &inc.goods);
  inc.value_eur = check.Number(body, "value_eur", "");
  if (inc.value_eur && *inc.value_eur < 0)
    check.Fail("value_eur", "must not be negative");

  std::string tlp = "AMBER";
  check.String(body, "tlp", "", &tlp);
  if (auto t = ParseTlp(tlp)) {
    inc.tlp = *t;
  } else {
    check.Fail("tlp", "must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
  }

  if (!check.ok()) return Status::Invalid("invalid incident", check.Take());
  *out = std::move(inc);
  return Status::Ok();
}

json IncidentToJson(const Incident& inc) {
  json j = json::object();
  if (!inc.id.empty()) j["id"] = inc.id;
  if (inc.seq != 0) j["seq"] = inc.seq;
  if (!inc.reporter.empty()) j["reporter"] = inc.reporter;
  if (inc.received_at != Instant{})
    j["received_at"] = FormatInstant(inc.received_at);
  if (!inc.report_id.empty()) j["report_id"] = inc.report_id;
  j["occurred_at"] = FormatInstant(inc.occurred_at);
  if (inc.time_assumed) j["time_assumed"] = true;
  if (inc.time_fit != LocalTimeFit::kExact)
    j["time_fit"] = kFitNames[static_cast<size_t>(inc.time_fit)];
  if (!inc.time_precision.empty()) j["time_precision"] = inc.time_precision;
  j["step"] = StepName(inc.step);
  if (!inc.tags.empty()) j["tags"] = inc.tags;
  if (!inc.offence.empty()) j["offence"] = inc.offence;
  if (!inc.description.empty()) j["description"] = inc.description;
  if (!inc.sector.empty()) j["sector"] = inc.sector;

  json loc = json::object();
  const Location& l = inc.location;
  if (l.lat) loc["lat"] = *l.lat;
  if (l.lon) loc["lon"] = *l.lon;
  auto put = [&loc](const char* k, const std::string& v) {
    if (!v.empty()) loc[k] = v;
  };
  put("municipality", l.municipality);
  put("region", l.region);
  put("safety_region", l.safety_region);
  put("police_unit", l.police_unit);
  put("postcode", l.postcode);
  put("block", l.block);
  put("beat", l.beat);
  put("region_status", l.region_status);
  j["location"] = loc;

  if (inc.vehicle) {
    json v = json::object();
    const Vehicle& veh = *inc.vehicle;
    if (!veh.plate.empty()) v["plate"] = veh.plate;
    if (!veh.plate_key.empty()) v["plate_key"] = veh.plate_key;
    if (!veh.country.empty()) v["country"] = veh.country;
    if (!veh.make.empty()) v["make"] = veh.make;
    if (!veh.colour.empty()) v["colour"] = veh.colour;
    j["vehicle"] = v;
  }
  if (inc.suspects.count > 0 || !inc.suspects.descriptions.empty()) {
    j["suspects"] = {{"count", inc.suspects.count}};
    if (!inc.suspects.descriptions.empty())
      j["suspects"]["descriptions"] = inc.suspects.descriptions;
  }
  if (!inc.goods.empty()) j["goods"] = inc.goods;
  if (inc.value_eur) j["value_eur"] = *inc.value_eur;
  j["tlp"] = TlpName(inc.tlp);
  if (!inc.source.empty()) j["source"] = inc.source;
  return j;
}

Status IncidentFromJson(const json& j, Incident* out) {
  try {
    Incident inc;
    inc.id = j.value("id", "");
    inc.seq = j.value("seq", uint64_t{0});
    inc.reporter = j.value("reporter", "");
    inc.report_id = j.value("report_id", "");
    inc.source = j.value("source", "");
    std::string error;
    auto t =
        ParseTimestamp(j.at("occurred_at").get<std::string>(), "UTC", &error);
    if (!t) return Status::Invalid("stored occurred_at: " + error);
    inc.occurred_at = t->instant;
    if (j.contains("received_at")) {
      auto r =
          ParseTimestamp(j["received_at"].get<std::string>(), "UTC", &error);
      if (r) inc.received_at = r->instant;
    }
    inc.time_assumed = j.value("time_assumed", false);
    const std::string fit = j.value("time_fit", "exact");
    for (size_t i = 0; i < kFitNames.size(); ++i) {
      if (kFitNames[i] == fit) inc.time_fit = static_cast<LocalTimeFit>(i);
    }
    inc.time_precision = j.value("time_precision", "");
    inc.step = ParseStep(j.value("step", "offence")).value_or(Step::kOffence);
    inc.tags = j.value("tags", std::vector<std::string>{});
    inc.offence = j.value("offence", "");
    inc.description = j.value("description", "");
    inc.sector = j.value("sector", "");
    const json& l = j.at("location");
    if (l.contains("lat")) inc.location.lat = l["lat"].get<double>();
    if (l.contains("lon")) inc.location.lon = l["lon"].get<double>();
    inc.location.municipality = l.value("municipality", "");
    inc.location.region = l.value("region", "");
    inc.location.safety_region = l.value("safety_region", "");
    inc.location.police_unit = l.value("police_unit", "");
    inc.location.postcode = l.value("postcode", "");
    inc.location.block = l.value("block", "");
    inc.location.beat = l.value("beat", "");
    inc.location.region_status = l.value("region_status", "");
    if (auto v = j.find("vehicle"); v != j.end()) {
      Vehicle veh;
      veh.plate = v->value("plate", "");
      veh.plate_key = v->value("plate_key", "");
      veh.country = v->value("country", "");
      veh.make = v->value("make", "");
      veh.colour = v->value("colour", "");
      inc.vehicle = std::move(veh);
    }
    if (auto s = j.find("suspects"); s != j.end()) {
      inc.suspects.count = s->value("count", 0);
      inc.suspects.descriptions =
          s->value("descriptions", std::vector<std::string>{});
    }
    inc.goods = j.value("goods", std::vector<std::string>{});
    if (j.contains("value_eur")) inc.value_eur = j["value_eur"].get<double>();
    inc.tlp = ParseTlp(j.value("tlp", "AMBER")).value_or(Tlp::kAmber);
    *out = std::move(inc);
    return Status::Ok();
  } catch (const json::exception& e) {
    return Status::Invalid(std::string("stored incident: ") + e.what());
  }
}

std::string IncidentIdFor(const Incident& incident) {
  if (incident.report_id.empty()) return "inc_" + RandomHex(10);
  return "inc_" +
         Sha256Hex(incident.reporter + "\n" + incident.report_id, 20);
}

}  // namespace slagboom::core
