// Arrival orders for exactness tests: the same items in many orders, so
// that a rule can be shown to give the same alerts in each.
#ifndef SLAGBOOM_TESTS_SUPPORT_ARRIVAL_ORDERS_H_
#define SLAGBOOM_TESTS_SUPPORT_ARRIVAL_ORDERS_H_

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace slagboom::testing {

// Every rotation of `items` and its reverse (so the reverse of time too),
// then `shuffles` shuffles drawn from `seed`: the same list on every run.
template <typename T>
std::vector<std::vector<T>> ArrivalOrders(const std::vector<T>& items,
                                          int shuffles, uint32_t seed) {
  std::vector<std::vector<T>> orders;
  for (size_t r = 0; r < items.size(); ++r) {
    auto o = items;
    std::rotate(o.begin(), o.begin() + static_cast<long>(r), o.end());
    orders.push_back(o);
    std::reverse(o.begin(), o.end());
    orders.push_back(o);
  }
  for (int k = 0; k < shuffles; ++k) {
    auto o = items;
    for (size_t i = o.empty() ? 0 : o.size() - 1; i > 0; --i) {
      seed = seed * 1664525u + 1013904223u;
      std::swap(o[i], o[seed % (i + 1)]);
    }
    orders.push_back(o);
  }
  return orders;
}

}  // namespace slagboom::testing

#endif  // SLAGBOOM_TESTS_SUPPORT_ARRIVAL_ORDERS_H_
