#include "ingest/profile.h"

#include <date/date.h>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include "core/digest.h"
#include "core/time_util.h"

namespace slagboom::ingest {
namespace {

using config::ConfigError;
using Type = FieldMapping::Type;

struct Target {
  std::string_view name;
  Type type;
};

// Every report field a profile may fill from `fields:`; report_id and
// occurred_at have keys of their own at the top.
constexpr std::array<Target, 22> kTargets = {{
    {"step", Type::kString},
    {"tags", Type::kList},
    {"offence", Type::kString},
    {"description", Type::kString},
    {"location.lat", Type::kNumber},
    {"location.lon", Type::kNumber},
    {"location.municipality", Type::kString},
    {"location.region", Type::kString},
    {"location.safety_region", Type::kString},
    {"location.police_unit", Type::kString},
    {"location.postcode", Type::kString},
    {"location.block", Type::kString},
    {"location.beat", Type::kString},
    {"vehicle.plate", Type::kString},
    {"vehicle.country", Type::kString},
    {"vehicle.make", Type::kString},
    {"vehicle.colour", Type::kString},
    {"suspects.count", Type::kNumber},
    {"suspects.descriptions", Type::kList},
    {"goods", Type::kList},
    {"value_eur", Type::kNumber},
    {"tlp", Type::kString},
}};

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kString:
      return "string";
    case Type::kNumber:
      return "number";
    case Type::kList:
      return "list";
  }
  return "string";
}

int LineOf(const YAML::Node& node, int fallback) {
  if (!node.IsDefined() || node.Mark().is_null()) return fallback;
  return node.Mark().line + 1;
}

// Reads one profile document, collecting every problem instead of
// stopping at the first.
class ProfileReader {
 public:
  ProfileReader(std::string file, std::vector<ConfigError>* errors)
      : file_(std::move(file)), errors_(errors) {}

  void Read(const YAML::Node& root, ImportProfile* out);

 private:
  void Error(int line, std::string message) {
    errors_->push_back({file_, line, std::move(message)});
  }

  // The entries of map `node` (`what` names it), once each and only with
  // keys from `known`; false when `node` is not a map.
  bool Entries(const YAML::Node& node, std::string_view what,
               const std::vector<std::string_view>& known,
               std::map<std::string, YAML::Node>* out);
  bool Scalar(const YAML::Node& node, std::string_view what, std::string* out);
  void ReadColumns(std::map<std::string, YAML::Node>& keys, FieldMapping* f);
  void ReadField(const std::string& target, Type type, const YAML::Node& node,
                 ImportProfile* out);
  void ReadConstant(const YAML::Node& node, FieldMapping* field);
  void ReadFilters(const YAML::Node& node, std::string_view what,
                   std::vector<RowFilter>* out);
  void ReadTop(const std::map<std::string, YAML::Node>& top,
               ImportProfile* out);

  std::string file_;
  std::vector<ConfigError>* errors_;
};

bool ProfileReader::Entries(const YAML::Node& node, std::string_view what,
                            const std::vector<std::string_view>& known,
                            std::map<std::string, YAML::Node>* out) {
  if (!node.IsMap()) {
    Error(LineOf(node, 0), fmt::format("{} must be a map", what));
    return false;
  }
  std::map<std::string, int> key_lines;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const int line = LineOf(it->first, 0);
    if (!it->first.IsScalar()) {
      Error(line, fmt::format("a key in {} is not text", what));
      continue;
    }
    const std::string key = it->first.Scalar();
    if (!known.empty() &&
        std::find(known.begin(), known.end(), key) == known.end()) {
      Error(line, fmt::format("unknown key '{}' in {}", key, what));
    } else if (!key_lines.emplace(key, line).second) {
      Error(line, fmt::format("key '{}' repeated in {} (first at line {})", key,
                              what, key_lines[key]));
    } else {
      out->emplace(key, it->second);
    }
  }
  return true;
}

