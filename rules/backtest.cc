#include "rules/backtest.h"

#include <date/date.h>
#include <date/iso_week.h>
#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "rules/packed_string.h"

namespace slagboom::rules {

using nlohmann::json;

size_t SeenIds::Home(const Packed& p, size_t mask) {
  return static_cast<size_t>((p.low ^ (p.low >> 29)) * 0x9e3779b97f4a7c15ULL >>
                             17) &
         mask;
}

bool SeenIds::Parse(const std::string& id, Packed* p) {
  uint16_t high;
  uint64_t low;
  if (!ParseIngestId(id, &high, &low)) return false;
  p->low = low;
  p->high = high | uint64_t{1} << 63;
  return true;
}

bool SeenIds::Insert(const std::string& id) {
  Packed p;
  if (!Parse(id, &p)) return others_.insert(id).second;
  if ((used_ + 1) * 2 > size_) Resize(std::max<size_t>(1024, size_ * 2));
  const size_t mask = size_ - 1;
  size_t i = Home(p, mask);
  while (slots_[i].high != 0) {
    if (slots_[i].low == p.low && slots_[i].high == p.high) return false;
    i = (i + 1) & mask;
  }
  slots_[i] = p;
  ++used_;
  return true;
}

void SeenIds::Prefetch(const std::string& id) const {
  Packed p;
  if (size_ == 0 || !Parse(id, &p)) return;
  __builtin_prefetch(&slots_[Home(p, size_ - 1)]);
}

void SeenIds::Reserve(size_t n) {
  size_t size = 1024;
  while (size < 2 * n) size *= 2;
  if (size > size_) Resize(size);
}

void SeenIds::Resize(size_t size) {
  constexpr size_t kHugePage = size_t{2} << 20;
  const size_t old_size = size_;
  std::unique_ptr<Packed[], FreeSlots> old = std::move(slots_);
  size_ = size;
  const size_t bytes = size_ * sizeof(Packed);
  // Advice before the first touch, or the kernel maps small pages; a
  // kernel without huge pages ignores it.
  void* block = bytes >= kHugePage ? std::aligned_alloc(kHugePage, bytes)
                                   : std::malloc(bytes);
  if (block == nullptr) throw std::bad_alloc();
  if (bytes >= kHugePage) madvise(block, bytes, MADV_HUGEPAGE);
  std::memset(block, 0, bytes);
  slots_.reset(static_cast<Packed*>(block));
  const size_t mask = size_ - 1;
  for (size_t k = 0; k < old_size; ++k) {
    const Packed& p = old[k];
    if (p.high == 0) continue;
    size_t i = Home(p, mask);
    while (slots_[i].high != 0) i = (i + 1) & mask;
    slots_[i] = p;
  }
}

Backtest::Backtest(const config::RulesConfig& config,
                   const core::RegionIndex* regions)
    : engine_(config, regions) {
  engine_.set_report_added(false);
}

void Backtest::Feed(const std::vector<core::Incident>& incidents,
                    const std::function<void(size_t)>& progress) {
  // Each id lands in a random slot of a table far larger than the cache,
  // and an incident's id and plate key are blocks of their own: asking
  // for them ahead (the incident first, then its strings, then the slot
  // they name) hides the waits for memory.
  constexpr size_t kAhead = 16;
  constexpr size_t kLine = 64;
  seen_.Reserve(incidents_ + duplicates_ + incidents.size());
  for (size_t i = 0; i < incidents.size(); ++i) {
    if (i + 3 * kAhead < incidents.size()) {
      const char* bytes =
          reinterpret_cast<const char*>(&incidents[i + 3 * kAhead]);
      for (size_t at = 0; at < sizeof(core::Incident); at += kLine)
        __builtin_prefetch(bytes + at);
    }
    if (i + 2 * kAhead < incidents.size()) {
      const core::Incident& later = incidents[i + 2 * kAhead];
      __builtin_prefetch(later.id.data());
      if (later.vehicle) __builtin_prefetch(later.vehicle->plate_key.data());
    }
    if (i + kAhead < incidents.size())
      seen_.Prefetch(incidents[i + kAhead].id);
    Feed(incidents[i]);
    if (progress) progress(i + 1);
  }
}

void Backtest::Feed(const core::Incident& incident) {
  if (!seen_.Insert(incident.id)) {
    ++duplicates_;
    return;
  }
  ++incidents_;
  for (Alert& alert : engine_.Process(incident).changes) {
    if (alert.withdrawn) {
      alerts_.erase(alert.id);
    } else {
      alerts_[alert.id] = std::move(alert);
    }
  }
}

std::string IsoWeek(core::Instant t) {
  const auto day = std::chrono::floor<date::days>(t);
  const iso_week::year_weeknum_weekday w{day};
  return fmt::format("{}-W{:02}", static_cast<int>(w.year()),
                     static_cast<unsigned>(w.weeknum()));
}

json BacktestReport(const Backtest& backtest, const config::RulesConfig& config,
                    const Feedback& feedback) {
  struct PerRule {
    int alerts = 0;
    int confirmed = 0;
    int false_positive = 0;
  };
  std::map<std::string, PerRule> rules;
  for (const config::RuleConfig& r : config.rules) {
    if (r.enabled) rules[r.id];
  }
  std::map<std::pair<std::string, std::string>, int> regions, weeks;
  json alerts = json::array();
  for (const auto& [id, alert] : backtest.alerts()) {
    PerRule& per = rules[alert.rule_id];
    ++per.alerts;
    auto verdict = feedback.find(id);
    if (verdict != feedback.end() && verdict->second == "confirmed")
      ++per.confirmed;
    if (verdict != feedback.end() && verdict->second == "false_positive")
      ++per.false_positive;
    for (const std::string& region : alert.regions)
      ++regions[{alert.rule_id, region}];
    ++weeks[{alert.rule_id, IsoWeek(alert.first_at)}];
    alerts.push_back(AlertToJson(alert));
  }

  json report = {{"incidents", backtest.incidents()},
                 {"late", backtest.late()},
                 {"duplicates", backtest.duplicates()},
                 {"alerts", alerts},
                 {"rules", json::array()},
                 {"regions", json::array()},
                 {"weeks", json::array()}};
  for (const auto& [rule, per] : rules) {
    const int judged = per.confirmed + per.false_positive;
    json precision = nullptr;
    if (judged > 0) precision = static_cast<double>(per.confirmed) / judged;
    report["rules"].push_back({{"rule", rule},
                               {"alerts", per.alerts},
                               {"confirmed", per.confirmed},
                               {"false_positive", per.false_positive},
                               {"precision", precision}});
  }
  for (const auto& [k, n] : regions) {
    report["regions"].push_back(
        {{"rule", k.first}, {"region", k.second}, {"alerts", n}});
  }
  for (const auto& [k, n] : weeks) {
    report["weeks"].push_back(
        {{"rule", k.first}, {"week", k.second}, {"alerts", n}});
  }
  return report;
}

std::string FormatBacktestReport(const json& report) {
  std::string out = fmt::format(
      "incidents={} late={} duplicates={} alerts={}\n\n",
      report["incidents"].get<uint64_t>(), report["late"].get<uint64_t>(),
      report["duplicates"].get<uint64_t>(), report["alerts"].size());
  out += fmt::format("{:<24} {:>6} {:>9} {:>9} {:>9}\n", "rule", "alerts",
                     "confirmed", "false_pos", "precision");
  for (const json& r : report["rules"]) {
    std::string precision =
        r["precision"].is_null()
            ? "-"
            : fmt::format("{:.2f}", r["precision"].get<double>());
    out += fmt::format("{:<24} {:>6} {:>9} {:>9} {:>9}\n",
                       r["rule"].get<std::string>(), r["alerts"].get<int>(),
                       r["confirmed"].get<int>(),
                       r["false_positive"].get<int>(), precision);
  }
  out += fmt::format("\n{:<24} {:<12} {:>6}\n", "rule", "week", "alerts");
  for (const json& w : report["weeks"]) {
    out += fmt::format("{:<24} {:<12} {:>6}\n", w["rule"].get<std::string>(),
                       w["week"].get<std::string>(), w["alerts"].get<int>());
  }
  out += fmt::format("\n{:<24} {:<26} {:>6}\n", "rule", "region", "alerts");
  for (const json& g : report["regions"]) {
    out += fmt::format("{:<24} {:<26} {:>6}\n", g["rule"].get<std::string>(),
                       g["region"].get<std::string>(), g["alerts"].get<int>());
  }
  return out;
}

}  // namespace slagboom::rules
