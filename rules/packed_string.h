// A string held in 16 bytes with no allocation of its own, for what a rule
// keeps of every incident in its windows (its id, region, offence and
// sector), so that an entry copies, moves and frees as plain bytes.
//
// Three forms, chosen by the text alone, so equal strings always have equal
// bytes:
//   - up to 15 characters: the characters themselves;
//   - an incident id as ingest makes it ("inc_" and 20 lowercase hex
//     digits): the 80-bit number;
//   - anything else: an index into a process-wide pool that keeps each
//     such string once, for the life of the process.  Real data never
//     gets here (ids come from ingest, names of places are short); it is
//     what keeps the type total.
//
// Ordering is that of the strings.  Thread-safe: values are immutable and
// the pool is locked.
#ifndef SLAGBOOM_RULES_PACKED_STRING_H_
#define SLAGBOOM_RULES_PACKED_STRING_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace slagboom::rules {

// The 80-bit number of an incident id as ingest makes it ("inc_" and 20
// lowercase hex digits) as (high 16 bits, low 64 bits); false, with
// nothing written, for any other text.
bool ParseIngestId(std::string_view text, uint16_t* high, uint64_t* low);

// The value of each lowercase hex digit, 0xff for any other byte.  A table,
// not comparisons: digits and letters come in random order in ids, and a
// branch on each would be mispredicted a third of the time.
inline constexpr std::array<uint8_t, 256> kHexDigitValue = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0xff);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
  return t;
}();

// Texts too long to hold in place, kept once each for the life of the
// process by number.  Thread-safe.
uint32_t InternText(std::string_view text);
std::string InternedText(uint32_t n);

class PackedString {
 public:
  PackedString() = default;  // ""
  explicit PackedString(std::string_view text);

  std::string str() const;
  bool empty() const { return bytes_[kTag] == 0; }

  friend bool operator==(const PackedString& a, const PackedString& b) {
    return std::memcmp(a.bytes_, b.bytes_, sizeof(a.bytes_)) == 0;
  }
  friend bool operator!=(const PackedString& a, const PackedString& b) {
    return !(a == b);
  }
  friend bool operator<(const PackedString& a, const PackedString& b);

 private:
  static constexpr size_t kTag = 15;         // the byte that tells the form
  static constexpr char kHexId = 0x40;       // bytes 0-9: the 80-bit number
  static constexpr char kPooled = 0x41;      // bytes 0-3: the pool index
  static constexpr size_t kInlineMax = 15;   // tag 0-15: the length

  bool is_inline() const {
    return static_cast<unsigned char>(bytes_[kTag]) <= kInlineMax;
  }
  std::string_view inline_view() const {
    return {bytes_, static_cast<size_t>(bytes_[kTag])};
  }
  // The hex id's number as (high 16 bits, low 64 bits).
  uint64_t low() const;
  uint16_t high() const;

  char bytes_[16] = {};
};

}  // namespace slagboom::rules

#endif  // SLAGBOOM_RULES_PACKED_STRING_H_
