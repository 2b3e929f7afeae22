// A correlation key held in 32 bytes with no allocation of its own, for the
// tables a rule keeps by key.  A key is mostly a plate key (32 hex digits,
// one of its own for nearly every plate): held as a std::string it costs a
// block of its own, and each lookup reads that block as well as the table.
//
// Three forms, chosen by the text alone, so equal keys have equal bytes:
//   - up to 31 characters: the characters themselves;
//   - 32 lowercase hex digits: the 128-bit number;
//   - anything else: its number in the process-wide pool of long texts
//     (InternText), which keeps each once; keys that long are names (a
//     reporter, a place), of which there are few.
#ifndef SLAGBOOM_RULES_PACKED_KEY_H_
#define SLAGBOOM_RULES_PACKED_KEY_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace slagboom::rules {

class PackedKey {
 public:
  PackedKey() = default;  // ""
  explicit PackedKey(std::string_view text);

  std::string str() const;

  friend bool operator==(const PackedKey& a, const PackedKey& b) {
    return std::memcmp(a.bytes_, b.bytes_, sizeof(a.bytes_)) == 0;
  }
  friend bool operator!=(const PackedKey& a, const PackedKey& b) {
    return !(a == b);
  }

  // For Abseil's hash tables.
  template <typename H>
  friend H AbslHashValue(H h, const PackedKey& key) {
    return H::combine_contiguous(std::move(h), key.bytes_,
                                 sizeof(key.bytes_));
  }

 private:
  static constexpr size_t kTag = 31;        // the byte that tells the form
  static constexpr size_t kInlineMax = 31;  // tag 0-31: the length
  static constexpr char kHex = 0x40;        // bytes 0-15: the number
  static constexpr char kPooled = 0x41;     // bytes 0-3: the pool number

  char bytes_[32] = {};
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_PACKED_KEY_H_
