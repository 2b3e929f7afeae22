// Regions from data: which municipality, safety region and police unit a
// point or a place name belongs to, and which police district of a
// source's own geography (the Chicago districts) holds a point.
//
// The boundaries are GeoJSON files, the hierarchy municipality -> safety
// region -> police unit and the everyday names of municipalities are CSV
// files shipped in data/regions/ (see data/README.md).  Nothing about a
// country is in the code.
#ifndef SLAGBOOM_CORE_REGIONS_H_
#define SLAGBOOM_CORE_REGIONS_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace slagboom::core {

// A Dutch municipality and the areas it lies in.
struct Municipality {
  std::string code;                // CBS code, "GM0344"
  std::string name;                // official name, "Utrecht"
  std::string safety_region;       // "VR09"
  std::string safety_region_name;  // "Utrecht"
  std::string police_unit;         // "RE03"
  std::string police_unit_name;    // "Midden-Nederland"
};

// The data files behind a RegionIndex.  An empty path leaves that part
// out (an index without districts answers no district).
struct RegionFiles {
  // GeoJSON FeatureCollection of (Multi)Polygons in WGS84 lon/lat with
  // the properties `statcode` ("GM0344") and `statnaam`.
  std::string municipalities;
  // CSV with header gm_code,gm_name,vr_code,vr_name,re_code,re_name; one
  // row for every municipality of the GeoJSON.
  std::string hierarchy;
  // CSV with header alias,gm_code: names people use besides the official
  // one ("Den Haag" for 's-Gravenhage).
  std::string aliases;
  // GeoJSON FeatureCollection of police districts with the property
  // `District` ("17").
  std::string districts;
};

class RegionIndex {
 public:
  // Reads the files and builds the spatial indexes.  Throws
  // std::runtime_error naming the file when one cannot be read, is not
  // what RegionFiles describes, or names a municipality the hierarchy
  // lacks (start-up only).
  explicit RegionIndex(const RegionFiles& files);
  ~RegionIndex();
  RegionIndex(const RegionIndex&) = delete;
  RegionIndex& operator=(const RegionIndex&) = delete;

  // The municipality whose boundary holds the point (the boundary itself
  // included; on a shared border the lowest code wins), or nullptr when
  // the point lies outside every municipality (at sea, abroad).  The
  // pointer lives as long as the index.  Thread-safe.
  const Municipality* MunicipalityAt(double lat, double lon) const;

  // The municipality named by its CBS code ("GM0344", any case) or by a
  // name as people write it: any case, with or without accents, dashes
  // or spaces alike ("Súdwest-Fryslân", "sudwest fryslan"), or an alias
  // from the alias file ("Den Haag").  nullptr when nothing matches.
  // Thread-safe.
  const Municipality* FindMunicipality(std::string_view code_or_name) const;

  // The police district holding the point, zero-padded to three digits
  // as the Chicago records write it ("017"); empty when none does.
  // Thread-safe.
  std::string DistrictAt(double lat, double lon) const;

  size_t municipality_count() const { return municipalities_.size(); }
  size_t district_count() const;

 private:
  class Layer;

  void LoadHierarchy(const std::string& path);
  void LoadAliases(const std::string& path);
  void LoadMunicipalities(const std::string& path);

  std::vector<Municipality> municipalities_;  // by code
  std::map<std::string, size_t> by_code_;
  std::map<std::string, size_t> by_name_;  // folded name or alias
  std::unique_ptr<Layer> municipality_layer_;
  std::unique_ptr<Layer> district_layer_;
};

// A place name folded for comparison: lower case, accents of the Latin
// alphabets dropped ("â" -> "a", "ĳ" -> "ij"), apostrophes, dots, commas
// and brackets removed, dashes and runs of white space made one space,
// trimmed.  "'s-Gravenhage" -> "s gravenhage".
std::string FoldPlaceName(std::string_view name);

}  // namespace slagboom::core

#endif  // SLAGBOOM_CORE_REGIONS_H_
