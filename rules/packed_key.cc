#include "rules/packed_key.h"

#include "core/digest.h"
#include "rules/packed_string.h"

namespace slagboom::rules {
namespace {

constexpr size_t kHexDigits = 32;

}  // namespace

PackedKey::PackedKey(std::string_view text) {
  if (text.size() <= kInlineMax) {
    std::memcpy(bytes_, text.data(), text.size());
    bytes_[kTag] = static_cast<char>(text.size());
    return;
  }
  if (text.size() == kHexDigits) {
    const auto* digits = reinterpret_cast<const unsigned char*>(text.data());
    unsigned char number[kHexDigits / 2];
    unsigned bad = 0;  // any byte that is not a digit sets bits here
    for (size_t i = 0; i < kHexDigits; i += 2) {
      const uint8_t high = kHexDigitValue[digits[i]];
      const uint8_t low = kHexDigitValue[digits[i + 1]];
      bad |= high | low;
      number[i / 2] = static_cast<unsigned char>(high << 4 | (low & 0xf));
    }
    if (bad <= 0xf) {
      std::memcpy(bytes_, number, sizeof(number));
      bytes_[kTag] = kHex;
      return;
    }
  }
  const uint32_t n = InternText(text);
  std::memcpy(bytes_, &n, sizeof(n));
  bytes_[kTag] = kPooled;
}

std::string PackedKey::str() const {
  const auto tag = static_cast<unsigned char>(bytes_[kTag]);
  if (tag <= kInlineMax) return std::string(bytes_, tag);
  if (bytes_[kTag] == kPooled) {
    uint32_t n;
    std::memcpy(&n, bytes_, sizeof(n));
    return InternedText(n);
  }
  return core::Hex(reinterpret_cast<const unsigned char*>(bytes_),
                   kHexDigits / 2);
}

}  // namespace slagboom::rules
