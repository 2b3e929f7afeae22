// What the notifier remembers beside its outbox, in the same notify.db:
// the latest version of every alert it has seen, acknowledgements,
// feedback for the back-test, silences, what it scheduled for whom (for
// the repeat interval and the rate limit), the escalations it owes and the
// subscribers it knows.
#ifndef SLAGBOOM_NOTIFIER_NOTIFY_STORE_H_
#define SLAGBOOM_NOTIFIER_NOTIFY_STORE_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/sqlite.h"
#include "core/status.h"
#include "rules/alert.h"

namespace slagboom::notifier {

struct StoredAlert {
  rules::Alert alert;
  std::string json;  // the alert as it came off the bus
};

struct Ack {
  std::string alert_id;
  std::string by;
  core::Instant at{};
};

struct Feedback {
  std::string alert_id;
  std::string verdict;  // "confirmed" or "false_positive"
  std::string by;
  core::Instant at{};
};

// Mutes alerts matching every field that is set, until `until`.
struct Silence {
  std::string id;
  std::string rule;
  std::string key;
  std::string region;
  core::Instant until{};
  std::string by;
  core::Instant created_at{};

  bool Matches(const rules::Alert& alert) const;
};

// The last delivery scheduled for a subscriber about one alert.
struct SendRecord {
  int version = 0;
  std::string state;
  int64_t incident_count = 0;
  core::Instant scheduled_at{};
};

struct Escalation {
  std::string alert_id;
  std::string from;
  std::string to;
  core::Instant due_at{};
};

// One alert waiting in a subscriber's group (grouping.h), as that
// subscriber may see it.
struct GroupedAlert {
  std::string alert_id;
  int version = 0;
  std::string json;
};

// A group whose next message is due.
struct DueGroup {
  std::string subscriber_id;
  std::string key;
  int message = 1;  // numbers the group's messages 1, 2, 3, ...
  std::vector<GroupedAlert> alerts;  // by alert id
};

// Thread-safe: every method serialises on the connection it is given,
// which it shares with the Outbox, so that one transaction can span both.
// Database failures throw std::runtime_error, as in Outbox.
class NotifyStore {
 public:
  // Creates the tables on `db` when missing.  Throws (start-up).  `db`,
  // guarded by `mu`, must outlive the store.
  NotifyStore(core::Database& db, std::recursive_mutex& mu);

  NotifyStore(const NotifyStore&) = delete;
  NotifyStore& operator=(const NotifyStore&) = delete;

  // Keeps `alert` unless a version at least as new is stored, and notes
  // when each version was first seen.
  void PutAlert(const rules::Alert& alert, const std::string& json,
                core::Instant seen_at);
  // Every version of the alert seen and when, the oldest first.
  std::vector<std::pair<int, core::Instant>> Versions(
      const std::string& alert_id);
  std::optional<StoredAlert> GetAlert(const std::string& id);
  // Alerts not resolved, by id.
  std::vector<StoredAlert> OpenAlerts();
  // True when an open alert other than `alert` with the same key kind and
  // key has a higher severity.  Keyless alerts are never inhibited.
  bool Inhibited(const rules::Alert& alert);

  // The first acknowledgement is kept; a later one returns it unchanged.
  // NotFound when the alert is not known.
  core::Status AddAck(const std::string& alert_id, const std::string& by,
                      core::Instant at, Ack* stored);
  std::optional<Ack> GetAck(const std::string& alert_id);
  // The latest verdict replaces an earlier one.  NotFound when the alert is
  // not known, Invalid for another verdict.
  core::Status SetFeedback(const Feedback& feedback);
  std::optional<Feedback> GetFeedback(const std::string& alert_id);

  // Stores `silence` under a new id, which it returns.
  std::string AddSilence(Silence silence);
  // Silences still in force at `now`, the newest first.
  std::vector<Silence> ActiveSilences(core::Instant now);
  bool RemoveSilence(const std::string& id);
  bool Silenced(const rules::Alert& alert, core::Instant now);

  void RecordSend(const std::string& subscriber_id, const rules::Alert& alert,
                  core::Instant scheduled_at);
  std::optional<SendRecord> LastSend(const std::string& subscriber_id,
                                     const std::string& alert_id);
  // The scheduled times of the subscriber's last `n` deliveries, the
  // latest first.
  std::vector<core::Instant> RecentSends(const std::string& subscriber_id,
                                         size_t n);

  // Adds an escalation unless one from `from` for the alert exists.
  void AddEscalation(const Escalation& escalation);
  std::vector<Escalation> DueEscalations(core::Instant now);
  std::optional<core::Instant> NextEscalation();
  void FinishEscalation(const std::string& alert_id, const std::string& from);

  // Puts the latest version of an alert into the subscriber's group `key`
  // (replacing an older one).  A group with nothing due is due at
  // now + wait when it sent nothing in the last `interval`, else
  // `interval` after its last message.
  void AddToGroup(const std::string& subscriber_id, const std::string& key,
                  const GroupedAlert& alert, core::Instant now,
                  core::Duration wait, core::Duration interval);
  std::vector<DueGroup> DueGroups(core::Instant now);
  std::optional<core::Instant> NextGroupDue();
  // After message `group.message` went out at `now`: drops the versions it
  // carried, numbers the next message and, when newer versions came in
  // meanwhile, makes it due `interval` later.
  void FinishGroup(const DueGroup& group, core::Instant now,
                   core::Duration interval);

  // Subscribers added through the API, as their JSON (subscriptions.h).
  void PutSubscription(const std::string& id, const std::string& json);
  bool RemoveSubscription(const std::string& id);
  std::vector<std::string> Subscriptions();

  // Records `ids` as known and returns those that were not.
  std::vector<std::string> AddKnownSubscribers(
      const std::vector<std::string>& ids);

 private:
  std::recursive_mutex& mu_;
  core::Database& db_;  // guarded by mu_
};

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_NOTIFY_STORE_H_
