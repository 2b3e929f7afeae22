#include "core/principal.h"

#include <array>

namespace slagboom::core {
namespace {

constexpr std::array<std::string_view, 5> kRoleNames = {
    "reporter", "partner", "police", "shopkeeper", "admin"};

}  // namespace

std::string_view RoleName(Role role) {
  return kRoleNames[static_cast<size_t>(role)];
}

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

}  // namespace slagboom::core
