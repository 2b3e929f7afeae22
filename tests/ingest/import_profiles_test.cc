// The shipped profiles nl-excel (C7) and police-uk on real-looking files.
#include <catch2/catch.hpp>
#include <fstream>

#include "core/time_util.h"
#include "ingest/csv_import.h"
#include "tests/support/child_process.h"

namespace slagboom::ingest {
namespace {

ImportProfile Load(const std::string& name) {
  ImportProfile profile;
  std::vector<config::ConfigError> errors;
  REQUIRE(LoadProfile(
      ProfilePath(std::string(SLAGBOOM_SOURCE_DIR) + "/config/profiles", name),
      &profile, &errors));
  return profile;
}

struct Fixture {
  testing::TempDir dir;
  IncidentStore store{dir.path + "/ingest.db"};
  core::ManualClock clock{
      core::ParseTimestamp("2026-01-01T00:00:00Z", "UTC", nullptr)->instant};
  IngestService service{config::IngestConfig{}, store, nullptr, clock,
                        "test-plate-key"};

  std::string Write(const std::string& content) {
    const std::string path = dir.path + "/in.csv";
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
};

// C7 as written, saved the way Excel saves it: BOM, CRLF between rows, LF
// inside the quoted cell.
const std::string kDutchExcel =
    "\xEF\xBB\xBF"
    "datum;tijd;gemeente;delict;kenteken;waarde;omschrijving\r\n"
    "12-06-2025;14:05;Utrecht;winkeldiefstal;12-ZZX-4;1.234,56;\"Twee "
    "personen,\nvertrokken in grijze auto\"\r\n"
    "12-06-2025;15:10;Amersfoort;winkeldiefstal;12 zzx 4;89,90;"
    "E\xC3\xA9n persoon\r\n";

TEST_CASE_METHOD(Fixture, "C7 a csv saved by dutch excel", "[ingest]") {
  const ImportProfile profile = Load("nl-excel");
  ImportReport report =
      ImportFile(Write(kDutchExcel), profile, service, "shop-1");
  INFO((report.rejections.empty() ? "" : report.rejections[0].reason));
  REQUIRE(report.status.ok());
  CHECK(report.imported == 2);
  CHECK(report.rejected == 0);

  std::vector<core::Incident> stored = store.List({});
  REQUIRE(stored.size() == 2);
  const core::Incident& a = stored[0];
  const core::Incident& b = stored[1];
  CHECK(core::FormatInstant(a.occurred_at) == "2025-06-12T12:05:00Z");
  CHECK(core::FormatInstant(b.occurred_at) == "2025-06-12T13:10:00Z");
  CHECK(a.time_assumed);
  CHECK(*a.value_eur == 1234.56);
  CHECK(*b.value_eur == 89.90);
  CHECK(a.description == "Twee personen,\nvertrokken in grijze auto");
  CHECK(b.description == "E\xC3\xA9n persoon");
  CHECK(a.vehicle->plate == "NL:12ZZX4");
  CHECK(b.vehicle->plate == "NL:12ZZX4");
  CHECK(a.offence == "shoplifting");
  CHECK(a.location.municipality == "Utrecht");  // datum mapped despite BOM
  CHECK(a.source == "import:nl-excel");

  // C9: the same file again adds nothing and says so.
  ImportReport again =
      ImportFile(Write(kDutchExcel), profile, service, "shop-1");
  CHECK(again.imported == 0);
  CHECK(again.duplicates == 2);
  CHECK(store.Count() == 2);
}

TEST_CASE_METHOD(Fixture, "an excel date in the wrong order names its row",
                 "[ingest]") {
  ImportReport report = ImportFile(
      Write("datum;tijd;gemeente;delict;kenteken;waarde;omschrijving\r\n"
            "2025-06-12;14:05;Utrecht;winkeldiefstal;;;\r\n"),
      Load("nl-excel"), service, "shop-1");
  REQUIRE(report.rejections.size() == 1);
  CHECK(report.rejections[0].row == 2);
  CHECK(report.rejections[0].reason.find("datum") != std::string::npos);
  CHECK(report.imported == 0);
}

TEST_CASE_METHOD(Fixture, "a police-uk street file imports its shoplifting",
                 "[ingest]") {
  const std::string file = std::string(SLAGBOOM_SOURCE_DIR) +
                           "/data/uk/2019-05-avon-and-somerset-street.csv";
  ImportReport report = ImportFile(file, Load("police-uk"), service, "import");
  REQUIRE(report.status.ok());
  CHECK(report.read == 15298);
  CHECK(report.imported == 977);
  CHECK(report.skipped == 15298 - 977);
  CHECK(report.rejected == 0);

  IncidentQuery all;
  all.limit = 1000;
  std::vector<core::Incident> stored = store.List(all);
  REQUIRE(stored.size() == 977);
  const core::Incident& first = stored[0];
  // A month becomes its first instant in Europe/London, and says so.
  CHECK(core::FormatInstant(first.occurred_at) == "2019-04-30T23:00:00Z");
  CHECK(first.time_precision == "month");
  CHECK(first.time_assumed);
  CHECK(first.offence == "shoplifting");
  CHECK(first.location.region.rfind("E0", 0) == 0);  // an LSOA code
  CHECK(first.location.police_unit == "Avon and Somerset Constabulary");
  CHECK(core::IncidentToJson(first)["time_precision"] == "month");

  ImportReport again = ImportFile(file, Load("police-uk"), service, "import");
  CHECK(again.imported == 0);
  CHECK(again.duplicates == 977);
}

TEST_CASE_METHOD(Fixture, "a chicago time is stored as its utc instant",
                 "[ingest]") {
  const ImportProfile profile = Load("chicago");
  RowMapper mapper(profile);
  REQUIRE(mapper
              .Bind({"ID", "Date", "Block", "Description", "Beat", "District",
                     "Latitude", "Longitude"})
              .ok());
  MappedRow row =
      mapper.Map({"13749306", "02/14/2025 11:51:00 PM", "034XX W BELMONT AVE",
                  "RETAIL THEFT", "1732", "017", "", ""});
  REQUIRE(row.kind == MappedRow::Kind::kBody);
  core::Incident inc;
  REQUIRE(
      service.Validate(row.body, "import", "import:chicago", "", &inc).ok());
  CHECK(core::FormatInstant(inc.occurred_at) == "2025-02-15T05:51:00Z");
  CHECK(inc.time_assumed);
}

}  // namespace
}  // namespace slagboom::ingest
