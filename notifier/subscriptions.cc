#include "notifier/subscriptions.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "core/api_error.h"
#include "core/time_util.h"
#include "notifier/notifier_service.h"

namespace slagboom::notifier {
namespace {

using nlohmann::json;

constexpr char kJson[] = "application/json";

// Reads one field at a time, collecting what is wrong with each.
class Reader {
 public:
  explicit Reader(const json& j) : j_(j) {}

  void Text(const char* name, std::string* out,
            const std::set<std::string>& allowed = {}) {
    if (!j_.contains(name)) return;
    if (!j_[name].is_string() || j_[name].get<std::string>().empty())
      return Fail(name, "must be non-empty text");
    std::string value = j_[name];
    if (!allowed.empty() && !allowed.count(value))
      return Fail(name,
                  fmt::format("'{}' is not one of the allowed values", value));
    *out = value;
  }

  void List(const char* name, std::vector<std::string>* out) {
    if (!j_.contains(name)) return;
    const json& v = j_[name];
    bool ok = v.is_array() && std::all_of(v.begin(), v.end(), [](auto& x) {
                return x.is_string();
              });
    if (!ok) return Fail(name, "must be a list of text");
    *out = v.get<std::vector<std::string>>();
  }

  void Duration(const char* name, core::Duration* out, bool allow_zero) {
    if (!j_.contains(name)) return;
    std::optional<core::Duration> d;
    if (j_[name].is_string())
      d = core::ParseDuration(j_[name].get<std::string>());
    if (!d || *d < core::Duration::zero() ||
        (!allow_zero && *d == core::Duration::zero()))
      return Fail(name, "must be a duration such as 30s, 5m or 4h");
    *out = *d;
  }

  void Int(const char* name, int* out) {
    if (!j_.contains(name)) return;
    if (!j_[name].is_number_integer() || j_[name].get<int64_t>() < 0)
      return Fail(name, "must be a whole number, 0 or more");
    *out = j_[name].get<int>();
  }

  void Areas(std::vector<config::AreaConfig>* out) {
    if (!j_.contains("areas")) return;
    if (!j_["areas"].is_array()) return Fail("areas", "must be a list");
    for (size_t i = 0; i < j_["areas"].size(); ++i)
      Area(j_["areas"][i], fmt::format("areas[{}]", i), out);
  }

  void Fail(std::string field, std::string problem) {
    errors_.push_back({std::move(field), std::move(problem)});
  }
  std::vector<core::FieldError> Take() { return std::move(errors_); }

 private:
  static bool Degrees(const json& v, double limit, double* out) {
    if (!v.is_number()) return false;
    *out = v.get<double>();
    return *out >= -limit && *out <= limit;
  }

  void Area(const json& a, const std::string& path,
            std::vector<config::AreaConfig>* out) {
    config::AreaConfig area;
    if (!a.is_object()) return Fail(path, "must be an object");
    if (a.contains("polygon")) {
      const json& p = a["polygon"];
      if (!p.is_array() || p.size() < 3)
        return Fail(path + ".polygon", "needs at least 3 [lat, lon] points");
      for (const json& point : p) {
        std::pair<double, double> ll;
        if (!point.is_array() || point.size() != 2 ||
            !Degrees(point[0], 90, &ll.first) ||
            !Degrees(point[1], 180, &ll.second))
          return Fail(path + ".polygon", "each point must be [lat, lon]");
        area.polygon.push_back(ll);
      }
    } else {
      if (!a.contains("lat") || !Degrees(a["lat"], 90, &area.lat))
        return Fail(path + ".lat", "required, between -90 and 90");
      if (!a.contains("lon") || !Degrees(a["lon"], 180, &area.lon))
        return Fail(path + ".lon", "required, between -180 and 180");
      if (!a.contains("radius_m") || !a["radius_m"].is_number() ||
          !(a["radius_m"].get<double>() > 0))
        return Fail(path + ".radius_m", "required, more than 0");
      area.radius_m = a["radius_m"];
    }
    out->push_back(std::move(area));
  }

