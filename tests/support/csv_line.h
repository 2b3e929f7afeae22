// Splits one line of a plain comma-separated file whose quoted fields may
// hold commas but no line breaks (the Chicago export), for tests that work
// out expected values on their own, apart from the product's CSV reader.
#ifndef SLAGBOOM_TESTS_SUPPORT_CSV_LINE_H_
#define SLAGBOOM_TESTS_SUPPORT_CSV_LINE_H_

#include <string>
#include <vector>

namespace slagboom::testing {

inline std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

}  // namespace slagboom::testing

#endif  // SLAGBOOM_TESTS_SUPPORT_CSV_LINE_H_
