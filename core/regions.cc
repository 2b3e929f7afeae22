#include "core/regions.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace slagboom::core {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

using Point = bg::model::d2::point_xy<double>;  // x = lon, y = lat
using Polygon = bg::model::polygon<Point>;
using MultiPolygon = bg::model::multi_polygon<Polygon>;
using Box = bg::model::box<Point>;
using Entry = std::pair<Box, size_t>;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", path));
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Splits one CSV line into fields; double quotes may enclose a field with
// commas and stand for themselves when doubled.
std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

// The rows of a CSV file with the given header, header left out.
std::vector<std::vector<std::string>> ReadCsv(const std::string& path,
                                              std::string_view header) {
  std::istringstream in(ReadFile(path));
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line != header) {
    throw std::runtime_error(
        fmt::format("{}: the first line must be '{}'", path, header));
  }
  const size_t columns = SplitCsvLine(header).size();
  std::vector<std::vector<std::string>> rows;
  for (int n = 2; std::getline(in, line); ++n) {
    if (line.empty() || line == "\r") continue;
    rows.push_back(SplitCsvLine(line));
    if (rows.back().size() != columns) {
      throw std::runtime_error(
          fmt::format("{}:{}: expected {} fields", path, n, columns));
    }
  }
  return rows;
}

Polygon ToPolygon(const nlohmann::json& rings) {
  Polygon poly;
  for (size_t r = 0; r < rings.size(); ++r) {
    auto& ring = r == 0 ? poly.outer() : poly.inners().emplace_back();
    for (const auto& pt : rings[r])
      ring.emplace_back(pt.at(0).get<double>(), pt.at(1).get<double>());
  }
  return poly;
}

// A (Multi)Polygon geometry with its rings put in the order Boost expects:
// the files do not agree on winding.
MultiPolygon ToMultiPolygon(const nlohmann::json& geometry) {
  const std::string type = geometry.at("type");
  const nlohmann::json& coords = geometry.at("coordinates");
  MultiPolygon multi;
  if (type == "Polygon") {
    multi.push_back(ToPolygon(coords));
  } else if (type == "MultiPolygon") {
    for (const auto& rings : coords) multi.push_back(ToPolygon(rings));
  } else {
    throw std::runtime_error("unsupported geometry type " + type);
  }
  bg::correct(multi);
  return multi;
}

// The bounding box of the outer rings (what the R-tree needs).
Box Envelope(const MultiPolygon& multi) {
  Box box(Point(180, 90), Point(-180, -90));
  for (const Polygon& poly : multi) {
    for (const Point& p : poly.outer()) bg::expand(box, p);
  }
  return box;
}

// "17" -> "017", as Chicago's records write districts.
std::string PadDistrict(const std::string& district) {
  if (district.size() >= 3) return district;
  return std::string(3 - district.size(), '0') + district;
}

// Latin-1 Supplement (U+00C0..U+00FF) and Latin Extended-A
// (U+0100..U+017F) without their accents, lower case.  '*' drops the
// character; '1' is "ij", '2' "oe", '3' "ae".
constexpr std::string_view kLatin1 =
    "3aaaaaaceeeeiiiidnooooo*ouuuuyts"
    "3aaaaaaceeeeiiiidnooooo*ouuuuyty";
constexpr std::string_view kLatinExtA =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii11jjkkkllllllllll"
    "nnnnnnnnnoooooo22rrrrrrsssssssstttttt"
    "uuuuuuuuuuuuwwyyyzzzzzzs";

// Decodes the UTF-8 sequence at in[*i] and advances *i past it; invalid
// bytes decode as themselves.
char32_t NextCodePoint(std::string_view in, size_t* i) {
  unsigned char c = static_cast<unsigned char>(in[*i]);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (*i + extra >= in.size()) extra = 0;
  char32_t cp = extra == 0   ? c
                : extra == 1 ? c & 0x1F
                : extra == 2 ? c & 0x0F
                             : c & 0x07;
  for (int k = 1; k <= extra; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(in[*i + k]) & 0x3F);
  *i += 1 + extra;
  return cp;
}

std::string_view FoldLetter(char32_t cp) {
  static constexpr std::string_view kIj = "ij", kOe = "oe", kAe = "ae";
  char mapped = 0;
  if (cp >= 0xC0 && cp <= 0xFF) mapped = kLatin1[cp - 0xC0];
  if (cp >= 0x100 && cp <= 0x17F) mapped = kLatinExtA[cp - 0x100];
  switch (mapped) {
    case '1':
      return kIj;
    case '2':
      return kOe;
    case '3':
      return kAe;
    case '*':
    case 0:
      return {};
  }
  static const std::string kLetters = "abcdefghijklmnopqrstuvwxyz";
  return std::string_view(kLetters).substr(mapped - 'a', 1);
}

bool IsApostrophe(char32_t cp) {
  return cp == '\'' || cp == '`' || cp == 0x2018 || cp == 0x2019 || cp == 0xB4;
}

bool IsDashOrSpace(char32_t cp) {
  return cp == '-' || cp == ' ' || cp == '\t' || cp == 0xA0 ||
         (cp >= 0x2010 && cp <= 0x2015);
}

}  // namespace