  const json& j_;
  std::vector<core::FieldError> errors_;
};

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), kJson);
}

// True when the caller may manage subscriptions; answers 401/403 if not.
bool IsAdmin(core::Authenticator* auth, const httplib::Request& req,
             httplib::Response& res) {
  if (auth == nullptr) return true;
  auto who = auth->Authenticate(req.get_header_value("Authorization"));
  if (!who) {
    Reply(res, 401, core::ErrorJson("a valid bearer token is required"));
    return false;
  }
  if (who->role != core::Role::kAdmin) {
    Reply(res, 403, core::ErrorJson("admin role required"));
    return false;
  }
  return true;
}

}  // namespace

core::Status SubscriberFromJson(const json& j, config::SubscriberConfig* out) {
  if (!j.is_object())
    return core::Status::Invalid("invalid subscriber",
                                 {{"body", "must be a JSON object"}});
  config::SubscriberConfig s;
  Reader r(j);
  r.Text("id", &s.id);
  if (s.id.empty()) r.Fail("id", "required");
  r.Text("channel", &s.channel, {"webhook", "log"});
  r.Text("url", &s.url);
  if (s.channel == "webhook" && s.url.rfind("http://", 0) != 0 &&
      s.url.rfind("https://", 0) != 0)
    r.Fail("url", "channel webhook needs an http:// or https:// url");
  if (s.channel.empty()) r.Fail("channel", "required: webhook or log");
  r.Text("audience", &s.audience, {"police", "partner", "shopkeeper"});
  r.Text("min_severity", &s.min_severity,
         {"low", "medium", "high", "critical"});
  r.List("rules", &s.rules);
  r.List("regions", &s.regions);
  r.List("steps", &s.steps);
  r.List("sectors", &s.sectors);
  for (std::string& sector : s.sectors) {
    for (char& c : sector) c = static_cast<char>(std::tolower(c));
  }
  r.Areas(&s.areas);
  r.List("group_by", &s.group_by);
  for (const std::string& field : s.group_by) {
    if (field != "rule" && field != "region" && field != "severity" &&
        field != "step")
      r.Fail("group_by", fmt::format("cannot group by '{}'", field));
  }
  r.Duration("group_wait", &s.group_wait, true);
  r.Duration("group_interval", &s.group_interval, false);
  r.Duration("repeat_interval", &s.repeat_interval, true);
  r.Duration("timeout", &s.timeout, false);
  r.Int("max_per_hour", &s.max_per_hour);
  r.Text("zone", &s.zone);
  if (!core::IsKnownZone(s.zone)) r.Fail("zone", "unknown time zone");
  r.Text("quiet_hours", &s.quiet_hours);
  for (const char* unsupported : {"secret_file", "escalate_to"}) {
    if (j.contains(unsupported))
      r.Fail(unsupported, "set it in the configuration file");
  }
  std::vector<core::FieldError> errors = r.Take();
  if (!errors.empty())
    return core::Status::Invalid("invalid subscriber", std::move(errors));
  s.from_api = true;
  *out = std::move(s);
  return core::Status::Ok();
}

json SubscriberToJson(const config::SubscriberConfig& s) {
  json areas = json::array();
  for (const config::AreaConfig& a : s.areas) {
    if (a.polygon.size() >= 3) {
      json points = json::array();
      for (const auto& [lat, lon] : a.polygon) points.push_back({lat, lon});
      areas.push_back({{"polygon", points}});
    } else {
      areas.push_back(
          {{"lat", a.lat}, {"lon", a.lon}, {"radius_m", a.radius_m}});
    }
  }
  json j = {{"id", s.id},
            {"channel", s.channel},
            {"audience", s.audience},
            {"min_severity", s.min_severity},
            {"rules", s.rules},
            {"regions", s.regions},
            {"steps", s.steps},
            {"sectors", s.sectors},
            {"areas", areas},
            {"group_by", s.group_by},
            {"group_wait", core::FormatDuration(s.group_wait)},
            {"group_interval", core::FormatDuration(s.group_interval)},
            {"repeat_interval", core::FormatDuration(s.repeat_interval)},
            {"timeout", core::FormatDuration(s.timeout)},
            {"max_per_hour", s.max_per_hour},
            {"zone", s.zone}};
  if (!s.url.empty()) j["url"] = s.url;
  if (!s.quiet_hours.empty()) j["quiet_hours"] = s.quiet_hours;
  return j;
}

