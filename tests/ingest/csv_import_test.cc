#include "ingest/csv_import.h"

#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "core/time_util.h"

namespace slagboom::ingest {
namespace {

std::string SourcePath(const std::string& relative) {
  return std::string(SLAGBOOM_SOURCE_DIR) + "/" + relative;
}

ImportProfile Load(const std::string& name) {
  ImportProfile profile;
  std::vector<config::ConfigError> errors;
  REQUIRE(LoadProfile(ProfilePath(SourcePath("config/profiles"), name),
                      &profile, &errors));
  return profile;
}

core::Instant Jan2026() {
  return core::ParseTimestamp("2026-01-01T00:00:00Z", "UTC", nullptr)->instant;
}

std::string MakeTempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "slagboom-csv-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

// A store in a fresh directory and the service in front of it.
struct Fixture {
  ~Fixture() { std::filesystem::remove_all(dir); }

  std::string Write(const std::string& content) {
    const std::string path = dir + "/in" + std::to_string(++files) + ".csv";
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  ImportReport Import(const std::string& content, size_t batch_size = 1000) {
    return ImportFile(Write(content), native, service, "shop-1", batch_size);
  }

  std::string dir = MakeTempDir();
  int files = 0;
  IncidentStore store{dir + "/incidents.db"};
  core::ManualClock clock{Jan2026()};
  IngestService service{config::IngestConfig{}, store, nullptr, clock,
                        "test-plate-key"};
  ImportProfile native = Load("native");
};

const std::string kHeader =
    "report_id,occurred_at,offence,location.lat,location.lon,"
    "location.region,tlp\n";
const std::string kRow =
    "r2,2025-02-14T23:51:00+01:00,shoplifting,52.37,4.89,RE08,GREEN\n";
const std::string kShortRow =
    "r1,2025-02-14T23:51:00+01:00,shoplifting,"
    "52.37,4.89,RE08\n";

TEST_CASE("C2 an import never says ok 0 rows", "[ingest]") {
  Fixture f;
  std::string text = kHeader + kShortRow + kRow;
  SECTION("lf") {}
  SECTION("crlf") { text = std::regex_replace(text, std::regex("\n"), "\r\n"); }
  SECTION("bare cr") { std::replace(text.begin(), text.end(), '\n', '\r'); }

  ImportReport report = f.Import(text);
  CHECK(report.status.ok());
  CHECK(report.read == 2);
  CHECK(report.imported == 1);
  CHECK(report.rejected == 1);
  REQUIRE(report.rejections.size() == 1);
  CHECK(report.rejections[0].row == 2);
  CHECK(report.rejections[0].reason == "6 fields, expected 7");
  CHECK(report.Summary() == "imported=1 rejected=1 duplicates=0 skipped=0");
}

TEST_CASE("the chicago file imports its retail thefts once", "[ingest]") {
  Fixture f;
  const std::string path =
      SourcePath("data/chicago/chicago_crimes_2025-02-01_to_14.csv");
  const ImportProfile chicago = Load("chicago");

  ImportReport first = ImportFile(path, chicago, f.service, "chicago-pd");
  CHECK(first.status.ok());
  CHECK(first.read == 7962);
  CHECK(first.imported == 541);
  CHECK(first.skipped == 7421);
  CHECK(first.rejected == 0);
  CHECK(first.duplicates == 0);
  CHECK(f.store.Count() == 541);

  ImportReport second = ImportFile(path, chicago, f.service, "chicago-pd");
  CHECK(second.imported == 0);
  CHECK(second.duplicates == 541);
  CHECK(second.skipped == 7421);
  CHECK(f.store.Count() == 541);
}

TEST_CASE("imported rows carry the source of their profile", "[ingest]") {
  Fixture f;
  ImportReport report = f.Import(kHeader + kRow);
  REQUIRE(report.imported == 1);
  std::vector<core::Incident> stored = f.store.List({});
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].source == "import:native");
  CHECK(stored[0].reporter == "shop-1");
  CHECK(core::FormatInstant(stored[0].occurred_at) == "2025-02-14T22:51:00Z");
  CHECK(stored[0].tlp == core::Tlp::kGreen);
}

TEST_CASE("a byte-order mark before the header is dropped", "[ingest]") {
  Fixture f;
  ImportReport report = f.Import("\xEF\xBB\xBF" + kHeader + kRow);
  CHECK(report.status.ok());
  CHECK(report.imported == 1);
}

TEST_CASE("the last row needs no line break", "[ingest]") {
  Fixture f;
  ImportReport report = f.Import(kHeader + kRow.substr(0, kRow.size() - 1));
  CHECK(report.read == 1);
  CHECK(report.imported == 1);
}

TEST_CASE("a utf-16 file is refused", "[ingest]") {
  Fixture f;
  ImportReport report = f.Import(std::string("\xFF\xFE") + "r" + kHeader);
  CHECK_FALSE(report.status.ok());
  CHECK(report.status.message() == "the file is UTF-16; save it as UTF-8");
}

TEST_CASE("an empty file is an error, not an empty import", "[ingest]") {
  Fixture f;
  ImportReport report = f.Import("");
  CHECK_FALSE(report.status.ok());
  CHECK(report.status.message() == "the file is empty: it has no header");
}

TEST_CASE("a header without the time column fails naming it", "[ingest]") {
  Fixture f;
  ImportReport report = f.Import("report_id,when,offence\nr1,x,y\n");
  REQUIRE_FALSE(report.status.ok());
  REQUIRE(report.status.details().size() == 1);
  CHECK(report.status.details()[0].field == "occurred_at");
  CHECK(report.read == 0);
}

TEST_CASE("quoted fields keep delimiters and line breaks", "[ingest]") {
  Fixture f;
  const std::string header =
      "occurred_at,offence,location.region,description\n";
  ImportReport report =
      f.Import(header +
               "2025-02-14T23:51:00Z,shoplifting,RE08,\"two men, \"\"foil\"\"\n"
               "bags\"\n"
               "2025-02-14T23:52:00Z,shoplifting,RE08\n");
  CHECK(report.imported == 1);
  REQUIRE(report.rejections.size() == 1);
  CHECK(report.rejections[0].row == 3);  // the quoted line break is row 2
  std::vector<core::Incident> stored = f.store.List({});
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].description == "two men, \"foil\"\nbags");
}