bool ProfileReader::Scalar(const YAML::Node& node, std::string_view what,
                           std::string* out) {
  if (!node.IsScalar()) {
    Error(LineOf(node, 0), fmt::format("{} must be a single value", what));
    return false;
  }
  *out = node.Scalar();
  return true;
}

void ProfileReader::ReadConstant(const YAML::Node& node, FieldMapping* f) {
  const std::string what = fmt::format("the value of {}", f->target);
  if (f->type == Type::kList && node.IsSequence()) {
    f->value = nlohmann::json::array();
    for (const YAML::Node& item : node) {
      std::string text;
      if (Scalar(item, what, &text)) f->value.push_back(text);
    }
    return;
  }
  std::string text;
  if (!Scalar(node, what, &text)) return;
  if (f->type == Type::kString) {
    f->value = text;
  } else if (f->type == Type::kList) {
    f->value = nlohmann::json::array();
    std::stringstream items(text);
    for (std::string item; std::getline(items, item, f->separator[0]);) {
      if (!item.empty()) f->value.push_back(item);
    }
  } else {
    double number = 0;
    std::istringstream in(text);
    if (!(in >> number) || !(in >> std::ws).eof()) {
      Error(LineOf(node, f->line), fmt::format("{} is not a number", what));
    }
    f->value = number;
  }
}

// occurred_at: {columns: [date, time]}: the first column and the rest.
void ProfileReader::ReadColumns(std::map<std::string, YAML::Node>& keys,
                                FieldMapping* f) {
  const YAML::Node& list = keys["columns"];
  if (!list.IsSequence() || list.size() == 0) {
    Error(LineOf(list, f->line), "columns must be a list of column names");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    std::string name;
    Scalar(list[i], "columns", &name);
    if (i == 0) {
      f->column = name;
    } else {
      f->more_columns.push_back(name);
    }
  }
}

void ProfileReader::ReadField(const std::string& target, Type type,
                              const YAML::Node& node, ImportProfile* out) {
  std::vector<std::string_view> known = {
      "column", "value", "type", "prefix", "separator", "map", "optional"};
  if (target == "report_id")
    known = {"column", "prefix", "optional", "row_hash"};
  if (target == "occurred_at")
    known = {"column", "columns", "format", "precision"};
  std::map<std::string, YAML::Node> keys;
  if (!Entries(node, target, known, &keys)) return;

  FieldMapping f;
  f.target = target;
  f.type = type;
  f.line = LineOf(node, 0);
  if (keys.count("columns")) ReadColumns(keys, &f);
  const bool has_column = keys.count("column") + keys.count("columns") > 0;
  if (keys.count("row_hash")) {
    std::string flag;
    Scalar(keys["row_hash"], "report_id.row_hash", &flag);
    if (flag != "true") {
      Error(LineOf(keys["row_hash"], 0), "row_hash must be true when given");
    }
    f.row_hash = true;
  }
  if (keys.count("column") + keys.count("columns") + keys.count("value") +
          keys.count("row_hash") !=
      1) {
    const bool column_only = target == "report_id" || target == "occurred_at";
    Error(f.line, target + (column_only ? " needs a column"
                                        : " needs either column or value"));
  }
  if (keys.count("column"))
    Scalar(keys["column"], target + ".column", &f.column);
  if (keys.count("type")) {
    std::string name;
    if (Scalar(keys["type"], target + ".type", &name) &&
        name != TypeName(type)) {
      Error(LineOf(keys["type"], f.line),
            fmt::format("{} is a {}, not a {}", target, TypeName(type), name));
    }
  }
  if (keys.count("separator")) {
    if (type != Type::kList) Error(f.line, "separator is for lists only");
    Scalar(keys["separator"], target + ".separator", &f.separator);
    if (f.separator.size() != 1) {
      Error(LineOf(keys["separator"], f.line),
            "separator must be one character");
      f.separator = ";";
    }
  }
  if (keys.count("prefix")) {
    if (type != Type::kString) Error(f.line, "prefix is for strings only");
    Scalar(keys["prefix"], target + ".prefix", &f.prefix);
  }
  if (keys.count("format")) Scalar(keys["format"], "format", &f.format);
  if (keys.count("precision")) {
    Scalar(keys["precision"], "precision", &f.precision);
    if (f.precision != "day" && f.precision != "month") {
      Error(LineOf(keys["precision"], f.line), "precision is day or month");
    }
  }
  if (keys.count("optional")) {
    std::string flag;
    Scalar(keys["optional"], target + ".optional", &flag);
    if (flag != "true" && flag != "false") {
      Error(LineOf(keys["optional"], f.line), "optional must be true or false");
    }
    f.optional = flag == "true";
  }
  if (keys.count("map")) {
    if (type == Type::kNumber || !has_column) {
      Error(f.line, "map is for string and list columns only");
    }
    std::map<std::string, YAML::Node> table;
    Entries(keys["map"], target + ".map", {}, &table);
    for (const auto& [from, to] : table) {
      Scalar(to, target + ".map", &f.map[from]);
    }
  }
  if (keys.count("value")) ReadConstant(keys["value"], &f);
  out->fields.push_back(std::move(f));
}

