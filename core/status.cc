#include "core/status.h"

namespace slagboom::core {

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = message_;
  for (const FieldError& e : details_) {
    out += out.empty() ? "" : "; ";
    out += e.field + ": " + e.problem;
  }
  return out;
}

}  // namespace slagboom::core