TEST_CASE("blank lines count as rows and are not read", "[ingest]") {
  Fixture f;
  ImportReport report =
      f.Import(kHeader + "\n" + kRow + ",,,,,,\n" + kShortRow);
  CHECK(report.read == 2);
  REQUIRE(report.rejections.size() == 1);
  CHECK(report.rejections[0].row == 5);
}

TEST_CASE("a stray quote rejects its row and the next rows import",
          "[ingest]") {
  Fixture f;
  ImportReport report = f.Import(
      kHeader + "r1,2025-02-14T23:51:00Z,shop\"lifting,1,1,x,RED\n" + kRow);
  CHECK(report.imported == 1);
  REQUIRE(report.rejections.size() == 1);
  CHECK(report.rejections[0].row == 2);
  CHECK(report.rejections[0].reason.rfind("a quote out of place", 0) == 0);
}

TEST_CASE("a quote that is never closed is reported", "[ingest]") {
  Fixture f;
  ImportReport report =
      f.Import(kHeader + kRow + "r3,\"2025-02-14T23:51:00Z,x\n" + kRow);
  CHECK(report.imported == 1);
  REQUIRE(report.rejections.size() == 1);
  CHECK(report.rejections[0].row == 3);
  CHECK(report.rejections[0].reason.find("never closed") != std::string::npos);
}

TEST_CASE("an invalid row names the field and its column", "[ingest]") {
  Fixture f;
  ImportReport report = f.Import(
      kHeader + "r1,2025-02-14T23:51:00Z,shoplifting,95,4.89,RE08,GREEN\n" +
      "r2,2025-02-14T23:51:00Z,shoplifting,abc,4.89,RE08,GREEN\n");
  CHECK(report.imported == 0);
  REQUIRE(report.rejections.size() == 2);
  CHECK(report.rejections[0].reason ==
        "location.lat (column location.lat): must be between -90 and 90");
  CHECK(report.rejections[1].reason ==
        "column location.lat: 'abc' is not a number");
}

TEST_CASE("a reused report id with other content rejects only its row",
          "[ingest]") {
  Fixture f;
  ImportReport first = f.Import(kHeader + kRow);
  REQUIRE(first.imported == 1);
  const std::string changed =
      "r2,2025-02-14T23:51:00+01:00,burglary,52.37,4.89,RE08,GREEN\n";
  const std::string fresh =
      "r3,2025-02-14T23:51:00+01:00,burglary,52.37,4.89,RE08,GREEN\n";
  ImportReport second = f.Import(kHeader + fresh + changed + kRow,
                                 /*batch_size=*/2);
  CHECK(second.imported == 1);
  CHECK(second.duplicates == 1);
  REQUIRE(second.rejections.size() == 1);
  CHECK(second.rejections[0].row == 3);
  CHECK(second.rejections[0].reason ==
        "report_id 'r2' was used before for a different report");
}

TEST_CASE("a semicolon file with decimal commas", "[ingest]") {
  Fixture f;
  f.native.delimiter = ';';
  f.native.decimal_comma = true;
  ImportReport report = f.Import(
      "occurred_at;offence;location.lat;location.lon;value_eur\n"
      "2025-02-14 23:51:00;shoplifting;52,37;4,89;1.250,50\n");
  REQUIRE(report.rejections.empty());
  std::vector<core::Incident> stored = f.store.List({});
  REQUIRE(stored.size() == 1);
  CHECK(*stored[0].location.lat == 52.37);
  CHECK(*stored[0].value_eur == 1250.5);
}

TEST_CASE("map file hands over the bodies in row order", "[ingest]") {
  Fixture f;
  std::vector<std::pair<size_t, nlohmann::json>> bodies;
  ImportReport report =
      MapFile(f.Write(kHeader + kRow + kShortRow + kRow), f.native,
              [&bodies](size_t row, nlohmann::json body) {
                bodies.emplace_back(row, std::move(body));
              });
  CHECK(report.read == 3);
  CHECK(report.rejected == 1);
  REQUIRE(bodies.size() == 2);
  CHECK(bodies[0].first == 2);
  CHECK(bodies[1].first == 4);
  CHECK(bodies[0].second["occurred_at"] == "2025-02-14T22:51:00Z");
  CHECK(bodies[0].second["location"]["lat"] == 52.37);
  CHECK(f.store.Count() == 0);
}

}  // namespace
}  // namespace slagboom::ingest
