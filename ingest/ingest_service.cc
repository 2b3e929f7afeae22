#include "ingest/ingest_service.h"

#include <spdlog/spdlog.h>

#include "core/plate.h"

namespace slagboom::ingest {

using core::Status;

IngestService::IngestService(const config::IngestConfig& config,
                             IncidentStore& store, broker::Publisher* publisher,
                             const core::Clock& clock, std::string plate_key)
    : config_(config),
      store_(store),
      publisher_(publisher),
      clock_(clock),
      plate_key_(std::move(plate_key)) {
  // The stored document is the event's payload: no second serialisation.
  if (publisher_ != nullptr) {
    on_stored_ = [this](const core::Incident& inc, const std::string& doc) {
      Publish(inc, doc);
    };
  }
}

Status IngestService::Validate(const nlohmann::json& body,
                               const std::string& reporter,
                               const std::string& source,
                               const std::string& prefix,
                               core::Incident* out) const {
  core::ValidationContext ctx;
  ctx.default_zone = config_.default_zone;
  ctx.offences = config_.offences;
  ctx.now = clock_.Now();
  ctx.future_tolerance = config_.future_tolerance;
  Status status = core::ParseIncident(body, ctx, out);
  if (status.ok()) status = ResolveRegion(&out->location);
  if (!status.ok()) {
    if (prefix.empty()) return status;
    std::vector<core::FieldError> details = status.details();
    for (core::FieldError& e : details) e.field = prefix + e.field;
    return Status::Invalid(status.message(), std::move(details));
  }
  out->reporter = reporter;
  out->source = source;
  out->received_at = ctx.now;
  if (out->vehicle && !out->vehicle->plate.empty())
    out->vehicle->plate_key = core::KeyedHash(plate_key_, out->vehicle->plate);
  return Status::Ok();
}

Submitted IngestService::Submit(const std::vector<nlohmann::json>& bodies,
                                const std::string& reporter,
                                const std::string& source) {
  std::vector<core::Incident> incidents(bodies.size());
  std::vector<core::FieldError> problems;
  for (size_t i = 0; i < bodies.size(); ++i) {
    std::string prefix = bodies.size() > 1 ? fmt::format("[{}].", i) : "";
    Status s = Validate(bodies[i], reporter, source, prefix, &incidents[i]);
    if (!s.ok()) {
      if (s.details().empty()) problems.push_back({prefix, s.message()});
      for (const core::FieldError& e : s.details()) problems.push_back(e);
    }
  }
  if (!problems.empty()) {
    rejected_ += bodies.size();
    return {Status::Invalid("invalid incident", std::move(problems)), {}};
  }

  auto results =
      store_.CommitWithDocs(incidents, /*all_or_nothing=*/true, on_stored_);
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].outcome == Outcome::kConflict) {
      rejected_ += bodies.size();
      // The key may have come as the Idempotency-Key header: it is the
      // report_id all the same.
      const std::string field =
          (bodies.size() > 1 ? fmt::format("[{}].", i) : "") + "report_id";
      return {Status::Conflict(
                  fmt::format(
                      "report_id '{}' was used before for a different report",
                      incidents[i].report_id),
                  {{field,
                    "used before for a different report: send that report "
                    "unchanged, or this one under a new key"}}),
              {}};
    }
  }
  Count(results);
  return {Status::Ok(), std::move(results)};
}

std::vector<CommitResult> IngestService::CommitEach(
    std::vector<core::Incident>& incidents) {
  auto results =
      store_.CommitWithDocs(incidents, /*all_or_nothing=*/false, on_stored_);
  Count(results);
  return results;
}

Status IngestService::ResolveRegion(core::Location* loc) const {
  if (regions_ == nullptr || !loc->region.empty()) return Status::Ok();
  // An index without municipalities (their files missing) judges no name.
  const bool knows_municipalities = regions_->municipality_count() > 0;
  const core::Municipality* m = nullptr;
  if (!loc->municipality.empty()) {
    if (!knows_municipalities) return Status::Ok();
    m = regions_->FindMunicipality(loc->municipality);
    if (m == nullptr) {
      return Status::Invalid(
          "invalid incident",
          {{"location.municipality",
            fmt::format("unknown municipality '{}'", loc->municipality)}});
    }
  } else if (loc->lat && loc->lon) {
    m = regions_->MunicipalityAt(*loc->lat, *loc->lon);
    if (m == nullptr) {
      loc->region = regions_->DistrictAt(*loc->lat, *loc->lon);
      if (loc->region.empty() &&
          (knows_municipalities || regions_->district_count() > 0))
        loc->region_status = "outside";
      return Status::Ok();
    }
  } else {
    return Status::Ok();
  }
  loc->municipality = m->code;
  if (loc->safety_region.empty()) loc->safety_region = m->safety_region;
  if (loc->police_unit.empty()) loc->police_unit = m->police_unit;
  return Status::Ok();
}

void IngestService::Publish(const core::Incident& incident,
                            const std::string& doc) {
  publisher_->Publish({broker::kIncidentTopic, incident.seq, doc});
}

void IngestService::Count(const std::vector<CommitResult>& results) {
  size_t stored = 0, dup = 0, conflict = 0;
  for (const CommitResult& r : results) {
    stored += r.outcome == Outcome::kStored;
    dup += r.outcome == Outcome::kDuplicate;
    conflict += r.outcome == Outcome::kConflict;
  }
  accepted_ += stored;
  duplicates_ += dup;
  rejected_ += conflict;
  if (stored > 0) {
    spdlog::debug("ingest committed stored={} duplicates={} last_seq={}",
                  stored, dup, results.back().seq);
  }
}

}  // namespace slagboom::ingest
