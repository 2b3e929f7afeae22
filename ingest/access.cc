#include "ingest/access.h"

#include <fmt/format.h>

#include <algorithm>

namespace slagboom::ingest {

core::Status CheckMayReport(const core::Principal& who,
                            const std::vector<nlohmann::json>& bodies) {
  if (who.role == core::Role::kShopkeeper) {
    return core::Status::Invalid(
        "a shopkeeper token may not report",
        {{"token", fmt::format("role {} receives warnings only",
                               core::RoleName(who.role))}});
  }
  if (who.role != core::Role::kPartner) return core::Status::Ok();

  std::vector<core::FieldError> denied;
  for (size_t i = 0; i < bodies.size(); ++i) {
    const nlohmann::json& body = bodies[i];
    std::string name = "offence";
    if (body.is_object() && body.contains("step") && body["step"].is_string())
      name = body["step"].get<std::string>();
    auto step = core::ParseStep(name);
    // An unknown step is left to validation, which names it as invalid.
    if (!step) continue;
    if (std::find(who.steps.begin(), who.steps.end(), *step) != who.steps.end())
      continue;
    const std::string field =
        bodies.size() > 1 ? fmt::format("[{}].step", i) : "step";
    denied.push_back({field, fmt::format("partner '{}' may not report step {}",
                                         who.name, name)});
  }
  if (denied.empty()) return core::Status::Ok();
  return core::Status::Invalid("a step outside this partner's steps",
                               std::move(denied));
}

bool SeesPersonalData(const core::Principal& who) {
  return who.role == core::Role::kPolice || who.role == core::Role::kAdmin;
}

void RedactIncident(nlohmann::json* incident) {
  if (!incident->is_object()) return;
  incident->erase("description");
  auto vehicle = incident->find("vehicle");
  if (vehicle != incident->end() && vehicle->is_object())
    vehicle->erase("plate");
  auto suspects = incident->find("suspects");
  if (suspects != incident->end() && suspects->is_object())
    suspects->erase("descriptions");
}

}  // namespace slagboom::ingest
