// Hashes and random identifiers.
#ifndef SLAGBOOM_CORE_DIGEST_H_
#define SLAGBOOM_CORE_DIGEST_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace slagboom::core {

// `n` bytes as lower-case hex, two digits each.
std::string Hex(const unsigned char* data, size_t n);

// SHA-256 of `data` as lower-case hex, cut to `hex_digits` (at most 64).
std::string Sha256Hex(std::string_view data, size_t hex_digits = 64);

// `bytes` bytes from the system's secure random source, as hex.
std::string RandomHex(size_t bytes);

}  // namespace slagboom::core

#endif  // SLAGBOOM_CORE_DIGEST_H_
