#include "ingest/token_store.h"

#include <fmt/format.h>

#include "core/digest.h"

namespace slagboom::ingest {
namespace {

// A name is unique among live tokens only, so a revoked name can be given
// out again.
constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  steps TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS tokens_live_name
  ON tokens (name) WHERE revoked_at IS NULL;
)sql";

constexpr char kPrefix[] = "sbt_";
constexpr size_t kTokenBytes = 32;
constexpr size_t kMaxName = 64;

int64_t Millis(core::Instant t) { return t.time_since_epoch().count(); }

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > kMaxName) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != '@' && c != '-')
      return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool StartsWithBearer(std::string_view header) {
  constexpr std::string_view kBearer = "bearer ";
  if (header.size() <= kBearer.size()) return false;
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kBearer[i])
      return false;
  }
  return true;
}

std::string HashToken(std::string_view token) { return core::Sha256Hex(token); }

}  // namespace

std::string JoinSteps(const std::vector<core::Step>& steps) {
  std::string out;
  for (core::Step s : steps) {
    if (!out.empty()) out += ',';
    out += core::StepName(s);
  }
  return out;
}

std::optional<std::vector<core::Step>> SplitSteps(std::string_view text) {
  std::vector<core::Step> steps;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
    if (item.empty()) continue;
    auto step = core::ParseStep(item);
    if (!step) return std::nullopt;
    steps.push_back(*step);
  }
  return steps;
}

std::string JoinRegions(const std::vector<std::string>& regions) {
  std::string out;
  for (const std::string& r : regions) {
    if (!out.empty()) out += ',';
    out += r;
  }
  return out;
}

std::vector<std::string> SplitRegions(std::string_view text) {
  std::vector<std::string> regions;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
    if (!item.empty()) regions.emplace_back(item);
  }
  return regions;
}

TokenStore::TokenStore(const std::string& path)
    : db_(path, core::Database::Durability::kFull) {
  db_.Exec(kSchema);
  // Files made before tokens had a region scope get the column.
  bool has_regions = false;
  auto columns = db_.Prepare("PRAGMA table_info(tokens)");
  while (columns.Step()) has_regions |= columns.Text(1) == "regions";
  if (!has_regions)
    db_.Exec("ALTER TABLE tokens ADD COLUMN regions TEXT NOT NULL DEFAULT ''");
}

core::Status TokenStore::Create(const core::Principal& principal,
                                core::Instant now, std::string* token) {
  std::vector<core::FieldError> errors;
  if (!ValidName(principal.name))
    errors.push_back({"name", "1 to 64 of A-Z a-z 0-9 . _ @ -"});
  const bool partner = principal.role == core::Role::kPartner;
  if (partner && principal.steps.empty())
    errors.push_back({"steps", "a partner needs at least one step"});
  if (!partner && !principal.steps.empty())
    errors.push_back({"steps", "only a partner has steps"});
  if (!errors.empty())
    return core::Status::Invalid("invalid token", std::move(errors));

  std::lock_guard<std::mutex> lock(mu_);
  auto live =
      db_.Prepare("SELECT 1 FROM tokens WHERE name = ? AND revoked_at IS NULL");
  live.Bind(1, principal.name);
  if (live.Step()) {
    return core::Status::Conflict(
        fmt::format("a live token named '{}' exists", principal.name));
  }
  std::string secret = kPrefix + core::RandomHex(kTokenBytes);
  auto insert = db_.Prepare(
      "INSERT INTO tokens (name, token_hash, role, steps, created_at, "
      "regions) VALUES (?, ?, ?, ?, ?, ?)");
  insert.Bind(1, principal.name)
      .Bind(2, HashToken(secret))
      .Bind(3, core::RoleName(principal.role))
      .Bind(4, JoinSteps(principal.steps))
      .Bind(5, Millis(now))
      .Bind(6, JoinRegions(principal.regions));
  insert.Run();
  *token = std::move(secret);
  return core::Status::Ok();
}

core::Status TokenStore::Revoke(const std::string& name, core::Instant now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto update = db_.Prepare(
      "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL");
  update.Bind(1, Millis(now)).Bind(2, name);
  update.Run();
  if (db_.Changes() == 0) {
    return core::Status::NotFound(
        fmt::format("no live token named '{}'", name));
  }
  return core::Status::Ok();
}

std::vector<TokenInfo> TokenStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  auto q = db_.Prepare(
      "SELECT name, role, steps, created_at, revoked_at, regions FROM tokens "
      "ORDER BY id");
  std::vector<TokenInfo> out;
  while (q.Step()) {
    TokenInfo info;
    info.principal.name = q.Text(0);
    info.principal.role =
        core::ParseRole(q.Text(1)).value_or(core::Role::kReporter);
    info.principal.steps =
        SplitSteps(q.Text(2)).value_or(std::vector<core::Step>{});
    info.created_at = core::Instant(core::Duration(q.Int(3)));
    if (!q.IsNull(4)) info.revoked_at = core::Instant(core::Duration(q.Int(4)));
    info.principal.regions = SplitRegions(q.Text(5));
    out.push_back(std::move(info));
  }
  return out;
}

std::optional<core::Principal> TokenStore::Authenticate(
    std::string_view authorization_header) {
  if (!StartsWithBearer(authorization_header)) return std::nullopt;
  std::string_view token = Trim(authorization_header.substr(7));
  if (token.empty()) return std::nullopt;

  std::lock_guard<std::mutex> lock(mu_);
  auto q = db_.Prepare(
      "SELECT name, role, steps, regions FROM tokens "
      "WHERE token_hash = ? AND revoked_at IS NULL");
  q.Bind(1, HashToken(token));
  if (!q.Step()) return std::nullopt;
  auto role = core::ParseRole(q.Text(1));
  auto steps = SplitSteps(q.Text(2));
  if (!role || !steps) return std::nullopt;  // a row no Create wrote
  return core::Principal{q.Text(0), *role, std::move(*steps),
                         SplitRegions(q.Text(3))};
}

}  // namespace slagboom::ingest
