#include "ingest/profile.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace slagboom::ingest {
namespace {

using Type = FieldMapping::Type;

std::string ProfilesDir() {
  return std::string(SLAGBOOM_SOURCE_DIR) + "/config/profiles";
}

// Parses `text` and expects it to fail; returns the errors.
std::vector<config::ConfigError> Errors(const std::string& text) {
  ImportProfile profile;
  std::vector<config::ConfigError> errors;
  REQUIRE_FALSE(ParseProfile(text, "p.yaml", &profile, &errors));
  return errors;
}

ImportProfile Parse(const std::string& text) {
  ImportProfile profile;
  std::vector<config::ConfigError> errors;
  const bool ok = ParseProfile(text, "p.yaml", &profile, &errors);
  for (const config::ConfigError& e : errors)
    UNSCOPED_INFO(e.line << ": " << e.message);
  REQUIRE(ok);
  return profile;
}

const std::string kMinimal =
    "name: t\n"
    "occurred_at: {column: when}\n";

TEST_CASE("the chicago profile reads local chicago times", "[ingest]") {
  ImportProfile p;
  std::vector<config::ConfigError> errors;
  REQUIRE(LoadProfile(ProfilePath(ProfilesDir(), "chicago"), &p, &errors));
  CHECK(p.name == "chicago");
  CHECK(p.zone == "America/Chicago");
  CHECK(p.delimiter == ',');
  REQUIRE(p.fields.size() == 9);
  CHECK(p.fields[0].target == "report_id");
  CHECK(p.fields[0].prefix == "chicago:");
  CHECK(p.fields[1].target == "occurred_at");
  CHECK(p.fields[1].format == "%m/%d/%Y %I:%M:%S %p");
  CHECK(p.fields[3].target == "location.lat");
  CHECK(p.fields[3].type == Type::kNumber);
  REQUIRE(p.include.size() == 1);
  CHECK(p.include[0].equals == std::vector<std::string>{"RETAIL THEFT"});
}

TEST_CASE("the native profile maps every api field from its own column",
          "[ingest]") {
  ImportProfile p;
  std::vector<config::ConfigError> errors;
  REQUIRE(LoadProfile(ProfilePath(ProfilesDir(), "native"), &p, &errors));
  CHECK(p.zone == "Europe/Amsterdam");
  REQUIRE(p.fields.size() == 24);
  for (const FieldMapping& f : p.fields) {
    CHECK(f.column == f.target);
    CHECK(f.optional == (f.target != "occurred_at"));
  }
}

TEST_CASE("unknown keys are errors with their line", "[ingest]") {
  auto errors = Errors(kMinimal +
                       "zones: UTC\n"
                       "fields:\n"
                       "  offence: {colum: x}\n");
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].file == "p.yaml");
  CHECK(errors[0].line == 3);
  CHECK(errors[0].message == "unknown key 'zones' in the profile");
  CHECK(errors[1].line == 5);
  CHECK(errors[1].message == "unknown key 'colum' in offence");
  CHECK(errors[2].message == "offence needs either column or value");
}

TEST_CASE("a repeated key is an error naming the first one", "[ingest]") {
  auto errors = Errors(kMinimal +
                       "fields:\n"
                       "  offence:\n"
                       "    value: burglary\n"
                       "  offence: {value: shoplifting}\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line == 6);
  CHECK(errors[0].message ==
        "key 'offence' repeated in fields (first at line 4)");
}

TEST_CASE("a field the api does not know is an error", "[ingest]") {
  auto errors = Errors(kMinimal +
                       "fields:\n"
                       "  location.street: {column: Street}\n"
                       "  report_id: {column: ID}\n");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].message == "unknown report field 'location.street'");
  CHECK(errors[1].message == "report_id belongs at the top of the profile");
}

TEST_CASE("a type that does not fit the field is an error", "[ingest]") {
  auto errors = Errors(kMinimal +
                       "fields:\n"
                       "  location.lat: {column: Lat, type: string}\n"
                       "  value_eur: {value: lots}\n");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].line == 4);
  CHECK(errors[0].message == "location.lat is a number, not a string");
  CHECK(errors[1].message == "the value of value_eur is not a number");
}

TEST_CASE("a profile needs a name, a time column and a known zone",
          "[ingest]") {
  auto errors = Errors("zone: Mars/Olympus\ndelimiter: ab\n");
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].message == "name is required");
  CHECK(errors[1].message == "occurred_at is required");
  CHECK(errors[2].line == 1);
  CHECK(errors[2].message == "unknown time zone 'Mars/Olympus'");
  CHECK(errors[3].line == 2);
}