// Polygons with a label each and an R-tree over their bounding boxes.
class RegionIndex::Layer {
 public:
  // Reads a FeatureCollection, taking each feature's label from the
  // property `label_key`.
  Layer(const std::string& path, const std::string& label_key) {
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(ReadFile(path));
      std::vector<Entry> entries;
      for (const auto& feature : doc.at("features")) {
        labels_.push_back(feature.at("properties").at(label_key));
        shapes_.push_back(ToMultiPolygon(feature.at("geometry")));
        entries.emplace_back(Envelope(shapes_.back()), shapes_.size() - 1);
      }
      tree_ = Tree(entries.begin(), entries.end());
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
    }
    if (labels_.empty())
      throw std::runtime_error(fmt::format("{}: no features", path));
  }

  // The smallest label among the shapes that cover the point.
  std::optional<std::string> Find(double lon, double lat) const {
    const Point p(lon, lat);
    std::optional<std::string> best;
    for (auto it = tree_.qbegin(bgi::intersects(p)); it != tree_.qend(); ++it) {
      const size_t i = it->second;
      if ((!best || labels_[i] < *best) && bg::covered_by(p, shapes_[i]))
        best = labels_[i];
    }
    return best;
  }

  const std::vector<std::string>& labels() const { return labels_; }

 private:
  using Tree = bgi::rtree<Entry, bgi::quadratic<16>>;

  std::vector<std::string> labels_;
  std::vector<MultiPolygon> shapes_;
  Tree tree_;
};

std::string FoldPlaceName(std::string_view name) {
  std::string out;
  bool pending_space = false;
  for (size_t i = 0; i < name.size();) {
    const char32_t cp = NextCodePoint(name, &i);
    if (IsDashOrSpace(cp)) {
      pending_space = !out.empty();
      continue;
    }
    if (IsApostrophe(cp) || cp == '.' || cp == ',' || cp == '(' || cp == ')')
      continue;
    std::string_view folded;
    char ascii = 0;
    if (cp < 0x80) {
      ascii = static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
      folded = std::string_view(&ascii, 1);
    } else {
      folded = FoldLetter(cp);
    }
    if (folded.empty()) continue;
    if (pending_space) out += ' ';
    pending_space = false;
    out += folded;
  }
  return out;
}

RegionIndex::RegionIndex(const RegionFiles& files) {
  if (!files.hierarchy.empty()) LoadHierarchy(files.hierarchy);
  if (!files.aliases.empty()) LoadAliases(files.aliases);
  if (!files.municipalities.empty()) LoadMunicipalities(files.municipalities);
  if (!files.districts.empty())
    district_layer_ = std::make_unique<Layer>(files.districts, "District");
}

RegionIndex::~RegionIndex() = default;

void RegionIndex::LoadHierarchy(const std::string& path) {
  for (auto& row :
       ReadCsv(path, "gm_code,gm_name,vr_code,vr_name,re_code,re_name")) {
    Municipality m{row[0], row[1], row[2], row[3], row[4], row[5]};
    if (!by_code_.emplace(m.code, municipalities_.size()).second) {
      throw std::runtime_error(
          fmt::format("{}: {} is listed twice", path, m.code));
    }
    by_name_[FoldPlaceName(m.name)] = municipalities_.size();
    municipalities_.push_back(std::move(m));
  }
}

void RegionIndex::LoadAliases(const std::string& path) {
  for (auto& row : ReadCsv(path, "alias,gm_code")) {
    auto it = by_code_.find(row[1]);
    if (it == by_code_.end()) {
      throw std::runtime_error(
          fmt::format("{}: alias '{}' names {}, which the hierarchy lacks",
                      path, row[0], row[1]));
    }
    by_name_[FoldPlaceName(row[0])] = it->second;
  }
}

void RegionIndex::LoadMunicipalities(const std::string& path) {
  municipality_layer_ = std::make_unique<Layer>(path, "statcode");
  for (const std::string& code : municipality_layer_->labels()) {
    if (by_code_.count(code) == 0) {
      throw std::runtime_error(fmt::format(
          "{}: municipality {} is not in the hierarchy file", path, code));
    }
  }
}

const Municipality* RegionIndex::MunicipalityAt(double lat, double lon) const {
  if (!municipality_layer_) return nullptr;
  auto code = municipality_layer_->Find(lon, lat);
  if (!code) return nullptr;
  return &municipalities_[by_code_.at(*code)];
}

const Municipality* RegionIndex::FindMunicipality(
    std::string_view code_or_name) const {
  std::string code(code_or_name);
  std::transform(code.begin(), code.end(), code.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (auto it = by_code_.find(code); it != by_code_.end())
    return &municipalities_[it->second];
  if (auto it = by_name_.find(FoldPlaceName(code_or_name));
      it != by_name_.end())
    return &municipalities_[it->second];
  return nullptr;
}

std::string RegionIndex::DistrictAt(double lat, double lon) const {
  if (!district_layer_) return "";
  auto district = district_layer_->Find(lon, lat);
  return district ? PadDistrict(*district) : "";
}

size_t RegionIndex::district_count() const {
  return district_layer_ ? district_layer_->labels().size() : 0;
}

}  // namespace slagboom::core
