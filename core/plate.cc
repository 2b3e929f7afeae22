#include "core/plate.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

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

  const std::string text = AsciiDashes(plate);
  const bool keep_separators = cc == "DE";
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
    if (pending_separator && keep_separators) body += '-';
    pending_separator = false;
    body += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (body.empty()) {
    if (error) *error = "empty plate";
    return std::nullopt;
  }
  return cc + ":" + body;
}

std::string KeyedHash(std::string_view key, std::string_view value) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac,
       &len);
  std::string hex;
  for (unsigned int i = 0; i < 16 && i < len; ++i)
    hex += fmt::format("{:02x}", mac[i]);
  return hex;
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