void ProfileReader::ReadFilters(const YAML::Node& node, std::string_view what,
                                std::vector<RowFilter>* out) {
  if (!node.IsSequence()) {
    Error(LineOf(node, 0), fmt::format("{} must be a list", what));
    return;
  }
  for (const YAML::Node& item : node) {
    std::map<std::string, YAML::Node> keys;
    if (!Entries(item, what, {"column", "equals"}, &keys)) continue;
    RowFilter filter;
    filter.line = LineOf(item, 0);
    if (!keys.count("column") || !keys.count("equals")) {
      Error(filter.line, fmt::format("{} needs column and equals", what));
      continue;
    }
    Scalar(keys["column"], "column", &filter.column);
    const YAML::Node& equals = keys["equals"];
    std::vector<YAML::Node> values;
    if (equals.IsSequence()) {
      for (const YAML::Node& v : equals) values.push_back(v);
    } else {
      values.push_back(equals);
    }
    for (const YAML::Node& v : values) {
      std::string text;
      if (Scalar(v, "equals", &text)) filter.equals.push_back(text);
    }
    if (values.empty()) {
      Error(filter.line, fmt::format("{} needs at least one value", what));
    }
    out->push_back(std::move(filter));
  }
}

void ProfileReader::ReadTop(const std::map<std::string, YAML::Node>& top,
                            ImportProfile* out) {
  auto get = [&top](const char* key) {
    auto it = top.find(key);
    return it == top.end() ? YAML::Node() : it->second;
  };
  if (top.count("name") && Scalar(get("name"), "name", &out->name)) {
    const bool valid =
        !out->name.empty() &&
        std::all_of(out->name.begin(), out->name.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '_';
        });
    if (!valid) Error(LineOf(get("name"), 1), "name must match [a-z0-9_-]+");
  }
  if (top.count("description"))
    Scalar(get("description"), "description", &out->description);
  if (top.count("delimiter")) {
    std::string d;
    Scalar(get("delimiter"), "delimiter", &d);
    if (d.size() != 1 || d == "\"" || d == "\r" || d == "\n") {
      Error(LineOf(get("delimiter"), 0),
            "delimiter must be one character other than a quote or line end");
    } else {
      out->delimiter = d[0];
    }
  }
  if (top.count("decimal_comma")) {
    std::string flag;
    Scalar(get("decimal_comma"), "decimal_comma", &flag);
    if (flag != "true" && flag != "false") {
      Error(LineOf(get("decimal_comma"), 0),
            "decimal_comma must be true or false");
    }
    out->decimal_comma = flag == "true";
  }
  if (top.count("zone") && Scalar(get("zone"), "zone", &out->zone) &&
      !core::IsKnownZone(out->zone)) {
    Error(LineOf(get("zone"), 0),
          fmt::format("unknown time zone '{}'", out->zone));
  }
}

