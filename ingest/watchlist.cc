#include "ingest/watchlist.h"

#include <nlohmann/json.hpp>

namespace slagboom::ingest {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS anpr_watchlist (
  alert_id TEXT PRIMARY KEY,
  plate_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS anpr_cursor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL
);
INSERT OR IGNORE INTO anpr_cursor (id, seq) VALUES (1, 0);
)sql";

}  // namespace

Watchlist::Watchlist(const std::string& path)
    : db_(path, core::Database::Durability::kFull) {
  db_.Exec(kSchema);
  auto rows = db_.Prepare("SELECT alert_id, plate_key FROM anpr_watchlist");
  while (rows.Step()) {
    by_alert_[rows.Text(0)] = rows.Text(1);
    ++keys_[rows.Text(1)];
  }
  auto cursor = db_.Prepare("SELECT seq FROM anpr_cursor WHERE id = 1");
  if (cursor.Step()) cursor_ = static_cast<uint64_t>(cursor.Int(0));
}

core::Status Watchlist::HandleAlertEvent(const broker::Event& event) {
  auto j = nlohmann::json::parse(event.payload, nullptr, false);
  std::lock_guard<std::mutex> lock(db_mu_);
  core::Transaction txn(db_);
  core::Status status = core::Status::Ok();
  if (j.is_object() && j.contains("id") && j["id"].is_string()) {
    const std::string id = j["id"];
    const std::string state = j.value("state", "");
    const bool watch = j.value("key_kind", "") == "plate" &&
                       (state == "firing" || state == "updated") &&
                       !j.value("key", "").empty();
    if (watch) {
      PutLocked(id, j.value("key", ""));
    } else {
      RemoveLocked(id);
    }
  } else {
    status = core::Status::Invalid("alert event without an alert id");
  }
  auto set = db_.Prepare("UPDATE anpr_cursor SET seq = ? WHERE id = 1");
  set.Bind(1, static_cast<int64_t>(event.seq)).Run();
  txn.Commit();
  std::unique_lock<std::shared_mutex> write(mu_);
  cursor_ = event.seq;
  return status;
}

void Watchlist::Put(const std::string& alert_id, const std::string& plate_key) {
  std::lock_guard<std::mutex> lock(db_mu_);
  core::Transaction txn(db_);
  PutLocked(alert_id, plate_key);
  txn.Commit();
}

void Watchlist::Remove(const std::string& alert_id) {
  std::lock_guard<std::mutex> lock(db_mu_);
  core::Transaction txn(db_);
  RemoveLocked(alert_id);
  txn.Commit();
}

void Watchlist::PutLocked(const std::string& alert_id,
                          const std::string& plate_key) {
  RemoveLocked(alert_id);
  auto insert = db_.Prepare(
      "INSERT INTO anpr_watchlist (alert_id, plate_key) VALUES (?, ?)");
  insert.Bind(1, alert_id).Bind(2, plate_key).Run();
  std::unique_lock<std::shared_mutex> write(mu_);
  by_alert_[alert_id] = plate_key;
  ++keys_[plate_key];
  ++version_;
}

void Watchlist::RemoveLocked(const std::string& alert_id) {
  auto erase = db_.Prepare("DELETE FROM anpr_watchlist WHERE alert_id = ?");
  erase.Bind(1, alert_id).Run();
  std::unique_lock<std::shared_mutex> write(mu_);
  auto it = by_alert_.find(alert_id);
  if (it == by_alert_.end()) return;
  auto key = keys_.find(it->second);
  if (--key->second == 0) keys_.erase(key);
  by_alert_.erase(it);
  ++version_;
}

bool Watchlist::Contains(std::string_view plate_key) const {
  std::shared_lock<std::shared_mutex> read(mu_);
  return keys_.find(plate_key) != keys_.end();
}

Watchlist::KeySet Watchlist::Keys() const {
  std::shared_lock<std::shared_mutex> read(mu_);
  KeySet keys;
  for (const auto& [key, count] : keys_) keys.insert(key);
  return keys;
}

size_t Watchlist::size() const {
  std::shared_lock<std::shared_mutex> read(mu_);
  return keys_.size();
}

uint64_t Watchlist::Cursor() const {
  std::shared_lock<std::shared_mutex> read(mu_);
  return cursor_;
}

}  // namespace slagboom::ingest
