#include "notifier/http_routes.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/api_error.h"
#include "core/time_util.h"
#include "notifier/audience.h"
#include "notifier/cap.h"

namespace slagboom::notifier {
namespace {

constexpr char kJson[] = "application/json";
constexpr char kCapXml[] = "application/cap+xml";

void Reply(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), kJson);
}

void ReplyStatus(httplib::Response& res, const core::Status& status) {
  int code = status.code() == core::Status::Code::kNotFound ? 404 : 422;
  Reply(res, code, core::ErrorJson(status));
}

// The caller's name when it may act, or nullopt after answering 401/403.
// Without an authenticator the caller is `fallback`.
std::optional<std::string> Authorize(core::Authenticator* auth,
                                     const httplib::Request& req,
                                     httplib::Response& res,
                                     const std::string& fallback) {
  if (auth == nullptr) return fallback;
  std::optional<core::Principal> who =
      auth->Authenticate(req.get_header_value("Authorization"));
  if (!who) {
    Reply(res, 401, core::ErrorJson("a valid bearer token is required"));
    return std::nullopt;
  }
  if (who->role != core::Role::kPolice && who->role != core::Role::kAdmin) {
    Reply(res, 403, core::ErrorJson("police or admin role required"));
    return std::nullopt;
  }
  return who->name;
}

// The body as a JSON object; an empty body is {}.  Nullopt after a 400.
std::optional<nlohmann::json> ObjectBody(const httplib::Request& req,
                                         httplib::Response& res) {
  if (req.body.empty()) return nlohmann::json::object();
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    Reply(res, 400, core::ErrorJson("the body is not a JSON object"));
    return std::nullopt;
  }
  return body;
}