void ProfileReader::Read(const YAML::Node& root, ImportProfile* out) {
  std::map<std::string, YAML::Node> top;
  if (!Entries(root, "the profile",
               {"name", "description", "delimiter", "decimal_comma", "zone",
                "report_id", "occurred_at", "include", "exclude", "fields"},
               &top)) {
    return;
  }
  for (const char* key : {"name", "occurred_at"}) {
    if (!top.count(key)) Error(0, fmt::format("{} is required", key));
  }
  ReadTop(top, out);
  if (top.count("report_id"))
    ReadField("report_id", Type::kString, top["report_id"], out);
  if (top.count("occurred_at"))
    ReadField("occurred_at", Type::kString, top["occurred_at"], out);
  if (top.count("include"))
    ReadFilters(top["include"], "include", &out->include);
  if (top.count("exclude"))
    ReadFilters(top["exclude"], "exclude", &out->exclude);
  if (!top.count("fields")) return;

  // In file order, so that bodies and messages follow the profile.
  const YAML::Node& fields = top["fields"];
  std::map<std::string, YAML::Node> checked;
  if (!Entries(fields, "fields", {}, &checked)) return;
  std::set<std::string> seen;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const std::string name = it->first.Scalar();
    if (!it->first.IsScalar() || !seen.insert(name).second) continue;
    auto target =
        std::find_if(kTargets.begin(), kTargets.end(),
                     [&name](const Target& t) { return t.name == name; });
    if (target == kTargets.end()) {
      Error(LineOf(it->first, 0),
            name == "report_id" || name == "occurred_at"
                ? fmt::format("{} belongs at the top of the profile", name)
                : fmt::format("unknown report field '{}'", name));
    } else {
      ReadField(name, target->type, it->second, out);
    }
  }
}

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    unsigned min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, min = 0x10000;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    unsigned cp = c & (0x3F >> extra);
    for (size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += extra + 1;
  }
  return true;
}

// Reads "1234.5", "-1,234.5" or, with decimal_comma, "1.234,5": digit
// groups of three are allowed in the integer part only.
std::optional<double> ParseNumber(std::string_view cell, bool decimal_comma) {
  const char point = decimal_comma ? ',' : '.';
  const char group = decimal_comma ? '.' : ',';
  std::string text(cell);
  if (!text.empty() && text[0] == '+') text.erase(0, 1);
  const size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
  const size_t int_end = std::min(text.find(point), text.size());
  if (text.find(group) != std::string::npos) {
    size_t run = 0;
    bool first = true;
    for (size_t i = sign; i < int_end; ++i) {
      if (text[i] != group) {
        ++run;
        continue;
      }
      if (run == 0 || (first ? run > 3 : run != 3)) return std::nullopt;
      first = false;
      run = 0;
    }
    if (first || run != 3 || text.find(group, int_end) != std::string::npos)
      return std::nullopt;
    text.erase(std::remove(text.begin(), text.end(), group), text.end());
  }
  std::replace(text.begin(), text.end(), point, '.');
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value))
    return std::nullopt;
  return value;
}

// The same cells give the same id, whatever else the file holds.
std::string RowHash(const std::vector<std::string>& cells) {
  std::string joined;
  for (const std::string& cell : cells)
    joined.append(Trim(cell)).append("\x1f");
  return core::Sha256Hex(joined, 32);
}

void Put(nlohmann::json& body, const std::string& target,
         nlohmann::json value) {
  const size_t dot = target.find('.');
  if (dot == std::string::npos) {
    body[target] = std::move(value);
  } else {
    body[target.substr(0, dot)][target.substr(dot + 1)] = std::move(value);
  }
}

}  // namespace

