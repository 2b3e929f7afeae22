// Vehicle plates: one spelling per vehicle, and a keyed hash to correlate
// on without carrying the plate itself.
#ifndef SLAGBOOM_CORE_PLATE_H_
#define SLAGBOOM_CORE_PLATE_H_

#include <optional>
#include <string>
#include <string_view>

namespace slagboom::core {

// Normalises a plate as written ("12-zzx-4", " 12–ZZX–4 ") with its
// country ("NL", "nl", "" for unknown) to "CC:PLATE": upper case, spaces,
// dots and dashes of every kind removed.  German plates keep one '-' per
// separator, since its place tells districts apart (B-NO-1234 is Berlin,
// BN-O-1234 Bonn).  An unknown country becomes "XX", which never merges
// with a known one.  Returns nullopt and sets *error on an empty plate, a
// character that is not a letter or digit, or a country that is not two
// letters.
//
// Per country the plate must have a shape of that country, whatever
// separators it is written with: NL one of the sidecodes 1-14 (99-XX-99,
// 9-XXX-99, X-999-XX, ...); DE district (1-3 letters), 1-2 letters, 1-4
// digits and an optional E or H, written with the separator after the
// district ("B-NO1234" becomes "B-NO-1234"); FR AB-123-CD or the older
// 123-ABC-75; RO B-123-ABC or CJ-12-ABC; BG CA-1234-AB (Cyrillic look-
// alikes read as Latin); LT ABC-123; PL a 2-3 letter district and 4-5
// characters (6-8 in all, a digit among them).  BE (1-ABC-123 and older
// forms) and every other country: at most 10 letters and digits.
std::optional<std::string> NormalisePlate(std::string_view plate,
                                          std::string_view country,
                                          std::string* error);

// HMAC-SHA256 of `value` under `key`, as the first 32 hex digits: the
// pseudonym used to correlate plates in rules, alerts and logs.
std::string KeyedHash(std::string_view key, std::string_view value);

// Reads the secret at `path`, creating it with 32 random bytes and mode
// 0600 when it does not exist.  Throws std::runtime_error when the file
// cannot be read or made (start-up only).
std::string LoadOrCreateKey(const std::string& path);

}  // namespace slagboom::core

#endif  // SLAGBOOM_CORE_PLATE_H_
