#include "ingest/access.h"

#include <catch2/catch.hpp>

namespace slagboom::ingest {
namespace {

using core::Role;
using core::Step;
using nlohmann::json;

TEST_CASE("a partner reports only in its steps", "[ingest]") {
  core::Principal partner{"rental-co", Role::kPartner, {Step::kStay}};
  CHECK(CheckMayReport(partner, {{{"step", "stay"}}}).ok());
  core::Status one = CheckMayReport(partner, {json::object()});
  REQUIRE_FALSE(one.ok());
  CHECK(one.details()[0].field == "step");
  core::Status many =
      CheckMayReport(partner, {{{"step", "stay"}}, {{"step", "storage"}}});
  REQUIRE(many.details().size() == 1);
  CHECK(many.details()[0].field == "[1].step");
}

TEST_CASE("a shopkeeper may not report, other roles may", "[ingest]") {
  json body = {{"step", "storage"}};
  CHECK_FALSE(CheckMayReport({"bakery", Role::kShopkeeper, {}}, {body}).ok());
  CHECK(CheckMayReport({"shop", Role::kReporter, {}}, {body}).ok());
  CHECK(CheckMayReport({"dispatch", Role::kPolice, {}}, {body}).ok());
  CHECK(CheckMayReport({"ops", Role::kAdmin, {}}, {body}).ok());
}

TEST_CASE("only police and admin see personal data", "[ingest]") {
  CHECK(SeesPersonalData({"d", Role::kPolice, {}}));
  CHECK(SeesPersonalData({"o", Role::kAdmin, {}}));
  CHECK_FALSE(SeesPersonalData({"s", Role::kReporter, {}}));
  CHECK_FALSE(SeesPersonalData({"p", Role::kPartner, {Step::kStay}}));
  CHECK_FALSE(SeesPersonalData({"b", Role::kShopkeeper, {}}));

  json inc = {{"description", "two men"},
              {"vehicle", {{"plate", "NL:12ZZX4"}, {"plate_key", "ab12"}}},
              {"suspects", {{"count", 2}, {"descriptions", {"red jacket"}}}}};
  RedactIncident(&inc);
  CHECK(inc == json{{"vehicle", {{"plate_key", "ab12"}}},
                    {"suspects", {{"count", 2}}}});
}

}  // namespace
}  // namespace slagboom::ingest