bool ParseProfile(const std::string& text, const std::string& file,
                  ImportProfile* out, std::vector<ConfigError>* errors) {
  errors->clear();
  ImportProfile profile;
  profile.file = file;
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.size() > 1) {
      errors->push_back(
          {file, LineOf(docs[1], 0), "a profile file holds one document"});
    }
    ProfileReader reader(file, errors);
    reader.Read(docs.empty() ? YAML::Node() : docs[0], &profile);
  } catch (const YAML::Exception& e) {
    errors->push_back({file, e.mark.is_null() ? 0 : e.mark.line + 1, e.msg});
  }
  if (!errors->empty()) {
    std::stable_sort(errors->begin(), errors->end(),
                     [](const ConfigError& a, const ConfigError& b) {
                       return a.line < b.line;
                     });
    return false;
  }
  *out = std::move(profile);
  return true;
}

bool LoadProfile(const std::string& path, ImportProfile* out,
                 std::vector<ConfigError>* errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *errors = {{path, 0, "cannot read the profile file"}};
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  ImportProfile profile;
  if (!ParseProfile(text.str(), path, &profile, errors)) return false;
  const std::string stem = std::filesystem::path(path).stem().string();
  if (profile.name != stem) {
    *errors = {{path, 0,
                fmt::format("the profile's name '{}' differs from its file "
                            "name '{}'",
                            profile.name, stem)}};
    return false;
  }
  *out = std::move(profile);
  return true;
}

std::string ProfilePath(const std::string& profiles_dir,
                        const std::string& name) {
  return (std::filesystem::path(profiles_dir) / (name + ".yaml")).string();
}

core::Status RowMapper::Bind(const std::vector<std::string>& header) {
  index_.clear();
  std::set<std::string> repeated;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string name(Trim(header[i]));
    if (!index_.emplace(name, i).second) repeated.insert(name);
  }

  std::vector<core::FieldError> problems;
  auto need = [&](const std::string& column, bool optional, int line) {
    const std::string where = fmt::format("{} line {}", profile_.file, line);
    if (repeated.count(column)) {
      problems.push_back(
          {column, "appears twice in the header (" + where + ")"});
    } else if (!index_.count(column) && !optional) {
      problems.push_back({column, "not in the header (" + where + ")"});
    }
  };
  for (const FieldMapping& f : profile_.fields) {
    if (!f.column.empty()) need(f.column, f.optional, f.line);
    for (const std::string& more : f.more_columns) need(more, false, f.line);
  }
  for (const auto* filters : {&profile_.include, &profile_.exclude}) {
    for (const RowFilter& filter : *filters)
      need(filter.column, false, filter.line);
  }
  if (problems.empty()) return core::Status::Ok();
  return core::Status::Invalid(
      fmt::format("the CSV header does not fit profile '{}'", profile_.name),
      std::move(problems));
}

MappedRow RowMapper::Map(const std::vector<std::string>& cells) const {
  MappedRow out;
  if ((!profile_.include.empty() && !Matches(profile_.include, cells)) ||
      Matches(profile_.exclude, cells)) {
    out.kind = MappedRow::Kind::kSkipped;
    return out;
  }
  out.body = nlohmann::json::object();
  for (const FieldMapping& f : profile_.fields) {
    if (f.row_hash) {
      Put(out.body, f.target, f.prefix + RowHash(cells));
      continue;
    }
    if (f.column.empty()) {
      Put(out.body, f.target, f.value);
      continue;
    }
    auto it = index_.find(f.column);
    if (it == index_.end()) continue;  // an optional column not in the file
    std::string cell(Trim(cells[it->second]));
    for (const std::string& more : f.more_columns) {
      const std::string_view part = Trim(cells[index_.at(more)]);
      if (!part.empty()) cell.append(" ").append(part);
    }
    if (cell.empty()) continue;
    nlohmann::json value;
    core::Status status = f.target == "occurred_at"
                              ? ConvertTime(f, cell, &out.body)
                              : Convert(f, cell, &value);
    if (!status.ok()) {
      out.kind = MappedRow::Kind::kRejected;
      out.reason = fmt::format("column {}: {}", f.column, status.message());
      out.body = nullptr;
      return out;
    }
    if (f.target != "occurred_at") Put(out.body, f.target, std::move(value));
  }
  return out;
}

