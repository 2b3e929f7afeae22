#include "ingest/anpr_matcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "core/plate.h"
#include "core/time_util.h"

namespace slagboom::ingest {

PlateKeyCache::PlateKeyCache(std::string key, size_t capacity)
    : key_(std::move(key)), capacity_(capacity == 0 ? 1 : capacity) {
  map_.reserve(capacity_);
  ring_.reserve(capacity_);
}

std::string_view PlateKeyCache::KeyOf(std::string_view plate,
                                      std::string_view country) {
  probe_.assign(country);
  probe_ += '\n';
  probe_ += plate;
  if (auto it = map_.find(probe_); it != map_.end()) {
    ++hits_;
    it->second.used = true;
    return std::string_view(it->second.key, sizeof it->second.key);
  }
  ++misses_;
  auto normal = core::NormalisePlate(plate, country, nullptr);
  if (!normal) return {};
  const std::string hash = core::KeyedHash(key_, *normal);
  if (map_.size() >= capacity_) Evict();
  auto [it, inserted] = map_.emplace(probe_, Slot{});
  std::memcpy(it->second.key, hash.data(),
              std::min(hash.size(), sizeof it->second.key));
  if (ring_.size() < capacity_) {
    ring_.push_back(&it->first);
  } else {
    ring_[hand_] = &it->first;
    hand_ = (hand_ + 1) % capacity_;
  }
  return std::string_view(it->second.key, std::min(hash.size(), size_t{32}));
}

void PlateKeyCache::Evict() {
  for (;;) {
    auto it = map_.find(*ring_[hand_]);
    if (!it->second.used) {
      map_.erase(it);  // the slot ring_[hand_] is refilled by the caller
      return;
    }
    it->second.used = false;
    hand_ = (hand_ + 1) % capacity_;
  }
}

AnprMatcher::AnprMatcher(IngestService& ingest, const Watchlist& watchlist,
                         std::string plate_key, size_t cache_plates)
    : ingest_(ingest),
      watchlist_(watchlist),
      plate_key_(plate_key),
      cache_(std::move(plate_key), cache_plates) {}

bool AnprMatcher::Watched(const AnprRead& read, std::string* plate_key) {
  reads_.fetch_add(1, std::memory_order_relaxed);
  const std::string_view key = cache_.KeyOf(read.plate, read.country);
  if (key.empty()) {
    invalid_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (const uint64_t version = watchlist_.version();
      version != watch_version_) {
    watched_ = watchlist_.Keys();
    watch_version_ = version;
  }
  if (watched_.find(key) == watched_.end()) return false;
  *plate_key = key;
  return true;
}

AnprMatcher::Outcome AnprMatcher::Handle(const AnprRead& read,
                                         std::string* incident_id) {
  const uint64_t invalid_before = invalid_;
  std::string key;
  if (!Watched(read, &key)) {
    if (invalid_ != invalid_before) return Outcome::kInvalid;
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return Outcome::kDropped;
  }

  // The plate goes into the report id only through the keyed hash.
  const std::string when = core::FormatInstant(read.time);
  nlohmann::json body = {
      {"report_id",
       "anpr-" +
           core::KeyedHash(plate_key_, read.camera + "\n" + key + "\n" + when)},
      {"occurred_at", when},
      {"step", "infrastructure"},
      {"tags", {"anpr"}},
      {"location", {{"lat", read.lat}, {"lon", read.lon}}},
      {"vehicle", {{"plate", read.plate}, {"country", read.country}}}};
  Submitted s = ingest_.Submit({body}, "anpr", "anpr:" + read.camera);
  if (!s.status.ok()) {
    spdlog::error("anpr camera={} plate_key={} not stored: {}", read.camera,
                  key, s.status.message());
    return Outcome::kFailed;
  }
  matched_.fetch_add(1, std::memory_order_relaxed);
  *incident_id = s.results[0].id;
  spdlog::info("anpr watched plate camera={} plate_key={} incident={}",
               read.camera, key, *incident_id);
  return Outcome::kIncident;
}

}  // namespace slagboom::ingest
