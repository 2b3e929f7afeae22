// The JSON error body every HTTP answer of 400 and up carries:
// {"error": "...", "details": [{"field": "...", "problem": "..."}]}.
#ifndef SLAGBOOM_CORE_API_ERROR_H_
#define SLAGBOOM_CORE_API_ERROR_H_

#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"

namespace slagboom::core {

inline nlohmann::json ErrorJson(const std::string& error,
                                const std::vector<FieldError>& details = {}) {
  nlohmann::json d = nlohmann::json::array();
  for (const FieldError& e : details)
    d.push_back({{"field", e.field}, {"problem", e.problem}});
  return {{"error", error}, {"details", d}};
}

inline nlohmann::json ErrorJson(const Status& status) {
  return ErrorJson(status.message(), status.details());
}

}  // namespace slagboom::core

#endif  // SLAGBOOM_CORE_API_ERROR_H_
