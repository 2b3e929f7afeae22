// How many plate-camera reads one core matches against the watchlist per
// second, next to how many HMAC-SHA256s the same core computes: the
// machine's own limit for a match that hashes every plate.
//
//   build/bench/anpr_bench [--reads N] [--plates N]
//
// Runs on one thread pinned to one CPU.  Prints one line per figure and
// the ratios; docs/benchmarks.md explains them.
#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sched.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/plate.h"
#include "ingest/anpr_matcher.h"

namespace slagboom::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kKey[] = "bench-key-of-32-bytes-not-secret";

// Dutch-looking plates as a camera writes them, "12-ZZX-4" and the like.
std::vector<std::string> MakePlates(size_t n, std::mt19937_64& rng) {
  const char* letters = "BDFGHJKLNPRSTVXZ";
  std::vector<std::string> plates;
  plates.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    plates.push_back(fmt::format("{:02}-{}{}{}-{}", rng() % 100,
                                 letters[rng() % 16], letters[rng() % 16],
                                 letters[rng() % 16], rng() % 10));
  }
  return plates;
}

// Calls `body(i)` for i in [0, n) and returns the calls per second.
template <typename Body>
double Rate(size_t n, Body body) {
  auto start = Clock::now();
  for (size_t i = 0; i < n; ++i) body(i);
  std::chrono::duration<double> took = Clock::now() - start;
  return n / took.count();
}

struct Options {
  size_t reads = 4'000'000;
  size_t plates = 50'000;  // distinct vehicles in the stream
};

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--reads") == 0) o.reads = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--plates") == 0)
      o.plates = std::stoul(argv[i + 1]);
  }
  return o;
}

void PinToOneCpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0)
    fmt::print("note: could not pin to CPU 0; running unpinned\n");
}

int Run(const Options& o) {
  PinToOneCpu();
  std::mt19937_64 rng(42);
  const std::vector<std::string> fleet = MakePlates(o.plates, rng);
  const std::vector<std::string> unique = MakePlates(o.reads, rng);

  // A stream of reads: vehicles of the fleet, in random order.
  std::vector<ingest::AnprRead> stream(o.reads);
  for (size_t i = 0; i < o.reads; ++i) {
    stream[i].plate = fleet[rng() % fleet.size()];
    stream[i].country = "NL";
  }
  std::vector<ingest::AnprRead> all_new(o.reads);
  for (size_t i = 0; i < o.reads; ++i) {
    all_new[i].plate = unique[i];
    all_new[i].country = "NL";
  }

  // The machine's limit: OpenSSL's one-shot HMAC-SHA256 of each plate.
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const double raw = Rate(o.reads, [&](size_t i) {
    HMAC(EVP_sha256(), kKey, sizeof kKey - 1,
         reinterpret_cast<const unsigned char*>(unique[i].data()),
         unique[i].size(), mac, &len);
  });
  // The same with the key schedule made once and reused (EVP_MAC): the
  // fastest an HMAC per read can go on this core.
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(hmac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(kKey),
               sizeof kKey - 1, params);
  size_t out_len = 0;
  const double reused = Rate(o.reads, [&](size_t i) {
    EVP_MAC_init(ctx, nullptr, 0, nullptr);
    EVP_MAC_update(ctx,
                   reinterpret_cast<const unsigned char*>(unique[i].data()),
                   unique[i].size());
    EVP_MAC_final(ctx, mac, &out_len, sizeof mac);
  });
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(hmac);
  const double keyed = Rate(o.reads, [&](size_t i) {
    std::string k = core::KeyedHash(kKey, unique[i]);
    if (k.empty()) std::abort();
  });

  // The matcher as ingest runs it, with a watchlist of 1,000 plates.
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "slagboom-anpr-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  core::SystemClock clock;
  ingest::IncidentStore store((dir / "ingest.db").string());
  ingest::IngestService service(config::IngestConfig{}, store, nullptr, clock,
                                kKey);
  ingest::Watchlist watchlist((dir / "ingest.db").string());
  for (size_t i = 0; i < 1000; ++i) {
    auto plate =
        core::NormalisePlate(fleet[i * 7 % fleet.size()], "NL", nullptr);
    watchlist.Put(fmt::format("alert-{}", i), core::KeyedHash(kKey, *plate));
  }

  size_t hits = 0;
  std::string key;
  ingest::AnprMatcher cold(service, watchlist, kKey, 1 << 16);
  const double cold_rate =
      Rate(o.reads, [&](size_t i) { hits += cold.Watched(all_new[i], &key); });
  ingest::AnprMatcher warm(service, watchlist, kKey, 1 << 16);
  for (const std::string& plate : fleet) {  // a day of traffic before
    ingest::AnprRead read{"", plate, "NL", {}, 0, 0};
    warm.Watched(read, &key);
  }
  const uint64_t hits_before = warm.cache().hits();
  const uint64_t misses_before = warm.cache().misses();
  const double warm_rate =
      Rate(o.reads, [&](size_t i) { hits += warm.Watched(stream[i], &key); });
  const uint64_t cache_hits = warm.cache().hits() - hits_before;
  const uint64_t cache_misses = warm.cache().misses() - misses_before;
  std::filesystem::remove_all(dir);

  fmt::print("anpr watchlist matching, one core, {} reads\n", o.reads);
  fmt::print("  limit  HMAC-SHA256 one-shot (OpenSSL HMAC)  {:>10.0f} /s\n",
             raw);
  fmt::print("  limit  HMAC-SHA256, key schedule reused     {:>10.0f} /s\n",
             reused);
  fmt::print("         core::KeyedHash (one-shot + hex)     {:>10.0f} /s\n",
             keyed);
  fmt::print(
      "  match  every plate new (all cache misses)   {:>10.0f} /s"
      "  {:.2f} x one-shot  {:.2f} x reused\n",
      cold_rate, cold_rate / raw, cold_rate / reused);
  fmt::print(
      "  match  {} vehicles, cache of 65,536     {:>10.0f} /s"
      "  {:.2f} x one-shot  {:.2f} x reused\n",
      o.plates, warm_rate, warm_rate / raw, warm_rate / reused);
  fmt::print("         cache hits {:.2f}%, watchlist hits {}\n",
             100.0 * cache_hits / double(cache_hits + cache_misses), hits);
  fmt::print("  target 1,000,000 reads/s: {}\n",
             warm_rate >= 1e6 ? "met" : "NOT met");
  return 0;
}

}  // namespace
}  // namespace slagboom::bench

int main(int argc, char** argv) {
  return slagboom::bench::Run(slagboom::bench::ParseArgs(argc, argv));
}
