// Bearer tokens and what they stand for, in a table of ingest.db.  Only
// the SHA-256 of a token is kept; the token itself is shown once, when it
// is created.  Thread-safe.
#ifndef SLAGBOOM_INGEST_TOKEN_STORE_H_
#define SLAGBOOM_INGEST_TOKEN_STORE_H_

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/principal.h"
#include "core/sqlite.h"
#include "core/status.h"

namespace slagboom::ingest {

// A token as `token list` shows it: never the token itself.
struct TokenInfo {
  core::Principal principal;
  core::Instant created_at{};
  std::optional<core::Instant> revoked_at;
};

class TokenStore : public core::Authenticator {
 public:
  // Opens or creates the tokens table in the database at `path`.  Throws
  // std::runtime_error (start-up).
  explicit TokenStore(const std::string& path);

  // Makes a new token for `principal` and returns it in *token.  The name
  // is 1 to 64 characters of [A-Za-z0-9._@-] and unique among tokens not
  // revoked (kConflict otherwise); only a partner has steps, and a partner
  // has at least one (kInvalid otherwise, naming the field).
  core::Status Create(const core::Principal& principal, core::Instant now,
                      std::string* token);

  // Revokes the live token named `name`; kNotFound when there is none.
  // Takes effect for the next request.
  core::Status Revoke(const std::string& name, core::Instant now);

  // Every token, revoked ones included, oldest first.
  std::vector<TokenInfo> List();

  // core::Authenticator: "Bearer <token>" of a live token.
  std::optional<core::Principal> Authenticate(
      std::string_view authorization_header) override;

 private:
  std::mutex mu_;
  core::Database db_;
};

// "stay,storage" from steps, and back; nullopt on an unknown step name.
std::string JoinSteps(const std::vector<core::Step>& steps);
std::optional<std::vector<core::Step>> SplitSteps(std::string_view text);

// A token's region scope, "a,b" from regions and back (blanks dropped).
std::string JoinRegions(const std::vector<std::string>& regions);
std::vector<std::string> SplitRegions(std::string_view text);

}  // namespace slagboom::ingest

#endif  // SLAGBOOM_INGEST_TOKEN_STORE_H_
