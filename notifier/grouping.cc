#include "notifier/grouping.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "notifier/notifier_service.h"
#include "notifier/routing.h"

namespace slagboom::notifier {

std::string GroupKey(const config::SubscriberConfig& subscriber,
                     const rules::Alert& alert) {
  std::string key;
  for (const std::string& field : subscriber.group_by) {
    std::string value;
    if (field == "rule") {
      value = alert.rule_id;
    } else if (field == "severity") {
      value = alert.severity;
    } else if (field == "region") {
      value = fmt::format("{}", fmt::join(alert.regions, ","));
    } else if (field == "step") {
      value = fmt::format("{}", fmt::join(alert.steps, ","));
    }
    if (!key.empty()) key += ';';
    key += field + '=' + value;
  }
  return key;
}

std::string GroupAlertId(const std::string& key) { return "group:" + key; }

std::string GroupPayload(const DueGroup& group,
                         const std::string& delivery_id) {
  nlohmann::json alerts = nlohmann::json::array();
  for (const GroupedAlert& a : group.alerts)
    alerts.push_back(nlohmann::json::parse(a.json));
  return nlohmann::json{
      {"delivery_id", delivery_id},
      {"subscriber", group.subscriber_id},
      {"group", {{"key", group.key}, {"message", group.message}}},
      {"alert_count", group.alerts.size()},
      {"alerts", alerts}}
      .dump();
}

}  // namespace slagboom::notifier

// NotifierService's grouping steps live here, beside the rest of grouping.
namespace slagboom::notifier {

void NotifierService::Group(const config::SubscriberConfig& subscriber,
                            const rules::Alert& alert,
                            const nlohmann::json& visible, core::Instant now) {
  outbox_.store().AddToGroup(subscriber.id, GroupKey(subscriber, alert),
                             {alert.id, alert.version, visible.dump()}, now,
                             subscriber.group_wait, subscriber.group_interval);
  Wake();  // the loop's timer must learn when the group is due
}

size_t NotifierService::FlushGroups() {
  NotifyStore& store = outbox_.store();
  ConfigPtr config = Config();
  core::Instant now = clock_.Now();
  size_t added = 0;
  for (const DueGroup& group : store.DueGroups(now)) {
    const config::SubscriberConfig* subscriber = nullptr;
    for (const config::SubscriberConfig& s : config->subscribers) {
      if (s.id == group.subscriber_id) subscriber = &s;
    }
    // A subscriber removed meanwhile, or one that stopped grouping, lets
    // the group go.
    bool wanted = subscriber != nullptr && !subscriber->group_by.empty();
    if (wanted && !group.alerts.empty())
      added += SendGroup(*subscriber, group, now);
    store.FinishGroup(
        group, now,
        wanted ? subscriber->group_interval : core::Duration::zero());
  }
  if (added > 0) Wake();
  return added;
}

size_t NotifierService::SendGroup(const config::SubscriberConfig& subscriber,
                                  const DueGroup& group, core::Instant now) {
  NewDelivery d;
  d.alert_id = GroupAlertId(group.key);
  d.id = MakeDeliveryId(subscriber.id, d.alert_id, group.message);
  d.subscriber_id = subscriber.id;
  d.alert_version = group.message;
  d.payload = GroupPayload(group, d.id);
  bool is_log = subscriber.channel == "log";
  d.state = is_log ? DeliveryState::kDelivered : DeliveryState::kPending;

  // Held, never dropped, as single alerts are.
  core::Instant at = QuietUntil(subscriber, now).value_or(now);
  if (!is_log && subscriber.max_per_hour > 0) {
    at = RateLimitedUntil(
        subscriber.max_per_hour,
        outbox_.store().RecentSends(subscriber.id, subscriber.max_per_hour),
        at);
  }
  if (!is_log && at > now) d.not_before = at;
  std::vector<std::string> ids = outbox_.Insert({d}, now);
  if (ids.empty()) return 0;  // sent before a crash, not finished

  // The rate limit counts the message once, whatever it carries.
  rules::Alert counted;
  counted.id = d.alert_id;
  counted.version = group.message;
  outbox_.store().RecordSend(subscriber.id, counted, at);
  if (is_log) {
    spdlog::info("notifier: group {} message {} alerts={} subscriber={}",
                 group.key, group.message, group.alerts.size(), subscriber.id);
    ++logged_;
  }
  return 1;
}

}  // namespace slagboom::notifier
