#include "rules/packed_string.h"

#include <deque>
#include <mutex>
#include <unordered_map>

#include "core/digest.h"

namespace slagboom::rules {
namespace {

constexpr std::string_view kIdPrefix = "inc_";
constexpr size_t kIdDigits = 20;

// Strings too long to hold in place that are not ingest ids.  Never
// shrinks: a pooled string may be read at any time.
class Pool {
 public:
  uint32_t Intern(std::string_view text) {
    std::lock_guard lock(mu_);
    auto it = index_.find(text);
    if (it != index_.end()) return it->second;
    const auto n = static_cast<uint32_t>(texts_.size());
    texts_.emplace_back(text);
    index_.emplace(texts_.back(), n);
    return n;
  }

  std::string At(uint32_t n) {
    std::lock_guard lock(mu_);
    return texts_[n];
  }

 private:
  std::mutex mu_;
  std::deque<std::string> texts_;  // keeps addresses for the index's views
  std::unordered_map<std::string_view, uint32_t> index_;
};

Pool& ThePool() {
  static Pool* pool = new Pool;  // never destroyed: used until exit
  return *pool;
}

}  // namespace

uint32_t InternText(std::string_view text) {
  return ThePool().Intern(text);
}

std::string InternedText(uint32_t n) { return ThePool().At(n); }

bool ParseIngestId(std::string_view text, uint16_t* high, uint64_t* low) {
  if (text.size() != kIdPrefix.size() + kIdDigits ||
      text.substr(0, kIdPrefix.size()) != kIdPrefix)
    return false;
  const auto* digits =
      reinterpret_cast<const unsigned char*>(text.data() + kIdPrefix.size());
  uint64_t h = 0, l = 0;
  unsigned bad = 0;  // any byte that is not a digit sets bits here
  for (size_t i = 0; i < 4; ++i) {
    const uint8_t v = kHexDigitValue[digits[i]];
    bad |= v;
    h = h << 4 | (v & 0xf);
  }
  for (size_t i = 4; i < kIdDigits; ++i) {
    const uint8_t v = kHexDigitValue[digits[i]];
    bad |= v;
    l = l << 4 | (v & 0xf);
  }
  if (bad > 0xf) return false;
  *high = static_cast<uint16_t>(h);
  *low = l;
  return true;
}

PackedString::PackedString(std::string_view text) {
  if (text.size() <= kInlineMax) {
    std::memcpy(bytes_, text.data(), text.size());
    bytes_[kTag] = static_cast<char>(text.size());
    return;
  }
  uint16_t h = 0;
  uint64_t l = 0;
  if (ParseIngestId(text, &h, &l)) {
    std::memcpy(bytes_, &l, sizeof(l));
    std::memcpy(bytes_ + sizeof(l), &h, sizeof(h));
    bytes_[kTag] = kHexId;
    return;
  }
  const uint32_t n = InternText(text);
  std::memcpy(bytes_, &n, sizeof(n));
  bytes_[kTag] = kPooled;
}

uint64_t PackedString::low() const {
  uint64_t l;
  std::memcpy(&l, bytes_, sizeof(l));
  return l;
}

uint16_t PackedString::high() const {
  uint16_t h;
  std::memcpy(&h, bytes_ + sizeof(uint64_t), sizeof(h));
  return h;
}

std::string PackedString::str() const {
  if (is_inline()) return std::string(inline_view());
  if (bytes_[kTag] == kPooled) {
    uint32_t n;
    std::memcpy(&n, bytes_, sizeof(n));
    return InternedText(n);
  }
  // The number's 10 bytes, most significant first, as the digits were.
  unsigned char number[kIdDigits / 2];
  const uint64_t h = high(), l = low();
  for (size_t i = 0; i < 2; ++i) number[i] = (h >> (8 * (1 - i))) & 0xff;
  for (size_t i = 0; i < 8; ++i) number[2 + i] = (l >> (8 * (7 - i))) & 0xff;
  return std::string(kIdPrefix) + core::Hex(number, sizeof(number));
}

bool operator<(const PackedString& a, const PackedString& b) {
  // Ids of the same length and digits of one case: the numbers order them
  // as their text.
  if (a.bytes_[PackedString::kTag] == PackedString::kHexId &&
      b.bytes_[PackedString::kTag] == PackedString::kHexId) {
    return a.high() != b.high() ? a.high() < b.high() : a.low() < b.low();
  }
  if (a.is_inline() && b.is_inline()) return a.inline_view() < b.inline_view();
  return a.str() < b.str();
}

}  // namespace slagboom::rules
