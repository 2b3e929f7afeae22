#include "rules/http_routes.h"

#include "core/api_error.h"

namespace slagboom::rules {
namespace {

using nlohmann::json;

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void ListAlerts(AlertStore& store, const AlertView& view,
                const httplib::Request& req, httplib::Response& res) {
  AlertQuery query;
  query.state = req.get_param_value("state");
  query.rule = req.get_param_value("rule");
  std::vector<core::FieldError> errors;
  if (!query.state.empty() && query.state != "firing" &&
      query.state != "updated" && query.state != "resolved") {
    errors.push_back({"state", "must be firing, updated or resolved"});
  }
  if (req.has_param("limit")) {
    const std::string v = req.get_param_value("limit");
    if (v.empty() || v.size() > 6 ||
        v.find_first_not_of("0123456789") != std::string::npos) {
      errors.push_back({"limit", "must be a whole number"});
    } else {
      query.limit = std::min<size_t>(std::stoul(v), 1000);
    }
  }
  if (!errors.empty()) {
    Reply(res, 400, core::ErrorJson("invalid query", errors));
    return;
  }
  json out = json::array();
  for (const Alert& a : store.List(query)) {
    if (!view) {
      out.push_back(AlertToJson(a));
    } else if (auto shown = view(req, AlertToJson(a))) {
      out.push_back(std::move(*shown));
    }
  }
  Reply(res, 200, {{"alerts", out}});
}

void GetAlert(AlertStore& store, const IncidentLookup& lookup,
              const AlertView& view, const httplib::Request& req,
              httplib::Response& res) {
  auto alert = store.Get(req.matches[1]);
  if (!alert) {
    Reply(res, 404, core::ErrorJson("no such alert"));
    return;
  }
  json out = AlertToJson(*alert);
  if (lookup) {
    for (json& inc : out["incidents"]) {
      if (auto full = lookup(inc["id"].get<std::string>())) {
        json merged = *full;
        merged["region"] = inc["region"];
        inc = std::move(merged);
      }
    }
  }
  if (view) {
    auto shown = view(req, std::move(out));
    if (!shown) {
      Reply(res, 404, core::ErrorJson("no such alert"));
      return;
    }
    out = std::move(*shown);
  }
  Reply(res, 200, out);
}

}  // namespace

void RegisterRoutes(httplib::Server& server, AlertStore& store,
                    IncidentLookup lookup, AlertView view) {
  server.Get("/api/v1/alerts", [&store, view](const httplib::Request& req,
                                              httplib::Response& res) {
    ListAlerts(store, view, req, res);
  });
  server.Get(R"(/api/v1/alerts/([A-Za-z0-9_]+))",
             [&store, lookup, view](const httplib::Request& req,
                                    httplib::Response& res) {
               GetAlert(store, lookup, view, req, res);
             });
}

}  // namespace slagboom::rules
