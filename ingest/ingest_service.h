// The way in for every report, from the API and from CSV imports alike:
// validate, normalise, commit durably, then publish on the bus.
// Thread-safe.
#ifndef SLAGBOOM_INGEST_INGEST_SERVICE_H_
#define SLAGBOOM_INGEST_INGEST_SERVICE_H_

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "broker/bus.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/incident.h"
#include "core/regions.h"
#include "ingest/incident_store.h"

namespace slagboom::ingest {

struct Submitted {
  core::Status status;                // kInvalid (422), kConflict (409) or ok
  std::vector<CommitResult> results;  // one per incident when ok
};

class IngestService {
 public:
  // `publisher` may be null (tools that only store).  `plate_key` is the
  // secret for plate pseudonyms.
  IngestService(const config::IngestConfig& config, IncidentStore& store,
                broker::Publisher* publisher, const core::Clock& clock,
                std::string plate_key);

  // From now on, fills in a report's municipality (as its CBS code),
  // safety region and police unit from the municipality it names or else
  // from its point; an unknown municipality is refused on
  // location.municipality, a point in no known region is accepted with
  // location.region_status "outside".  Reports that carry a region of
  // their source's own (a Chicago district) are left as they are.  Null
  // turns this off.  REQUIRES: called before the first Validate;
  // `regions` outlives the service.
  void set_regions(const core::RegionIndex* regions) { regions_ = regions; }

  // Parses and normalises one report of `reporter` from `source` ("api",
  // "import:chicago").  Field names in errors are prefixed with `prefix`
  // ("[3]." for the fourth element of an array).
  core::Status Validate(const nlohmann::json& body, const std::string& reporter,
                        const std::string& source, const std::string& prefix,
                        core::Incident* out) const;

  // Validates all bodies, then commits them all or nothing: one invalid
  // body or one reused report id stores nothing.
  Submitted Submit(const std::vector<nlohmann::json>& bodies,
                   const std::string& reporter, const std::string& source);

  // Commits already validated incidents; conflicting ones are left out
  // (for imports, where each row stands alone).
  std::vector<CommitResult> CommitEach(std::vector<core::Incident>& incidents);

  IncidentStore& store() { return store_; }
  uint64_t accepted() const { return accepted_; }
  uint64_t rejected() const { return rejected_; }
  uint64_t duplicates() const { return duplicates_; }

 private:
  core::Status ResolveRegion(core::Location* location) const;
  void Publish(const core::Incident& incident, const std::string& doc);
  void Count(const std::vector<CommitResult>& results);

  config::IngestConfig config_;
  IncidentStore& store_;
  broker::Publisher* publisher_;
  const core::Clock& clock_;
  std::string plate_key_;
  const core::RegionIndex* regions_ = nullptr;
  IncidentStore::OnStored on_stored_;  // Publish, or empty without publisher
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> duplicates_{0};
};

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_INGEST_SERVICE_H_
