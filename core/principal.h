// Who is calling: the identity and role a bearer token stands for.
#ifndef SLAGBOOM_CORE_PRINCIPAL_H_
#define SLAGBOOM_CORE_PRINCIPAL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/incident.h"

namespace slagboom::core {

enum class Role {
  kReporter,    // a retailer or store: reports incidents
  kPartner,     // a barrier partner: reports in its own steps only
  kPolice,      // police dispatch: sees everything, acknowledges alerts
  kShopkeeper,  // receives area warnings: sees only what its profile allows
  kAdmin,       // operates the installation
};

std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Principal {
  std::string name;  // the token's name: becomes the incident's reporter
  Role role = Role::kReporter;
  std::vector<Step> steps;  // kPartner: the steps it may report
  // Regions the token is scoped to (the alert stream shows only alerts
  // touching one of them); empty: every region.
  std::vector<std::string> regions;
};

// Turns the value of an Authorization header ("Bearer <token>") into the
// principal it stands for, or nullopt when it stands for none.
// Implementations are thread-safe.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual std::optional<Principal> Authenticate(
      std::string_view authorization_header) = 0;
};

}  // namespace slagboom::core

#endif  // SLAGBOOM_CORE_PRINCIPAL_H_
