#include "rules/alert_store.h"

#include "rules/rules_service.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/time_util.h"

namespace slagboom::rules {
namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("slagboom-rules-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string File() const { return (path / "rules.db").string(); }
};

config::RulesConfig Rules() {
  config::RuleConfig r;
  r.id = "plate-multi-unit";
  r.key = "plate";
  r.window = std::chrono::hours(48);
  r.min_count = 3;
  r.min_regions = 3;
  r.region_level = "police_unit";
  config::RulesConfig rules;
  rules.rules = {r};
  return rules;
}

core::Incident Sighting(const std::string& id, uint64_t seq,
                        const std::string& when, const std::string& unit) {
  core::Incident inc;
  inc.id = id;
  inc.seq = seq;
  inc.occurred_at = core::ParseTimestamp(when, "UTC", nullptr)->instant;
  inc.offence = "shoplifting";
  inc.location.police_unit = unit;
  inc.vehicle = core::Vehicle{};
  inc.vehicle->plate_key = "k1";
  return inc;
}

TEST_CASE("a restart keeps the windows and fires nothing again", "[rules]") {
  TempDir tmp;
  {
    AlertStore store(tmp.File());
    Engine engine(Rules());
    auto a = Sighting("a", 1, "2025-06-10T10:00:00Z", "RE01");
    auto b = Sighting("b", 2, "2025-06-10T11:00:00Z", "RE03");
    store.Apply(1, engine, engine.Process(a));
    store.Apply(2, engine, engine.Process(b));
  }
  AlertStore store(tmp.File());
  CHECK(store.LoadState().cursor == 2);
  Engine engine(Rules());
  store.LoadInto(engine);
  auto c = Sighting("c", 3, "2025-06-10T12:00:00Z", "RE05");
  auto events = store.Apply(3, engine, engine.Process(c));
  REQUIRE(events.size() == 1);
  CHECK(events[0].seq == 1);
  CHECK(events[0].alert.incidents.size() == 3);

  Engine again(Rules());
  store.LoadInto(again);
  auto d = Sighting("d", 4, "2025-06-10T13:00:00Z", "RE07");
  auto more = store.Apply(4, again, again.Process(d));
  REQUIRE(more.size() == 1);
  CHECK(more[0].alert.state == AlertState::kUpdated);
  CHECK(more[0].alert.id == events[0].alert.id);
  CHECK(store.AlertCount() == 1);
}

TEST_CASE("a batch of incidents is stored as they would be one by one",
          "[rules]") {
  TempDir tmp;
  std::vector<core::Incident> incs = {
      Sighting("a", 1, "2025-06-10T10:00:00Z", "RE01"),
      Sighting("b", 2, "2025-06-10T11:00:00Z", "RE03"),
      Sighting("c", 3, "2025-06-10T12:00:00Z", "RE05"),
      Sighting("d", 4, "2025-06-10T13:00:00Z", "RE07")};
  std::vector<AlertEvent> one_by_one;
  {
    AlertStore store((tmp.path / "single.db").string());
    Engine engine(Rules());
    for (const core::Incident& inc : incs) {
      auto events = store.Apply(inc.seq, engine, engine.Process(inc));
      one_by_one.insert(one_by_one.end(), events.begin(), events.end());
    }
  }
  {
    AlertStore store(tmp.File());
    Engine engine(Rules());
    std::vector<std::pair<uint64_t, Outcome>> outcomes;
    for (const core::Incident& inc : incs)
      outcomes.emplace_back(inc.seq, engine.Process(inc));
    std::vector<AlertEvent> batch = store.Apply(engine, outcomes);
    REQUIRE(batch.size() == one_by_one.size());
    REQUIRE(batch.size() == 2);  // fired with c, updated with d
    for (size_t i = 0; i < batch.size(); ++i) {
      CHECK(batch[i].seq == one_by_one[i].seq);
      CHECK(AlertToJson(batch[i].alert) == AlertToJson(one_by_one[i].alert));
    }
  }
  AlertStore store(tmp.File());
  CHECK(store.LoadState().cursor == 4);
  CHECK(store.AlertCount() == 1);
  CHECK(store.ReadFrom(1, 10).size() == 2);
}

TEST_CASE("the rules part takes incident events one at a time or in a batch",
          "[rules]") {
  TempDir tmp;
  auto event = [](const core::Incident& inc) {
    return broker::Event{broker::kIncidentTopic, inc.seq,
                         core::IncidentToJson(inc).dump()};
  };
  AlertStore store(tmp.File());
  RulesService service(Rules(), store, nullptr);
  service.Handle(event(Sighting("a", 1, "2025-06-10T10:00:00Z", "RE01")));
  CHECK(service.cursor() == 1);
  service.Handle(std::vector<broker::Event>{
      event(Sighting("a", 1, "2025-06-10T10:00:00Z", "RE01")),  // again
      event(Sighting("b", 2, "2025-06-10T11:00:00Z", "RE03")),
      {broker::kIncidentTopic, 3, "not json"},  // skipped, counted
      event(Sighting("c", 4, "2025-06-10T12:00:00Z", "RE05"))});
  CHECK(service.cursor() == 4);
  CHECK(service.processed() == 4);
  CHECK(service.alerts_fired() == 1);
  CHECK(store.LoadState().cursor == 4);
  REQUIRE(store.ReadFrom(1, 10).size() == 1);
}

TEST_CASE("alert events replay in order from any sequence number", "[rules]") {
  TempDir tmp;
  AlertStore store(tmp.File());
  Engine engine(Rules());
  uint64_t seq = 0;
  for (const char* unit : {"RE01", "RE02", "RE03", "RE04"}) {
    ++seq;
    store.Apply(seq, engine,
                engine.Process(Sighting(
                    "i" + std::to_string(seq), seq,
                    "2025-06-10T1" + std::to_string(seq) + ":00:00Z", unit)));
  }
  auto events = store.ReadFrom(1, 10);
  REQUIRE(events.size() == 2);  // fired at the third, updated at the fourth
  CHECK(events[0].seq == 1);
  CHECK(events[1].seq == 2);
  CHECK(store.ReadFrom(2, 10).size() == 1);
  CHECK(store.ReadFrom(3, 10).empty());
}

}  // namespace
}  // namespace slagboom::rules
