#include "notifier/cap.h"

#include "tests/notifier/notifier_test_support.h"

namespace slagboom::notifier {
namespace {

using std::chrono::hours;
using testing::kT0;
using testing::PlateAlert;
using testing::ValidCap;

nlohmann::json WithPositions(rules::Alert alert, const std::string& tlp) {
  nlohmann::json j = rules::AlertToJson(alert);
  double lat = 52.09;
  for (nlohmann::json& incident : j["incidents"]) {
    incident["lat"] = lat;
    incident["lon"] = 5.12;
    lat += 0.1;
  }
  j["tlp"] = tlp;
  return j;
}

TEST_CASE("cap alert, update and cancel validate against the schema",
          "[notifier]") {
  testing::TempDir dir;
  std::vector<CapVersion> versions = {
      {1, kT0}, {2, kT0 + hours(1)}, {3, kT0 + hours(2)}};
  rules::Alert resolved = PlateAlert("r1", "van", 3);
  resolved.state = rules::AlertState::kResolved;
  nlohmann::json firing = WithPositions(PlateAlert("r1", "van", 1), "AMBER");
  nlohmann::json updated = WithPositions(PlateAlert("r1", "van", 2), "AMBER");
  nlohmann::json cancel = WithPositions(resolved, "AMBER");

  std::string alert = AlertToCap(firing, {versions[0]}, true);
  std::string update = AlertToCap(updated, {versions[0], versions[1]}, true);
  std::string cancelled = AlertToCap(cancel, versions, true);
  CHECK(ValidCap(dir, alert));
  CHECK(ValidCap(dir, update));
  CHECK(ValidCap(dir, cancelled));
  CHECK(alert.find("<msgType>Alert</msgType>") != std::string::npos);
  CHECK(alert.find("<references>") == std::string::npos);
  CHECK(update.find("<msgType>Update</msgType>") != std::string::npos);
  std::string id = firing["id"];
  CHECK(update.find("<references>slagboom," + id + "-v1," + CapTime(kT0) +
                    "</references>") != std::string::npos);
  CHECK(cancelled.find("<msgType>Cancel</msgType>") != std::string::npos);
  CHECK(cancelled.find(id + "-v2,") != std::string::npos);
  CHECK(cancelled.find("<urgency>Past</urgency>") != std::string::npos);
}

TEST_CASE(
    "a cap area is a circle around the incidents and a geocode per "
    "region",
    "[notifier]") {
  nlohmann::json alert = WithPositions(PlateAlert("r1", "van"), "GREEN");
  std::string cap = AlertToCap(alert, {{1, kT0}}, false);
  // Centroid of 52.09, 52.19, 52.29 at 5.12; the farthest is ~11.1 km.
  CHECK(cap.find("<circle>52.19000,5.12000 12.0</circle>") !=
        std::string::npos);
  CHECK(cap.find("<valueName>slagboom:police_unit</valueName>"
                 "<value>midden-nederland</value>") != std::string::npos);
  CHECK(cap.find("<scope>Public</scope>") != std::string::npos);
}

TEST_CASE("a public cap message carries no key or description", "[notifier]") {
  testing::TempDir dir;
  nlohmann::json alert = WithPositions(PlateAlert("r1", "van"), "AMBER");
  std::string public_cap = AlertToCap(alert, {{1, kT0}}, false);
  std::string police_cap = AlertToCap(alert, {{1, kT0}}, true);

  CHECK(ValidCap(dir, public_cap));
  CHECK(public_cap.find("pk_van") == std::string::npos);
  CHECK(public_cap.find("Grey van") == std::string::npos);
  CHECK(police_cap.find("pk_van") != std::string::npos);
  CHECK(police_cap.find("<restriction>TLP:AMBER</restriction>") !=
        std::string::npos);
}

TEST_CASE("cap text is escaped", "[notifier]") {
  testing::TempDir dir;
  rules::Alert a = PlateAlert("r1", "van");
  a.description = "<b>vans</b> & \"cars\"";
  std::string cap = AlertToCap(rules::AlertToJson(a), {{1, kT0}}, true);
  CHECK(ValidCap(dir, cap));
  CHECK(cap.find("&lt;b&gt;vans&lt;/b&gt; &amp; &quot;cars&quot;") !=
        std::string::npos);
}

}  // namespace
}  // namespace slagboom::notifier
