// Import profiles: how the columns of one kind of CSV export become the
// fields of an incident report as an API client would post it.  A profile
// is data, one YAML file per kind of export (config/profiles/NAME.yaml):
//
//   name: chicago                 # required, [a-z0-9_-], = the file stem
//   description: free text
//   delimiter: ","                # one character; default ","
//   decimal_comma: false          # numbers written 1.234,5; default false
//   zone: America/Chicago         # local times are read in this IANA zone;
//                                 # default Europe/Amsterdam
//   report_id: {column: ID, prefix: "chicago:"}   # optional, see below
//   # or, for files without an id column, a hash of the row's cells:
//   #   {row_hash: true, prefix: "nl-excel:"}
//   occurred_at: {column: Date, format: "%m/%d/%Y %I:%M:%S %p"}  # required
//   # or, date and time in two columns:
//   #   {columns: [datum, tijd], format: "%d-%m-%Y %H:%M"}
//   # or a month only ("2019-05"): {column: Month, precision: month}
//   include:                      # optional: rows matching none are skipped
//     - {column: Description, equals: ["RETAIL THEFT"]}
//   exclude:                      # optional: rows matching any are skipped
//     - {column: Domestic, equals: "true"}
//   fields:                       # report field: where its value comes from
//     offence: {value: shoplifting}
//     location.lat: {column: Latitude, type: number}
//
// A field takes either `column` (a header name) or `value` (a constant).
// Its type follows from the report field: `number` for location.lat,
// location.lon, suspects.count and value_eur; `list` for tags, goods and
// suspects.descriptions; `string` for every other field.  `type`, when
// written, must agree.  Further keys: `prefix` (strings, prepended to the
// cell), `separator` (lists, between items; default ";"), `map` (strings
// and list items: a table from cell text to value; a cell not in it
// rejects the row) and `optional: true` (the column may be missing from
// the header).  `occurred_at` takes `format`, a date::parse format read in
// `zone`; without one the cell is RFC 3339, a local ISO time being read in
// `zone`.  With `columns`, the cells are joined by one space before they
// are read.  `precision: month` reads a year and month (format "%Y-%m"
// unless given) as the first day of the month, 00:00 in `zone`;
// `precision: day` reads a date ("%Y-%m-%d") as its 00:00; either way the
// body says so in "time_precision".  A time with an offset goes into the
// body in UTC; a local one as "2025-06-12T14:05:00" with "time_zone":
// `zone`, so that ingest marks it assumed and flags a local time that
// occurs twice (read as the earlier instant) or never (moved forward by
// the gap), as for the API.
//
// Cells are trimmed of spaces and tabs; an empty cell leaves its field
// out.  Without a report_id every import of a file stores its rows again.
#ifndef SLAGBOOM_INGEST_PROFILE_H_
#define SLAGBOOM_INGEST_PROFILE_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/status.h"

namespace slagboom::ingest {

// Where one field of the report body comes from.
struct FieldMapping {
  enum class Type { kString, kNumber, kList };

  std::string target;  // dotted report field: "offence", "location.lat"
  Type type = Type::kString;
  std::string column;     // header name; empty when `value` is used
  nlohmann::json value;   // the typed constant; null when `column` is used
  bool optional = false;  // the column may be missing from the header
  std::string prefix;     // kString: put before the cell text
  std::string separator = ";";             // kList
  std::map<std::string, std::string> map;  // empty: cells as they are
  std::string format;                      // occurred_at only; empty: RFC 3339
  std::vector<std::string> more_columns;   // occurred_at: joined to column
  std::string precision;                   // occurred_at: "", "day", "month"
  bool row_hash = false;  // report_id: a hash of the row's cells
  int line = 0;           // in the profile file, for messages
};

// A row matches when the cell of `column` equals one of `equals`.
struct RowFilter {
  std::string column;
  std::vector<std::string> equals;
  int line = 0;
};

struct ImportProfile {
  std::string name;  // the import's source is "import:<name>"
  std::string description;
  std::string file;  // where it was read from, for messages
  char delimiter = ',';
  bool decimal_comma = false;
  std::string zone = "Europe/Amsterdam";
  std::vector<RowFilter> include;  // empty: every row
  std::vector<RowFilter> exclude;
  // report_id (when mapped) and occurred_at first, then `fields` in the
  // order of the file.
  std::vector<FieldMapping> fields;
};

// Reads profile YAML text; `file` names it in messages.  On success returns
// true and fills *out; otherwise returns false and replaces *errors with
// every problem found, each with its line: syntax, repeated and unknown
// keys, unknown report fields, values of the wrong kind, unknown zones.
bool ParseProfile(const std::string& text, const std::string& file,
                  ImportProfile* out, std::vector<config::ConfigError>* errors);

// The same for the file at `path`, whose stem must equal the profile's
// name.
bool LoadProfile(const std::string& path, ImportProfile* out,
                 std::vector<config::ConfigError>* errors);

// The file that holds profile `name`: "<profiles_dir>/<name>.yaml".
std::string ProfilePath(const std::string& profiles_dir,
                        const std::string& name);

// What became of one CSV row.
struct MappedRow {
  enum class Kind { kBody, kSkipped, kRejected };
  Kind kind = Kind::kBody;
  nlohmann::json body;  // kBody: the report as an API client posts it
  std::string reason;   // kRejected: names the column and the problem
};

// Applies a profile to the rows of one CSV file.  Not thread-safe; holds a
// reference to the profile, which must outlive it.
class RowMapper {
 public:
  explicit RowMapper(const ImportProfile& profile) : profile_(profile) {}

  // Finds every column the profile names in `header` (names trimmed).  A
  // column that is missing and not optional, or that appears twice, makes
  // the status invalid, naming each such column and its profile line.
  core::Status Bind(const std::vector<std::string>& header);

  // REQUIRES: Bind succeeded and `cells` has one cell per header column.
  MappedRow Map(const std::vector<std::string>& cells) const;

  // "location.lat (column Latitude)" for a report field the profile maps
  // from a column, else the field itself: for validation messages.
  std::string Describe(const std::string& target) const;

 private:
  bool Matches(const std::vector<RowFilter>& filters,
               const std::vector<std::string>& cells) const;
  core::Status Convert(const FieldMapping& field, const std::string& cell,
                       nlohmann::json* out) const;
  // occurred_at, with time_zone and time_precision beside it in *body.
  core::Status ConvertTime(const FieldMapping& field, const std::string& cell,
                           nlohmann::json* body) const;

  const ImportProfile& profile_;
  std::map<std::string, size_t> index_;  // column name -> cell index
};

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_PROFILE_H_