core::Status NotifierService::AddSubscription(
    const config::SubscriberConfig& subscriber) {
  {
    std::lock_guard lock(config_mu_);
    for (const config::SubscriberConfig& s : file_config_.subscribers) {
      if (s.id == subscriber.id)
        return core::Status::Conflict(fmt::format(
            "subscriber '{}' is in the configuration file", subscriber.id));
    }
  }
  outbox_.store().PutSubscription(subscriber.id,
                                  SubscriberToJson(subscriber).dump());
  config::NotifyConfig file;
  {
    std::lock_guard lock(config_mu_);
    file = file_config_;
  }
  Reconfigure(file);
  spdlog::info("notifier: subscriber {} added through the api", subscriber.id);
  return core::Status::Ok();
}

bool NotifierService::RemoveSubscription(const std::string& id) {
  if (!outbox_.store().RemoveSubscription(id)) return false;
  config::NotifyConfig file;
  {
    std::lock_guard lock(config_mu_);
    file = file_config_;
  }
  Reconfigure(file);
  spdlog::info("notifier: subscriber {} removed through the api", id);
  return true;
}

std::vector<config::SubscriberConfig> NotifierService::ApiSubscriptions() {
  std::vector<config::SubscriberConfig> out;
  for (const std::string& text : outbox_.store().Subscriptions()) {
    config::SubscriberConfig s;
    json j = json::parse(text, nullptr, false);
    if (SubscriberFromJson(j, &s).ok()) out.push_back(std::move(s));
  }
  return out;
}

config::NotifyConfig NotifierService::WithApiSubscribers(
    const config::NotifyConfig& file) {
  config::NotifyConfig merged = file;
  for (config::SubscriberConfig& s : ApiSubscriptions()) {
    auto same = [&](const config::SubscriberConfig& o) { return o.id == s.id; };
    if (std::any_of(file.subscribers.begin(), file.subscribers.end(), same)) {
      // The file's own wins; the stored one waits until the file drops it.
      spdlog::warn("notifier: api subscriber {} shadowed by the file", s.id);
      continue;
    }
    merged.subscribers.push_back(std::move(s));
  }
  return merged;
}

void RegisterSubscriptionRoutes(httplib::Server& server,
                                NotifierService& service,
                                core::Authenticator* auth) {
  server.Post(
      "/api/v1/subscriptions",
      [&service, auth](const httplib::Request& req, httplib::Response& res) {
        if (!IsAdmin(auth, req, res)) return;
        json body = json::parse(req.body, nullptr, false);
        config::SubscriberConfig s;
        core::Status status = SubscriberFromJson(body, &s);
        if (status.ok()) status = service.AddSubscription(s);
        if (!status.ok()) {
          bool conflict = status.code() == core::Status::Code::kConflict;
          return Reply(res, conflict ? 409 : 422, core::ErrorJson(status));
        }
        Reply(res, 201, SubscriberToJson(s));
      });
  server.Get(
      "/api/v1/subscriptions",
      [&service, auth](const httplib::Request& req, httplib::Response& res) {
        if (!IsAdmin(auth, req, res)) return;
        json list = json::array();
        for (const config::SubscriberConfig& s : service.ApiSubscriptions())
          list.push_back(SubscriberToJson(s));
        Reply(res, 200, {{"subscriptions", list}});
      });
  server.Delete(
      R"(/api/v1/subscriptions/([A-Za-z0-9_.:-]+))",
      [&service, auth](const httplib::Request& req, httplib::Response& res) {
        if (!IsAdmin(auth, req, res)) return;
        if (!service.RemoveSubscription(req.matches[1])) {
          return Reply(res, 404, core::ErrorJson("no such api subscriber"));
        }
        res.status = 204;
      });
}

}  // namespace slagboom::notifier