TEST_CASE("a yaml syntax error names its line", "[ingest]") {
  auto errors = Errors(kMinimal + "fields: {offence: [x\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].line >= 3);
}

TEST_CASE("a profile file must carry its own name", "[ingest]") {
  auto dir = std::filesystem::temp_directory_path() /
             ("slagboom-profile-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "other.yaml") << kMinimal;
  ImportProfile p;
  std::vector<config::ConfigError> errors;
  CHECK_FALSE(LoadProfile((dir / "other.yaml").string(), &p, &errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message ==
        "the profile's name 't' differs from its file name 'other'");
  std::filesystem::remove_all(dir);
}

TEST_CASE("a header without a column the profile names fails to bind",
          "[ingest]") {
  ImportProfile p = Parse(kMinimal +
                          "report_id: {column: id, optional: true}\n"
                          "fields:\n"
                          "  location.lat: {column: lat}\n");
  RowMapper mapper(p);
  core::Status s = mapper.Bind({"when", "lon"});
  REQUIRE_FALSE(s.ok());
  REQUIRE(s.details().size() == 1);
  CHECK(s.details()[0].field == "lat");
  CHECK(s.details()[0].problem == "not in the header (p.yaml line 5)");
  CHECK(mapper.Bind({" when ", "lat"}).ok());
}

TEST_CASE("chicago times go out with their zone", "[ingest]") {
  ImportProfile p;
  std::vector<config::ConfigError> errors;
  REQUIRE(LoadProfile(ProfilePath(ProfilesDir(), "chicago"), &p, &errors));
  RowMapper mapper(p);
  REQUIRE(mapper
              .Bind({"ID", "Date", "Block", "Description", "Beat", "District",
                     "Latitude", "Longitude"})
              .ok());
  MappedRow row =
      mapper.Map({"13749306", "02/14/2025 11:51:00 PM", "034XX W BELMONT AVE",
                  "RETAIL THEFT", "1732", "017", "41.939262335", ""});
  REQUIRE(row.kind == MappedRow::Kind::kBody);
  // The local time with its zone: ingest reads it there and marks it.
  CHECK(row.body["occurred_at"] == "2025-02-14T23:51:00");
  CHECK(row.body["time_zone"] == "America/Chicago");
  CHECK(row.body["report_id"] == "chicago:13749306");
  CHECK(row.body["offence"] == "shoplifting");
  CHECK(row.body["tlp"] == "GREEN");
  CHECK(row.body["location"]["lat"] == 41.939262335);
  CHECK_FALSE(row.body["location"].contains("lon"));  // empty cell
  CHECK(row.body["location"]["region"] == "017");
  CHECK(row.body["location"]["beat"] == "1732");
}

TEST_CASE("rows outside the include list are skipped", "[ingest]") {
  ImportProfile p = Parse(kMinimal +
                          "include:\n"
                          "  - {column: kind, equals: [a, b]}\n"
                          "exclude:\n"
                          "  - {column: test, equals: \"yes\"}\n");
  RowMapper mapper(p);
  REQUIRE(mapper.Bind({"when", "kind", "test"}).ok());
  const std::string t = "2025-02-14T23:51:00Z";
  CHECK(mapper.Map({t, "b", "no"}).kind == MappedRow::Kind::kBody);
  CHECK(mapper.Map({t, "c", "no"}).kind == MappedRow::Kind::kSkipped);
  CHECK(mapper.Map({t, "a", "yes"}).kind == MappedRow::Kind::kSkipped);
}

TEST_CASE("cells are converted to the type of their field", "[ingest]") {
  ImportProfile p = Parse(kMinimal +
                          "decimal_comma: true\n"
                          "fields:\n"
                          "  value_eur: {column: value}\n"
                          "  tags: {column: tags, separator: \"|\"}\n"
                          "  offence: {column: kind, map: {DIEF: "
                          "shoplifting}}\n");
  RowMapper mapper(p);
  REQUIRE(mapper.Bind({"when", "value", "tags", "kind"}).ok());
  const std::string t = "2025-02-14 23:51:00";

  MappedRow row = mapper.Map({t, "1.234,5", " foil bag | | duo ", "DIEF"});
  REQUIRE(row.kind == MappedRow::Kind::kBody);
  CHECK(row.body["occurred_at"] == "2025-02-14 23:51:00");
  CHECK(row.body["time_zone"] == "Europe/Amsterdam");
  CHECK(row.body["value_eur"] == 1234.5);
  CHECK(row.body["tags"] == nlohmann::json::array({"foil bag", "duo"}));
  CHECK(row.body["offence"] == "shoplifting");

  SECTION("a number in the wrong notation rejects the row") {
    row = mapper.Map({t, "1,234.5", "", "DIEF"});
    REQUIRE(row.kind == MappedRow::Kind::kRejected);
    CHECK(row.reason == "column value: '1,234.5' is not a number");
  }
  SECTION("a cell missing from the map rejects the row") {
    row = mapper.Map({t, "", "", "ROOF"});
    REQUIRE(row.kind == MappedRow::Kind::kRejected);
    CHECK(row.reason == "column kind: 'ROOF' is not in the map");
  }
  SECTION("a cell that is not utf-8 rejects the row") {
    row = mapper.Map({t, "", "caf\xE9", "DIEF"});
    REQUIRE(row.kind == MappedRow::Kind::kRejected);
    CHECK(row.reason == "column tags: not UTF-8 text");
  }
  SECTION("a time that does not parse rejects the row") {
    row = mapper.Map({"yesterday", "", "", "DIEF"});
    REQUIRE(row.kind == MappedRow::Kind::kRejected);
    CHECK(row.reason.rfind("column when: ", 0) == 0);
  }
}

}  // namespace
}  // namespace slagboom::ingest
