#include "ingest/token_store.h"

#include <catch2/catch.hpp>

#include "core/time_util.h"
#include "tests/support/child_process.h"

namespace slagboom::ingest {
namespace {

using core::Role;
using core::Step;

struct Fixture {
  testing::TempDir dir;
  TokenStore store{dir.path + "/ingest.db"};
  core::Instant now =
      core::ParseTimestamp("2025-06-12T12:00:00Z", "UTC", nullptr)->instant;

  std::string Make(const std::string& name, Role role,
                   std::vector<Step> steps = {}) {
    std::string token;
    REQUIRE(store.Create({name, role, std::move(steps)}, now, &token).ok());
    return token;
  }
};

TEST_CASE_METHOD(Fixture, "a token stands for its name, role and steps",
                 "[ingest]") {
  const std::string token =
      Make("rental-co", Role::kPartner, {Step::kStay, Step::kStorage});
  auto who = store.Authenticate("Bearer " + token);
  REQUIRE(who);
  CHECK(who->name == "rental-co");
  CHECK(who->role == Role::kPartner);
  CHECK(who->steps == std::vector<Step>{Step::kStay, Step::kStorage});
  CHECK(store.Authenticate("bearer " + token));
  CHECK_FALSE(store.Authenticate(token));
  CHECK_FALSE(store.Authenticate("Bearer " + token + "x"));
  CHECK_FALSE(store.Authenticate("Bearer "));
}

TEST_CASE_METHOD(Fixture, "tokens are stored as hashes, never in clear",
                 "[ingest]") {
  const std::string token = Make("shop-1", Role::kReporter);
  core::Database db(dir.path + "/ingest.db", core::Database::Durability::kFull);
  auto q = db.Prepare("SELECT token_hash FROM tokens");
  REQUIRE(q.Step());
  CHECK(q.Text(0) != token);
  CHECK(q.Text(0).size() == 64);
  CHECK(q.Text(0).find(token) == std::string::npos);
}

TEST_CASE_METHOD(Fixture, "a revoked token is refused at once", "[ingest]") {
  const std::string token = Make("shop-1", Role::kReporter);
  REQUIRE(store.Revoke("shop-1", now).ok());
  CHECK_FALSE(store.Authenticate("Bearer " + token));
  CHECK(store.Revoke("shop-1", now).code() == core::Status::Code::kNotFound);
  // The name is free again; the list keeps both, the old one revoked.
  Make("shop-1", Role::kReporter);
  auto all = store.List();
  REQUIRE(all.size() == 2);
  CHECK(all[0].revoked_at == now);
  CHECK_FALSE(all[1].revoked_at);
}

TEST_CASE_METHOD(Fixture, "token names are unique and steps are for partners",
                 "[ingest]") {
  Make("shop-1", Role::kReporter);
  std::string token;
  CHECK(store.Create({"shop-1", Role::kPolice, {}}, now, &token).code() ==
        core::Status::Code::kConflict);
  auto steps = store.Create({"x", Role::kReporter, {Step::kStay}}, now, &token);
  REQUIRE(steps.code() == core::Status::Code::kInvalid);
  CHECK(steps.details()[0].field == "steps");
  CHECK(
      store.Create({"p", Role::kPartner, {}}, now, &token).details()[0].field ==
      "steps");
  CHECK(
      store.Create({"a b", Role::kAdmin, {}}, now, &token).details()[0].field ==
      "name");
  CHECK(token.empty());
}

TEST_CASE("steps are read from a comma list", "[ingest]") {
  CHECK(SplitSteps("stay, storage") ==
        std::vector<Step>{Step::kStay, Step::kStorage});
  CHECK(SplitSteps("")->empty());
  CHECK_FALSE(SplitSteps("stay,shopping"));
  CHECK(JoinSteps({Step::kStay, Step::kStorage}) == "stay,storage");
}

}  // namespace
}  // namespace slagboom::ingest
