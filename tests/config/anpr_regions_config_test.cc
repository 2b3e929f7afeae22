// The `regions:` and `anpr:` sections of the configuration.
#include <catch2/catch.hpp>

#include "config/config.h"

namespace slagboom::config {
namespace {

TEST_CASE("regions and anpr have working defaults", "[config]") {
  Config c;
  std::vector<ConfigError> errors;
  REQUIRE(ParseConfig("data_dir: d\n", "test.yaml", &c, &errors));
  CHECK(c.regions.hierarchy == "data/regions/nl_hierarchy.csv");
  CHECK(c.regions.municipalities == "data/regions/gemeente_2025.geojson");
  CHECK_FALSE(c.anpr.enabled);
  CHECK(c.anpr.max_line_bytes == 4096);
}

TEST_CASE("regions and anpr are read from the file", "[config]") {
  Config c;
  std::vector<ConfigError> errors;
  REQUIRE(ParseConfig(R"(regions:
  municipalities: /srv/gm.geojson
  districts: ""
anpr:
  enabled: true
  listen: 0.0.0.0:7070
  max_line_bytes: 512
)",
                      "test.yaml", &c, &errors));
  CHECK(c.regions.municipalities == "/srv/gm.geojson");
  CHECK(c.regions.districts == "");
  CHECK(c.anpr.enabled);
  CHECK(c.anpr.listen == "0.0.0.0:7070");
  CHECK(c.anpr.max_line_bytes == 512);
}

TEST_CASE("a bad anpr listener is an error with its line", "[config]") {
  Config c;
  std::vector<ConfigError> errors;
  REQUIRE_FALSE(
      ParseConfig("anpr:\n  listen: port-7070\n", "test.yaml", &c, &errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 2);
  CHECK(errors[0].message.find("anpr.listen") != std::string::npos);
}

}  // namespace
}  // namespace slagboom::config
