#include "notifier/cap.h"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "notifier/audience.h"

namespace slagboom::notifier {
namespace {

constexpr char kSender[] = "slagboom";
constexpr double kEarthRadiusKm = 6371.0;
constexpr double kMinRadiusKm = 1.0;

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Element(const char* name, const std::string& text) {
  return fmt::format("<{0}>{1}</{0}>", name, Escape(text));
}

std::string Text(const nlohmann::json& j, const char* field) {
  auto it = j.find(field);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string CapSeverity(const std::string& severity) {
  if (severity == "critical") return "Extreme";
  if (severity == "high") return "Severe";
  if (severity == "medium") return "Moderate";
  if (severity == "low") return "Minor";
  return "Unknown";
}

double Radians(double deg) { return deg * M_PI / 180.0; }

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  double dlat = Radians(lat2 - lat1);
  double dlon = Radians(lon2 - lon1);
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(Radians(lat1)) * std::cos(Radians(lat2)) *
                 std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

// "lat,lon radius" around the incidents that carry a position.
std::optional<std::string> Circle(const nlohmann::json& alert) {
  std::vector<std::pair<double, double>> points;
  for (const nlohmann::json& i : alert.value("incidents", nlohmann::json())) {
    if (i.contains("lat") && i.contains("lon") && i["lat"].is_number() &&
        i["lon"].is_number())
      points.emplace_back(i["lat"].get<double>(), i["lon"].get<double>());
  }
  if (points.empty()) return std::nullopt;
  double lat = 0;
  double lon = 0;
  for (auto [a, b] : points) {
    lat += a;
    lon += b;
  }
  lat /= points.size();
  lon /= points.size();
  double radius = kMinRadiusKm;
  for (auto [a, b] : points)
    radius = std::max(radius, DistanceKm(lat, lon, a, b));
  return fmt::format("{:.5f},{:.5f} {:.1f}", lat, lon, std::ceil(radius));
}

std::string Area(const nlohmann::json& alert) {
  std::vector<std::string> regions;
  for (const nlohmann::json& r : alert.value("regions", nlohmann::json()))
    if (r.is_string()) regions.push_back(r);
  std::string desc = regions.empty()
                         ? "unknown area"
                         : fmt::format("{}", fmt::join(regions, ", "));
  std::string out = "<area>" + Element("areaDesc", desc);
  if (std::optional<std::string> circle = Circle(alert))
    out += Element("circle", *circle);
  std::string level = Text(alert, "region_level");
  for (const std::string& region : regions) {
    out +=
        "<geocode>" +
        Element("valueName", "slagboom:" + (level.empty() ? "region" : level)) +
        Element("value", region) + "</geocode>";
  }
  return out + "</area>";
}

std::string Parameter(const std::string& name, const std::string& value) {
  return "<parameter>" + Element("valueName", name) + Element("value", value) +
         "</parameter>";
}

std::string Headline(const nlohmann::json& alert) {
  return fmt::format(
      "{} related incidents ({}) in {}", alert.value("incident_count", 0),
      Text(alert, "rule"),
      fmt::join(alert.value("regions", std::vector<std::string>{}), ", "));
}

}  // namespace

std::string CapTime(core::Instant t) {
  return date::format("%FT%T+00:00",
                      std::chrono::floor<std::chrono::seconds>(t));
}

std::string AlertToCap(const nlohmann::json& alert,
                       const std::vector<CapVersion>& versions, bool full) {
  std::string id = Text(alert, "id");
  std::string state = Text(alert, "state");
  int version = alert.value("version", 1);
  core::Instant sent{};
  std::vector<std::string> references;
  for (const CapVersion& v : versions) {
    if (v.version == version) sent = v.seen_at;
    if (v.version < version) {
      references.push_back(fmt::format("{},{}-v{},{}", kSender, id, v.version,
                                       CapTime(v.seen_at)));
    }
  }
  Tlp tlp = AlertTlp(alert);
  bool is_public = tlp == Tlp::kClear || tlp == Tlp::kGreen;
  std::string msg_type = state == "resolved"  ? "Cancel"
                         : state == "updated" ? "Update"
                                              : "Alert";

  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">";
  out += Element("identifier", fmt::format("{}-v{}", id, version));
  out += Element("sender", kSender);
  out += Element("sent", CapTime(sent));
  out += Element("status", "Actual");
  out += Element("msgType", msg_type);
  out += Element("scope", !full || is_public ? "Public" : "Restricted");
  if (full && !is_public)
    out += Element("restriction", fmt::format("TLP:{}", TlpName(tlp)));
  if (!references.empty())
    out += Element("references", fmt::format("{}", fmt::join(references, " ")));

  out += "<info>";
  out += Element("language", "en");
  out += Element("category", "Security");
  out += Element("event", "mobile banditry: " + Text(alert, "rule"));
  out += Element("urgency", state == "resolved" ? "Past" : "Immediate");
  out += Element("severity", CapSeverity(Text(alert, "severity")));
  out += Element("certainty", "Likely");
  out += Element("senderName", "slagboom");
  out += Element("headline", Headline(alert));
  if (full) out += Element("description", Text(alert, "description"));
  out += Parameter("alert_id", id);
  out += Parameter("tlp", std::string(TlpName(tlp)));
  if (full) {
    out += Parameter("key_kind", Text(alert, "key_kind"));
    out += Parameter("key", Text(alert, "key"));
  }
  out += Area(alert);
  out += "</info></alert>\n";
  return out;
}

}  // namespace slagboom::notifier
