#include "core/plate.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <initializer_list>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/digest.h"

namespace slagboom::core {
namespace {

// UTF-8 dashes people paste from word processors: hyphen, non-breaking
// hyphen, figure dash, en dash, em dash, minus sign.
constexpr std::string_view kDashes[] = {"\u2010", "\u2011", "\u2012",
                                        "\u2013", "\u2014", "\u2212"};

std::string AsciiDashes(std::string_view in) {
  std::string out(in);
  for (std::string_view dash : kDashes) {
    for (size_t pos; (pos = out.find(dash)) != std::string::npos;)
      out.replace(pos, dash.size(), "-");
  }
  return out;
}

bool IsSeparator(char c) { return c == '-' || c == ' ' || c == '.'; }

// Cyrillic capitals that Bulgarian plates share with Latin ones (А В Е К
// М Н О Р С Т У Х), written either way by people: read as Latin.
constexpr std::pair<std::string_view, char> kCyrillic[] = {
    {"\u0410", 'A'}, {"\u0412", 'B'}, {"\u0415", 'E'}, {"\u041a", 'K'},
    {"\u041c", 'M'}, {"\u041d", 'H'}, {"\u041e", 'O'}, {"\u0420", 'P'},
    {"\u0421", 'C'}, {"\u0422", 'T'}, {"\u0423", 'Y'}, {"\u0425", 'X'},
    {"\u0430", 'A'}, {"\u0432", 'B'}, {"\u0435", 'E'}, {"\u043a", 'K'},
    {"\u043c", 'M'}, {"\u043d", 'H'}, {"\u043e", 'O'}, {"\u0440", 'P'},
    {"\u0441", 'C'}, {"\u0442", 'T'}, {"\u0443", 'Y'}, {"\u0445", 'X'}};

std::string LatinLookalikes(std::string text) {
  for (const auto& [cyrillic, latin] : kCyrillic) {
    for (size_t pos; (pos = text.find(cyrillic)) != std::string::npos;)
      text.replace(pos, cyrillic.size(), 1, latin);
  }
  return text;
}

// The plate's shape: 'L' for a letter, 'D' for a digit, one per
// character, separators left out ("12ZZX4" is "DDLLLD").
std::string Shape(std::string_view plate) {
  std::string shape;
  for (char c : plate) {
    if (c == '-') continue;
    shape += std::isdigit(static_cast<unsigned char>(c)) ? 'D' : 'L';
  }
  return shape;
}

bool OneOf(const std::string& shape,
           std::initializer_list<std::string_view> shapes) {
  for (std::string_view s : shapes) {
    if (shape == s) return true;
  }
  return false;
}

// The Dutch sidecodes 1 to 14 (RDW), as shapes: 99-XX-99 is "DDLLDD".
bool DutchShape(const std::string& shape) {
  return OneOf(shape, {"LLDDDD", "DDDDLL", "DDLLDD", "LLDDLL", "LLLLDD",
                       "DDLLLL", "DDLLLD", "DLLLDD", "LLDDDL", "LDDDLL",
                       "LLLDDL", "LDDLLL", "DLLDDD", "DDDLLD"});
}

// German: district (1-3 letters), recognition letters (1-2), number
// (1-4 digits), then E (electric) or H (historic) may follow.  The body
// keeps a '-' at each separator; a plate needs the one after the
// district, which is what tells B-NO from BN-O.
bool GermanPlate(const std::string& body, std::string* canonical) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : body + '-') {
    if (c != '-') {
      part += c;
      continue;
    }
    parts.push_back(part);
    part.clear();
  }
  if (parts.size() < 2 || parts.size() > 3) return false;
  if (parts.size() == 2) {
    // "B-NO1234": split the letters from the digits.
    const std::string& rest = parts[1];
    size_t digit = rest.find_first_of("0123456789");
    if (digit == std::string::npos || digit == 0) return false;
    parts = {parts[0], rest.substr(0, digit), rest.substr(digit)};
  }
  const std::string district = Shape(parts[0]);
  const std::string letters = Shape(parts[1]);
  std::string number = parts[2];
  if (!number.empty() && (number.back() == 'E' || number.back() == 'H'))
    number.pop_back();
  const std::string digits = Shape(number);
  const bool ok = OneOf(district, {"L", "LL", "LLL"}) &&
                  OneOf(letters, {"L", "LL"}) &&
                  OneOf(digits, {"D", "DD", "DDD", "DDDD"});
  if (ok) *canonical = parts[0] + '-' + parts[1] + '-' + parts[2];
  return ok;
}

