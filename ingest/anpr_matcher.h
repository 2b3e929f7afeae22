// Plate-camera reads against the watchlist: a read of a watched plate
// becomes an `infrastructure` incident, every other read is counted and
// forgotten.
#ifndef SLAGBOOM_INGEST_ANPR_MATCHER_H_
#define SLAGBOOM_INGEST_ANPR_MATCHER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ingest/anpr_read.h"
#include "ingest/ingest_service.h"
#include "ingest/watchlist.h"

namespace slagboom::ingest {

// The keyed hash of a plate, remembered for the `capacity` plates used
// most recently: a camera network sees the same vehicles again and again,
// and the HMAC costs more than the rest of a match together.  Entries are
// keyed on the plate as the camera wrote it and its country, so a hit
// skips normalising too.  Not thread-safe.
class PlateKeyCache {
 public:
  PlateKeyCache(std::string key, size_t capacity);

  // core::KeyedHash(key, NormalisePlate(plate, country)), from the cache
  // when it is there; empty when the plate cannot be normalised (such
  // plates are not cached).  The view is valid until the next call.
  std::string_view KeyOf(std::string_view plate, std::string_view country);

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Slot {
    char key[32];  // the keyed hash, kept in the node: one memory access
    bool used = true;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>()(s);
    }
  };
  using Map = std::unordered_map<std::string, Slot, Hash, std::equal_to<>>;

  // Makes room for one more entry: the clock hand passes entries used
  // since it last came by (and marks them unused) and evicts the first
  // unused one, an approximation of least-recently-used that costs a hit
  // nothing but one flag.
  void Evict();

  std::string key_;
  size_t capacity_;
  std::string probe_;  // reused to build lookups without allocating
  Map map_;
  std::vector<const std::string*> ring_;  // the entries, for the clock
  size_t hand_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

class AnprMatcher {
 public:
  enum class Outcome {
    kDropped,   // not watched: counted, not stored
    kIncident,  // watched: stored as a new incident (or already was)
    kInvalid,   // the plate or country could not be read
    kFailed,    // watched, but the incident was refused
  };

  // `ingest` commits and publishes the incidents; `plate_key` is the
  // secret of plate pseudonyms (as for IngestService).  All must outlive
  // the matcher.
  AnprMatcher(IngestService& ingest, const Watchlist& watchlist,
              std::string plate_key, size_t cache_plates = 1 << 16);

  // True when the read's plate is watched; sets *plate_key to its keyed
  // hash.  The hot path: normalise, hash (cached), look up.  False for an
  // unreadable plate.  Not thread-safe (one matcher per event loop).
  bool Watched(const AnprRead& read, std::string* plate_key);

  // Watched(), then for a watched plate one incident: step
  // infrastructure, tags ["anpr"], source "anpr:<camera>", reporter
  // "anpr", a report_id derived from camera, plate and time so that a
  // repeated read is the same incident.  Sets *incident_id when one was
  // stored or found.  Not thread-safe.
  Outcome Handle(const AnprRead& read, std::string* incident_id);

  // Counters, safe to read from any thread.
  uint64_t reads() const { return reads_; }
  uint64_t matched() const { return matched_; }
  uint64_t dropped() const { return dropped_; }
  uint64_t invalid() const { return invalid_; }
  const PlateKeyCache& cache() const { return cache_; }

 private:
  IngestService& ingest_;
  const Watchlist& watchlist_;
  std::string plate_key_;
  PlateKeyCache cache_;
  // A copy of the watchlist's keys, taken again when its version moves,
  // so that a match takes no lock.
  uint64_t watch_version_ = ~uint64_t{0};
  Watchlist::KeySet watched_;
  std::atomic<uint64_t> reads_{0};
  std::atomic<uint64_t> matched_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> invalid_{0};
};

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_ANPR_MATCHER_H_