std::string RowMapper::Describe(const std::string& target) const {
  for (const FieldMapping& f : profile_.fields) {
    if (f.target == target && !f.column.empty())
      return fmt::format("{} (column {})", target, f.column);
  }
  return target;
}

bool RowMapper::Matches(const std::vector<RowFilter>& filters,
                        const std::vector<std::string>& cells) const {
  for (const RowFilter& filter : filters) {
    const std::string_view cell = Trim(cells[index_.at(filter.column)]);
    for (const std::string& value : filter.equals) {
      if (cell == value) return true;
    }
  }
  return false;
}

core::Status RowMapper::ConvertTime(const FieldMapping& f,
                                    const std::string& cell,
                                    nlohmann::json* body) const {
  using core::Status;
  if (!ValidUtf8(cell)) return Status::Invalid("not UTF-8 text");
  std::string text = cell;
  std::string format = f.format;
  if (f.precision == "month") {
    if (format.empty()) format = "%Y-%m";
    text += "-01";
    format += "-%d";
  } else if (f.precision == "day" && format.empty()) {
    format = "%Y-%m-%d";
  }
  if (!f.precision.empty()) {
    text += " 00:00";
    format += " %H:%M";
  }

  std::string error;
  if (format.empty()) {
    // RFC 3339: with an offset, the instant in UTC; else the local time
    // as written, with its zone.
    auto t = core::ParseTimestamp(text, profile_.zone, &error);
    if (!t) return Status::Invalid(error);
    if (!t->zone_assumed) {
      (*body)["occurred_at"] = core::FormatInstant(t->instant);
      return Status::Ok();
    }
    (*body)["occurred_at"] = text;
    (*body)["time_zone"] = profile_.zone;
    return Status::Ok();
  }
  std::istringstream in(text);
  date::local_seconds local;
  in >> date::parse(format, local);
  if (in.fail() || (in >> std::ws, !in.eof())) {
    std::string shown = f.format;
    if (shown.empty()) shown = f.precision == "day" ? "%Y-%m-%d" : "%Y-%m";
    return Status::Invalid(
        fmt::format("'{}' does not match the format '{}'", cell, shown));
  }
  (*body)["occurred_at"] = date::format("%FT%T", local);
  (*body)["time_zone"] = profile_.zone;
  if (!f.precision.empty()) (*body)["time_precision"] = f.precision;
  return Status::Ok();
}

core::Status RowMapper::Convert(const FieldMapping& f, const std::string& cell,
                                nlohmann::json* out) const {
  using core::Status;
  if (!ValidUtf8(cell)) return Status::Invalid("not UTF-8 text");
  auto mapped = [&f](std::string_view text, std::string* result) {
    if (f.map.empty()) {
      *result = text;
      return true;
    }
    auto it = f.map.find(std::string(text));
    if (it == f.map.end()) return false;
    *result = it->second;
    return true;
  };

  std::string text;
  switch (f.type) {
    case FieldMapping::Type::kString:
      if (!mapped(cell, &text))
        return Status::Invalid(fmt::format("'{}' is not in the map", cell));
      *out = f.prefix + text;
      return Status::Ok();
    case FieldMapping::Type::kNumber:
      if (auto number = ParseNumber(cell, profile_.decimal_comma)) {
        *out = *number;
        return Status::Ok();
      }
      return Status::Invalid(fmt::format("'{}' is not a number", cell));
    case FieldMapping::Type::kList:
      *out = nlohmann::json::array();
      std::stringstream items(cell);
      for (std::string item; std::getline(items, item, f.separator[0]);) {
        if (Trim(item).empty()) continue;
        if (!mapped(Trim(item), &text))
          return Status::Invalid(fmt::format("'{}' is not in the map", item));
        out->push_back(text);
      }
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace slagboom::ingest