// Checks `body` (upper case, one '-' per separator run) for `cc`; sets
// *out to what is kept after "CC:", or *error.
bool CountryRule(const std::string& cc, const std::string& body,
                 std::string* out, std::string* error) {
  std::string bare;
  for (char c : body) {
    if (c != '-') bare += c;
  }
  const std::string shape = Shape(body);
  auto refuse = [error](std::string_view why) {
    if (error) *error = std::string(why);
    return false;
  };
  *out = bare;
  if (cc == "DE") {
    return GermanPlate(body, out) ||
           refuse("not a German plate: district-letters-number (B-NO 1234)");
  }
  if (cc == "NL") {
    return DutchShape(shape) ||
           refuse("not a Dutch plate: no sidecode fits (e.g. 12-ZZX-4)");
  }
  if (cc == "FR") {
    // SIV (AB-123-CD) or the older FNI (123 ABC 75, 2A and 2B for Corsica).
    static const std::regex kFni("D{1,4}L{1,3}D[DL]");
    const bool fni = std::regex_match(shape, kFni);
    return shape == "LLDDDLL" || fni ||
           refuse("not a French plate (AB-123-CD)");
  }
  if (cc == "RO") {
    // Bucharest B-12-ABC / B-123-ABC, the counties CJ-12-ABC.
    return OneOf(shape, {"LDDLLL", "LDDDLLL", "LLDDLLL"}) ||
           refuse("not a Romanian plate (B-123-ABC, CJ-12-ABC)");
  }
  if (cc == "BG") {
    // Province (1-2 letters), 4 digits, series (1-2 letters): CA 1234 AB.
    return OneOf(shape, {"LDDDDL", "LDDDDLL", "LLDDDDL", "LLDDDDLL"}) ||
           refuse("not a Bulgarian plate (CA 1234 AB)");
  }
  if (cc == "LT") {
    return OneOf(shape, {"LLLDDD", "DDDLLL", "LLDDD"}) ||
           refuse("not a Lithuanian plate (ABC 123)");
  }
  if (cc == "PL") {
    // A district of 2 or 3 letters, then 4 or 5 characters.
    const bool district = shape.size() >= 6 && shape.size() <= 8 &&
                          shape[0] == 'L' && shape[1] == 'L';
    const bool has_digit = shape.find('D') != std::string::npos;
    return (district && has_digit) || refuse("not a Polish plate (WA 12345)");
  }
  // Belgium (1-ABC-123 today, older and personal plates besides), and
  // every other country: letters and digits, at most 10.
  return bare.size() <= 10 || refuse("a plate has at most 10 characters");
}

}  // namespace

std::optional<std::string> NormalisePlate(std::string_view plate,
                                          std::string_view country,
                                          std::string* error) {
  std::string cc;
  for (char c : country) cc += static_cast<char>(std::toupper(c));
  if (cc.empty()) cc = "XX";
  if (cc.size() != 2 || !std::isalpha(cc[0]) || !std::isalpha(cc[1])) {
    if (error) *error = "country must be a two-letter code";
    return std::nullopt;
  }

  std::string text = AsciiDashes(plate);
  if (cc == "BG") text = LatinLookalikes(std::move(text));
  // Upper case, one '-' wherever the writer put separators.
  std::string body;
  bool pending_separator = false;
  for (char c : text) {
    if (IsSeparator(c)) {
      pending_separator = !body.empty();
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      if (error) *error = "a plate holds only letters, digits and separators";
      return std::nullopt;
    }
    if (pending_separator) body += '-';
    pending_separator = false;
    body += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (body.empty()) {
    if (error) *error = "empty plate";
    return std::nullopt;
  }
  std::string kept;
  if (!CountryRule(cc, body, &kept, error)) return std::nullopt;
  return cc + ":" + kept;
}

std::string KeyedHash(std::string_view key, std::string_view value) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac,
       &len);
  return Hex(mac, std::min<size_t>(16, len));
}

std::string LoadOrCreateKey(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::ostringstream buf;
    buf << in.rdbuf();
    if (buf.str().size() < 16)
      throw std::runtime_error(fmt::format("key file {} is too short", path));
    return buf.str();
  }
  unsigned char key[32];
  if (RAND_bytes(key, sizeof key) != 1)
    throw std::runtime_error("no randomness for a new key");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    throw std::runtime_error(fmt::format("cannot create key file {}", path));
  bool ok = ::write(fd, key, sizeof key) == sizeof key && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok)
    throw std::runtime_error(fmt::format("cannot write key file {}", path));
  return std::string(reinterpret_cast<char*>(key), sizeof key);
}

}  // namespace slagboom::core