std::string TextField(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string ByFromBody(const nlohmann::json& body) {
  std::string by = TextField(body, "by");
  return by.empty() ? "api" : by;
}

nlohmann::json SilenceJson(const Silence& s) {
  return {{"id", s.id},
          {"rule", s.rule},
          {"key", s.key},
          {"region", s.region},
          {"until", core::FormatInstant(s.until)},
          {"by", s.by},
          {"created_at", core::FormatInstant(s.created_at)}};
}

// "until" as an instant: RFC 3339 with an offset, or a duration from now.
std::optional<core::Instant> ReadUntil(const nlohmann::json& body,
                                       core::Instant now) {
  std::string text = TextField(body, "until");
  if (text.empty()) return std::nullopt;
  if (std::optional<core::Duration> d = core::ParseDuration(text))
    return now + *d;
  std::string error;
  std::optional<core::ParsedTime> t = core::ParseTimestamp(text, "UTC", &error);
  if (!t || t->zone_assumed) return std::nullopt;
  return t->instant;
}

void PostAck(NotifyStore& store, const core::Clock& clock,
             core::Authenticator* auth, const httplib::Request& req,
             httplib::Response& res) {
  std::optional<nlohmann::json> body = ObjectBody(req, res);
  if (!body) return;
  std::optional<std::string> by = Authorize(auth, req, res, ByFromBody(*body));
  if (!by) return;
  Ack ack;
  core::Status status = store.AddAck(req.matches[1], *by, clock.Now(), &ack);
  if (!status.ok()) return ReplyStatus(res, status);
  spdlog::info("notifier: alert {} acknowledged", ack.alert_id);
  Reply(res, 200,
        {{"alert_id", ack.alert_id},
         {"acknowledged_by", ack.by},
         {"acknowledged_at", core::FormatInstant(ack.at)}});
}

void PostFeedback(NotifyStore& store, const core::Clock& clock,
                  core::Authenticator* auth, const httplib::Request& req,
                  httplib::Response& res) {
  std::optional<nlohmann::json> body = ObjectBody(req, res);
  if (!body) return;
  std::optional<std::string> by = Authorize(auth, req, res, ByFromBody(*body));
  if (!by) return;
  Feedback feedback{req.matches[1], TextField(*body, "verdict"), *by,
                    clock.Now()};
  core::Status status = store.SetFeedback(feedback);
  if (!status.ok()) return ReplyStatus(res, status);
  spdlog::info("notifier: alert {} feedback {}", feedback.alert_id,
               feedback.verdict);
  Reply(res, 200,
        {{"alert_id", feedback.alert_id},
         {"verdict", feedback.verdict},
         {"by", feedback.by},
         {"at", core::FormatInstant(feedback.at)}});
}

void PostSilence(NotifyStore& store, const core::Clock& clock,
                 core::Authenticator* auth, const httplib::Request& req,
                 httplib::Response& res) {
  std::optional<nlohmann::json> body = ObjectBody(req, res);
  if (!body) return;
  std::optional<std::string> by = Authorize(auth, req, res, ByFromBody(*body));
  if (!by) return;

  core::Instant now = clock.Now();
  Silence silence{"",
                  TextField(*body, "rule"),
                  TextField(*body, "key"),
                  TextField(*body, "region"),
                  {},
                  *by,
                  now};
  std::vector<core::FieldError> problems;
  if (silence.rule.empty() && silence.key.empty() && silence.region.empty())
    problems.push_back({"rule", "give at least one of rule, key and region"});
  std::optional<core::Instant> until = ReadUntil(*body, now);
  if (!until || *until <= now) {
    problems.push_back({"until",
                        "must be a future RFC 3339 time with an offset or a "
                        "duration such as 2h"});
  }
  if (!problems.empty())
    return Reply(res, 422, core::ErrorJson("invalid silence", problems));
  silence.until = *until;
  silence.id = store.AddSilence(silence);
  spdlog::info("notifier: silence {} added", silence.id);
  Reply(res, 201, SilenceJson(silence));
}

std::vector<CapVersion> CapVersions(NotifyStore& store,
                                    const std::string& alert_id) {
  std::vector<CapVersion> versions;
  for (auto [version, seen_at] : store.Versions(alert_id))
    versions.push_back({version, seen_at});
  return versions;
}

// Police and admin (or anyone when there is no authenticator) get the
// full message; other roles the public one, when the TLP allows it.
void GetAlertCap(NotifyStore& store, core::Authenticator* auth,
                 const httplib::Request& req, httplib::Response& res) {
  bool full = true;
  if (auth != nullptr) {
    std::optional<core::Principal> who =
        auth->Authenticate(req.get_header_value("Authorization"));
    if (!who) {
      return Reply(res, 401,
                   core::ErrorJson("a valid bearer token is required"));
    }
    full = who->role == core::Role::kPolice || who->role == core::Role::kAdmin;
  }
  std::optional<StoredAlert> stored = store.GetAlert(req.matches[1]);
  nlohmann::json alert =
      stored ? nlohmann::json::parse(stored->json) : nlohmann::json::object();
  if (!stored || (!full && !AlertForAudience(alert, "shopkeeper")))
    return Reply(res, 404, core::ErrorJson("no such alert"));
  res.set_content(AlertToCap(alert, CapVersions(store, stored->alert.id), full),
                  kCapXml);
}

// Firing and updated alerts whose TLP is CLEAR or GREEN, each as its public
// CAP message, in one <alerts> container.
void GetCapFeed(NotifyStore& store, httplib::Response& res) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<alerts xmlns=\"urn:slagboom:cap-feed\">\n";
  for (const StoredAlert& stored : store.OpenAlerts()) {
    nlohmann::json alert = nlohmann::json::parse(stored.json);
    Tlp tlp = AlertTlp(alert);
    if (tlp != Tlp::kClear && tlp != Tlp::kGreen) continue;
    std::string cap =
        AlertToCap(alert, CapVersions(store, stored.alert.id), false);
    out += cap.substr(cap.find("<alert "));  // without its XML declaration
  }
  out += "</alerts>\n";
  res.set_content(out, kCapXml);
}

nlohmann::json DeliveryJson(const Delivery& d) {
  return {{"id", d.id},
          {"subscriber", d.subscriber_id},
          {"alert_id", d.alert_id},
          {"alert_version", d.alert_version},
          {"state", DeliveryStateName(d.state)},
          {"attempts", d.attempts},
          {"last_error", d.last_error},
          {"created_at", core::FormatInstant(d.created_at)},
          {"updated_at", core::FormatInstant(d.updated_at)}};
}

