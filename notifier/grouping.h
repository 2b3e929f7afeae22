// Grouping: alerts that share the values of a subscriber's group_by
// fields go out as one message, so a wave of fifty incidents is one
// warning (and at most one update per group_interval), not fifty.
//
// The first alert of a quiet group waits group_wait for others to join;
// after a message, the group sends again no sooner than group_interval
// later, with the latest version of every alert that changed meanwhile.
// The waiting alerts live in notify.db (NotifyStore::AddToGroup), so a
// restart loses none of them.
#ifndef SLAGBOOM_NOTIFIER_GROUPING_H_
#define SLAGBOOM_NOTIFIER_GROUPING_H_

#include <string>

#include "config/config.h"
#include "notifier/notify_store.h"
#include "rules/alert.h"

namespace slagboom::notifier {

// "rule=r1;region=GM0344" for group_by [rule, region]: the alert's value
// of each field in order, several regions or steps joined by ",".  Empty
// when the subscriber does not group.
std::string GroupKey(const config::SubscriberConfig& subscriber,
                     const rules::Alert& alert);

// The id a group message is stored under in the outbox instead of an
// alert id: "group:" and the key.
std::string GroupAlertId(const std::string& key);

// The body of one group message:
//   {"delivery_id", "subscriber", "group": {"key", "message"},
//    "alert_count", "alerts": [each alert as the subscriber may see it]}
std::string GroupPayload(const DueGroup& group, const std::string& delivery_id);

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_GROUPING_H_
