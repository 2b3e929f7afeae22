#include "ingest/http_routes.h"

#include <fmt/format.h>

#include "core/api_error.h"
#include "core/time_util.h"
#include "ingest/access.h"

namespace slagboom::ingest {
namespace {

using nlohmann::json;

constexpr size_t kMaxListLimit = 1000;
constexpr size_t kMaxBatch = 1000;
constexpr char kJson[] = "application/json";

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), kJson);
}

int HttpStatus(const core::Status& s) {
  switch (s.code()) {
    case core::Status::Code::kInvalid:
      return 422;
    case core::Status::Code::kConflict:
      return 409;
    case core::Status::Code::kNotFound:
      return 404;
    default:
      return 500;
  }
}

json Visible(const core::Incident& incident, const core::Principal& who) {
  json out = core::IncidentToJson(incident);
  if (!SeesPersonalData(who)) RedactIncident(&out);
  return out;
}

struct Deps {
  IngestService& service;
  core::Authenticator& auth;
  RateLimiter& limiter;
};

void PostIncidents(Deps& deps, const httplib::Request& req,
                   httplib::Response& res) {
  auto who = RequirePrincipal(deps.auth, req, res);
  if (!who) return;
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    Reply(res, 400,
          core::ErrorJson("the body is not valid JSON",
                          {{"body", "malformed JSON"}}));
    return;
  }
  std::vector<json> bodies;
  if (body.is_array()) {
    bodies.assign(body.begin(), body.end());
  } else {
    // A single report may carry its idempotency key in a header.
    if (body.is_object() && !body.contains("report_id") &&
        req.has_header("Idempotency-Key")) {
      body["report_id"] = req.get_header_value("Idempotency-Key");
    }
    bodies.push_back(std::move(body));
  }
  if (bodies.empty() || bodies.size() > kMaxBatch) {
    Reply(res, 422,
          core::ErrorJson(
              "an array holds 1 to 1000 incidents",
              {{"body", fmt::format("{} incidents", bodies.size())}}));
    return;
  }

  core::Status allowed = CheckMayReport(*who, bodies);
  if (!allowed.ok()) {
    Reply(res, 403, core::ErrorJson(allowed));
    return;
  }
  if (auto wait = deps.limiter.Take(who->name, bodies.size())) {
    res.set_header("Retry-After", std::to_string(wait->count()));
    Reply(
        res, 429,
        core::ErrorJson("too many reports for this token",
                        {{"body", fmt::format("{} reports; retry after {} s",
                                              bodies.size(), wait->count())}}));
    return;
  }

  Submitted s = deps.service.Submit(bodies, who->name, "api");
  if (!s.status.ok()) {
    Reply(res, HttpStatus(s.status), core::ErrorJson(s.status));
    return;
  }
  json out = json::array();
  for (const CommitResult& r : s.results) {
    out.push_back({{"id", r.id},
                   {"seq", r.seq},
                   {"duplicate", r.outcome == Outcome::kDuplicate}});
  }
  Reply(res, 201, {{"incidents", out}});
}

bool ReadTime(const httplib::Request& req, const char* name,
              std::optional<core::Instant>* out,
              std::vector<core::FieldError>* errors) {
  if (!req.has_param(name)) return true;
  std::string error;
  auto t = core::ParseTimestamp(req.get_param_value(name), "UTC", &error);
  if (!t) {
    errors->push_back({name, error});
    return false;
  }
  *out = t->instant;
  return true;
}

bool ReadCount(const httplib::Request& req, const char* name, uint64_t* out,
               std::vector<core::FieldError>* errors) {
  if (!req.has_param(name)) return true;
  const std::string v = req.get_param_value(name);
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos ||
      v.size() > 18) {
    errors->push_back({name, "must be a whole number"});
    return false;
  }
  *out = std::stoull(v);
  return true;
}

void ListIncidents(Deps& deps, const httplib::Request& req,
                   httplib::Response& res) {
  auto who = RequirePrincipal(deps.auth, req, res);
  if (!who) return;
  IncidentQuery query;
  std::vector<core::FieldError> errors;
  uint64_t limit = query.limit;
  ReadTime(req, "since", &query.since, &errors);
  ReadTime(req, "until", &query.until, &errors);
  ReadCount(req, "after_seq", &query.after_seq, &errors);
  ReadCount(req, "limit", &limit, &errors);
  if (!errors.empty()) {
    Reply(res, 400, core::ErrorJson("invalid query", errors));
    return;
  }
  query.limit = std::min<uint64_t>(limit, kMaxListLimit);
  json out = json::array();
  for (const core::Incident& inc : deps.service.store().List(query))
    out.push_back(Visible(inc, *who));
  Reply(res, 200, {{"incidents", out}});
}

void GetIncident(Deps& deps, const httplib::Request& req,
                 httplib::Response& res) {
  auto who = RequirePrincipal(deps.auth, req, res);
  if (!who) return;
  auto inc = deps.service.store().Get(req.matches[1]);
  if (!inc) {
    Reply(res, 404, core::ErrorJson("no such incident"));
    return;
  }
  Reply(res, 200, Visible(*inc, *who));
}

}  // namespace

std::optional<core::Principal> RequirePrincipal(core::Authenticator& auth,
                                                const httplib::Request& req,
                                                httplib::Response& res) {
  const bool given = req.has_header("Authorization");
  if (given) {
    auto who = auth.Authenticate(req.get_header_value("Authorization"));
    if (who) return who;
  }
  res.set_header("WWW-Authenticate", "Bearer");
  Reply(res, 401,
        core::ErrorJson("a valid bearer token is required",
                        {{"Authorization",
                          given ? "unknown or revoked token" : "missing"}}));
  return std::nullopt;
}

void RegisterRoutes(httplib::Server& server, IngestService& service,
                    core::Authenticator& auth, RateLimiter& limiter) {
  auto deps = std::make_shared<Deps>(Deps{service, auth, limiter});
  server.Post("/api/v1/incidents",
              [deps](const httplib::Request& req, httplib::Response& res) {
                PostIncidents(*deps, req, res);
              });
  server.Get("/api/v1/incidents",
             [deps](const httplib::Request& req, httplib::Response& res) {
               ListIncidents(*deps, req, res);
             });
  server.Get(R"(/api/v1/incidents/([A-Za-z0-9_]+))",
             [deps](const httplib::Request& req, httplib::Response& res) {
               GetIncident(*deps, req, res);
             });
}

}  // namespace slagboom::ingest