void GetDeadLetters(Outbox& outbox, const httplib::Request& req,
                    httplib::Response& res) {
  size_t limit = 100;
  if (req.has_param("limit")) {
    std::string text = req.get_param_value("limit");
    bool digits = !text.empty() && text.size() < 6 &&
                  text.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoul(text) < 1 || std::stoul(text) > 1000) {
      return Reply(res, 400,
                   core::ErrorJson("invalid query",
                                   {{"limit", "a whole number, 1 to 1000"}}));
    }
    limit = std::stoul(text);
  }
  nlohmann::json list = nlohmann::json::array();
  for (const Delivery& d : outbox.DeadLetters(limit))
    list.push_back(DeliveryJson(d));
  Reply(res, 200, {{"deliveries", list}});
}

}  // namespace

void RegisterRoutes(httplib::Server& server, Outbox& outbox,
                    const core::Clock& clock, core::Authenticator* auth) {
  NotifyStore& store = outbox.store();
  server.Get(
      "/api/v1/deliveries/dead",
      [&outbox, auth](const httplib::Request& req, httplib::Response& res) {
        if (!Authorize(auth, req, res, "api")) return;
        GetDeadLetters(outbox, req, res);
      });
  server.Post(R"(/api/v1/deliveries/([A-Za-z0-9_]+)/replay)",
              [&outbox, &clock, auth](const httplib::Request& req,
                                      httplib::Response& res) {
                if (!Authorize(auth, req, res, "api")) return;
                std::string id = req.matches[1];
                if (!outbox.Replay(id, clock.Now())) {
                  return Reply(res, 404,
                               core::ErrorJson("no such dead letter"));
                }
                spdlog::info("notifier: dead letter {} replayed", id);
                Reply(res, 200, DeliveryJson(*outbox.Get(id)));
              });
  server.Post(R"(/api/v1/alerts/([A-Za-z0-9_]+)/ack)",
              [&store, &clock, auth](const httplib::Request& req,
                                     httplib::Response& res) {
                PostAck(store, clock, auth, req, res);
              });
  server.Post(R"(/api/v1/alerts/([A-Za-z0-9_]+)/feedback)",
              [&store, &clock, auth](const httplib::Request& req,
                                     httplib::Response& res) {
                PostFeedback(store, clock, auth, req, res);
              });
  server.Post("/api/v1/silences",
              [&store, &clock, auth](const httplib::Request& req,
                                     httplib::Response& res) {
                PostSilence(store, clock, auth, req, res);
              });
  server.Get("/api/v1/silences",
             [&store, &clock, auth](const httplib::Request& req,
                                    httplib::Response& res) {
               if (!Authorize(auth, req, res, "api")) return;
               nlohmann::json list = nlohmann::json::array();
               for (const Silence& s : store.ActiveSilences(clock.Now()))
                 list.push_back(SilenceJson(s));
               Reply(res, 200, {{"silences", list}});
             });
  server.Get(
      R"(/api/v1/alerts/([A-Za-z0-9_]+)/cap)",
      [&store, auth](const httplib::Request& req, httplib::Response& res) {
        GetAlertCap(store, auth, req, res);
      });
  server.Get("/api/v1/cap",
             [&store](const httplib::Request&, httplib::Response& res) {
               GetCapFeed(store, res);
             });
  server.Delete(
      R"(/api/v1/silences/([A-Za-z0-9_]+))",
      [&store, auth](const httplib::Request& req, httplib::Response& res) {
        if (!Authorize(auth, req, res, "api")) return;
        if (!store.RemoveSilence(req.matches[1])) {
          return Reply(res, 404, core::ErrorJson("no such silence"));
        }
        spdlog::info("notifier: silence {} removed",
                     std::string(req.matches[1]));
        res.status = 204;
      });
}

}  // namespace slagboom::notifier
