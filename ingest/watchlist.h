// The plates to watch for: the keyed hashes (plate_key) of alerts that
// are firing or updated and whose key is a plate.  Ingest keeps it from
// the rules part's alert stream, so the two talk only over the bus.
//
// The list and the last alert event applied are kept in ingest's SQLite
// file (tables anpr_watchlist and anpr_cursor), so a restart resumes the
// alert stream where it stopped.  Thread-safe; Contains never waits for
// the disk.
#ifndef SLAGBOOM_INGEST_WATCHLIST_H_
#define SLAGBOOM_INGEST_WATCHLIST_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "broker/bus.h"
#include "core/sqlite.h"
#include "core/status.h"

namespace slagboom::ingest {

class Watchlist {
 public:
  // Lets a set of keys look a string_view up without copying it.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>()(s);
    }
  };

  using KeySet = std::unordered_set<std::string, KeyHash, std::equal_to<>>;

  // Opens (creating its tables in) the SQLite file at `path`, normally
  // ingest.db, and loads the list.  Throws std::runtime_error (start-up).
  explicit Watchlist(const std::string& path);

  // Applies one event of the alert stream: a firing or updated alert with
  // key_kind "plate" puts its key on the list, a resolved one takes it
  // off (a key stays while any alert holds it).  Persists the change and
  // the event's seq as the cursor in one transaction.  kInvalid for a
  // payload that is not an alert; the cursor still moves past it.
  core::Status HandleAlertEvent(const broker::Event& event);

  // The same for one alert without the stream (tools and tests).
  void Put(const std::string& alert_id, const std::string& plate_key);
  void Remove(const std::string& alert_id);

  bool Contains(std::string_view plate_key) const;
  // The watched keys now, and a number that changes whenever they do:
  // a reader on a hot path keeps a copy and takes it again when
  // version() moves (read version() first).
  KeySet Keys() const;
  uint64_t version() const { return version_.load(); }
  size_t size() const;
  // The last alert event applied; a subscriber resumes after it.
  uint64_t Cursor() const;

 private:
  // REQUIRES: db_mu_ held, inside a transaction.
  void PutLocked(const std::string& alert_id, const std::string& plate_key);
  void RemoveLocked(const std::string& alert_id);

  mutable std::mutex db_mu_;
  core::Database db_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::string> by_alert_;  // id -> key
  // key -> how many alerts hold it
  std::unordered_map<std::string, int, KeyHash, std::equal_to<>> keys_;
  uint64_t cursor_ = 0;
  std::atomic<uint64_t> version_{0};
};

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_WATCHLIST_H_
