#include "notifier/notifier_service.h"

#include <pthread.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cmath>
#include <random>

#include "notifier/audience.h"
#include "notifier/channel_sender.h"
#include "notifier/routing.h"

namespace slagboom::notifier {
namespace {

constexpr char kLog[] = "log";

// The loop looks at the outbox at least this often, whatever the clock
// says, so a clock that jumps cannot put it to sleep for good.
constexpr core::Duration kLongestSleep = std::chrono::minutes(1);
// After the outbox could not be read, the loop tries again this soon.
constexpr core::Duration kErrorPause = std::chrono::seconds(5);

const config::SubscriberConfig* FindSubscriber(
    const config::NotifyConfig& config, const std::string& id) {
  for (const config::SubscriberConfig& subscriber : config.subscribers) {
    if (subscriber.id == id) return &subscriber;
  }
  return nullptr;
}

std::vector<std::string> SubscriberIds(const config::NotifyConfig& config) {
  std::vector<std::string> ids;
  for (const config::SubscriberConfig& s : config.subscribers)
    ids.push_back(s.id);
  return ids;
}

// True when the subscriber was last sent this alert in the same state with
// as many incidents, less than its repeat interval ago.
bool IsRepeat(const std::optional<SendRecord>& last,
              const config::SubscriberConfig& subscriber,
              const rules::Alert& alert, core::Instant now) {
  return last && last->version < alert.version &&
         last->state == rules::AlertStateName(alert.state) &&
         last->incident_count == static_cast<int64_t>(alert.incidents.size()) &&
         now - last->scheduled_at < subscriber.repeat_interval;
}

std::string Describe(const SendResult& result) {
  if (result.status != 0) return fmt::format("HTTP {}", result.status);
  return "transport: " + result.error;
}

std::function<double()> DefaultRandom() {
  return [engine = std::mt19937_64(std::random_device{}())]() mutable {
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
}

}  // namespace

core::Duration RetryDelay(const config::NotifyConfig& config, int attempts,
                          double unit_random,
                          std::optional<core::Duration> retry_after) {
  core::Duration base = config.retry_initial;
  for (int i = 1; i < attempts && base < config.retry_max; ++i) base *= 2;
  base = std::min(base, config.retry_max);

  // Equal jitter: half the backoff fixed, half spread out, so receivers
  // that failed together do not all come back at the same moment.
  double spread = static_cast<double>((base - base / 2).count());
  core::Duration delay =
      base / 2 +
      core::Duration(std::llround(spread * std::clamp(unit_random, 0.0, 1.0)));
  if (retry_after) delay = std::max(delay, *retry_after);
  return delay;
}

bool IsPermanentFailure(const SendResult& result) {
  if (result.permanent) return true;
  return result.status >= 400 && result.status < 500 && result.status != 408 &&
         result.status != 429;
}

NotifierService::NotifierService(const config::NotifyConfig& config,
                                 Outbox& outbox, Sender& sender,
                                 const core::Clock& clock,
                                 NotifierOptions options)
    : outbox_(outbox),
      sender_(sender),
      clock_(clock),
      options_(std::move(options)),
      pool_(std::max<size_t>(options_.delivery_threads, 1)),
      timer_(io_) {
  if (!options_.random) options_.random = DefaultRandom();
  file_config_ = config;
  config_ = std::make_shared<const config::NotifyConfig>(
      WithApiSubscribers(config));
  GreetNewSubscribers(*config_);
}

NotifierService::ConfigPtr NotifierService::Config() const {
  std::lock_guard lock(config_mu_);
  return config_;
}

void NotifierService::Reconfigure(const config::NotifyConfig& config) {
  auto next =
      std::make_shared<const config::NotifyConfig>(WithApiSubscribers(config));
  {
    std::lock_guard lock(config_mu_);
    file_config_ = config;
    config_ = next;
  }
  GreetNewSubscribers(*next);
  Wake();
}

void NotifierService::GreetNewSubscribers(const config::NotifyConfig& config) {
  std::vector<std::string> fresh =
      outbox_.store().AddKnownSubscribers(SubscriberIds(config));
  if (fresh.empty()) return;
  std::vector<config::SubscriberConfig> subscribers;
  for (const std::string& id : fresh)
    subscribers.push_back(*FindSubscriber(config, id));

  // Open alerts as if each came again, for the new subscribers only.
  core::Instant now = clock_.Now();
  uint64_t seq = outbox_.Cursor();
  size_t added = 0;
  for (const StoredAlert& stored : outbox_.store().OpenAlerts()) {
    nlohmann::json json = nlohmann::json::parse(stored.json);
    std::vector<NewDelivery> deliveries =
        Route(subscribers, json, stored.alert, seq);
    std::vector<std::string> ids = outbox_.Insert(deliveries, now);
    Remember(config, deliveries, ids, stored.alert, now);
    added += ids.size();
  }
  spdlog::info("notifier: {} new subscribers, {} open alerts routed to them",
               fresh.size(), added);
}

NotifierService::~NotifierService() {
  Stop();
  pool_.join();
}

core::Status NotifierService::HandleAlertEvent(const broker::Event& event) {
  return HandleAlertEvents({event}).front();
}

std::vector<core::Status> NotifierService::HandleAlertEvents(
    const std::vector<broker::Event>& events) {
  std::vector<core::Status> statuses;
  std::set<std::string> ready;
  outbox_.InTransaction([&] {
    for (const broker::Event& event : events)
      statuses.push_back(HandleOne(event, &ready));
  });
  // Committed: send at once, without waiting for the loop.
  DispatchNow(ready);
  return statuses;
}

void NotifierService::OnAlertEvents(const std::vector<broker::Event>& events) {
  std::vector<core::Status> statuses = HandleAlertEvents(events);
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i].ok()) continue;
    spdlog::error("notifier skipped alert event seq={}: {}", events[i].seq,
                  statuses[i].ToString());
  }
}

core::Status NotifierService::HandleOne(const broker::Event& event,
                                        std::set<std::string>* ready) {
  if (event.seq <= outbox_.Cursor()) return core::Status::Ok();

  // Read the alert; an unreadable one is passed over, not retried forever.
  nlohmann::json json = nlohmann::json::parse(event.payload, nullptr, false);
  rules::Alert alert;
  core::Status status = json.is_discarded()
                            ? core::Status::Invalid("alert: not JSON")
                            : rules::AlertFromJson(json, &alert);
  if (!status.ok()) {
    outbox_.Enqueue(event.seq, {}, clock_.Now());
    spdlog::error("notifier: alert event {} skipped: {}", event.seq,
                  status.ToString());
    return status;
  }

  // Store the deliveries with the cursor, then act on what was stored.
  // The alert is kept first: routing asks which alerts are open.
  core::Instant now = clock_.Now();
  outbox_.store().PutAlert(alert, event.payload, now);
  ConfigPtr config = Config();
  std::vector<NewDelivery> deliveries =
      Route(config->subscribers, json, alert, event.seq);
  EnqueueResult result = outbox_.Enqueue(event.seq, deliveries, now);
  if (!result.accepted) return core::Status::Ok();
  Remember(*config, deliveries, result.added, alert, now);
  std::vector<std::string> logged;
  for (const NewDelivery& d : deliveries) {
    bool added = std::find(result.added.begin(), result.added.end(), d.id) !=
                 result.added.end();
    if (!added) continue;
    // A held delivery needs the loop's timer; one due now goes out as
    // soon as the transaction commits, without waiting for the loop.
    if (d.state == DeliveryState::kDelivered) {
      logged.push_back(d.subscriber_id);
    } else if (d.not_before) {
      WakeBy(*d.not_before);
    } else {
      ready->insert(d.subscriber_id);
    }
  }
  WriteLogLines(alert, event.seq, logged);
  return core::Status::Ok();
}

std::vector<NewDelivery> NotifierService::Route(
    const std::vector<config::SubscriberConfig>& subscribers,
    const nlohmann::json& alert_json, const rules::Alert& alert, uint64_t seq) {
  core::Instant now = clock_.Now();
  // Silences and inhibition hold for every subscriber alike.
  if (outbox_.store().Silenced(alert, now)) {
    spdlog::info("notifier: alert {} version {} silenced", alert.id,
                 alert.version);
    return {};
  }
  if (outbox_.store().Inhibited(alert)) {
    spdlog::info("notifier: alert {} version {} inhibited by a higher one",
                 alert.id, alert.version);
    return {};
  }

  std::vector<NewDelivery> deliveries;
  for (const config::SubscriberConfig& subscriber : subscribers) {
    std::optional<NewDelivery> d =
        RouteOne(subscriber, alert_json, alert, seq, now);
    if (d) deliveries.push_back(std::move(*d));
  }
  return deliveries;
}

std::optional<NewDelivery> NotifierService::RouteOne(
    const config::SubscriberConfig& subscriber,
    const nlohmann::json& alert_json, const rules::Alert& alert, uint64_t seq,
    core::Instant now) {
  if (!Wants(subscriber, alert)) return std::nullopt;
  bool is_log = subscriber.channel == kLog;
  if (!is_log && !IsSentChannel(subscriber.channel)) {
    spdlog::warn("notifier: subscriber {} has unknown channel {}",
                 subscriber.id, subscriber.channel);
    return std::nullopt;
  }
  if (IsRepeat(outbox_.store().LastSend(subscriber.id, alert.id), subscriber,
               alert, now))
    return std::nullopt;
  std::optional<nlohmann::json> visible =
      AlertForAudience(alert_json, subscriber.audience);
  if (!visible) return std::nullopt;
  if (!subscriber.group_by.empty()) {
    Group(subscriber, alert, *visible, now);
    return std::nullopt;
  }

  NewDelivery d;
  d.id = MakeDeliveryId(subscriber.id, alert.id, alert.version);
  d.subscriber_id = subscriber.id;
  d.alert_id = alert.id;
  d.alert_version = alert.version;
  d.payload = nlohmann::json{
      {"delivery_id", d.id},
      {"subscriber", subscriber.id},
      {"event_seq", seq},
      {"alert",
       *visible}}.dump();
  d.state = is_log ? DeliveryState::kDelivered : DeliveryState::kPending;
  if (is_log) return d;

  // Held, never dropped: until quiet hours end and the hour has room.
  core::Instant at = QuietUntil(subscriber, now).value_or(now);
  if (subscriber.max_per_hour > 0) {
    at = RateLimitedUntil(
        subscriber.max_per_hour,
        outbox_.store().RecentSends(subscriber.id, subscriber.max_per_hour),
        at);
  }
  if (at > now) d.not_before = at;
  return d;
}

void NotifierService::Remember(const config::NotifyConfig& config,
                               const std::vector<NewDelivery>& deliveries,
                               const std::vector<std::string>& added,
                               const rules::Alert& alert, core::Instant now) {
  NotifyStore& store = outbox_.store();
  for (const NewDelivery& d : deliveries) {
    if (std::find(added.begin(), added.end(), d.id) == added.end()) continue;
    core::Instant at = d.not_before.value_or(now);
    store.RecordSend(d.subscriber_id, alert, at);
    const config::SubscriberConfig* s = FindSubscriber(config, d.subscriber_id);
    if (s == nullptr || s->escalate_to.empty() ||
        s->escalate_after <= core::Duration::zero() ||
        alert.state == rules::AlertState::kResolved)
      continue;
    store.AddEscalation(
        {alert.id, s->id, s->escalate_to, at + s->escalate_after});
    WakeBy(at + s->escalate_after);
  }
}

size_t NotifierService::EscalateDue() {
  NotifyStore& store = outbox_.store();
  ConfigPtr config = Config();
  core::Instant now = clock_.Now();
  size_t added = 0;
  for (const Escalation& e : store.DueEscalations(now)) {
    std::optional<StoredAlert> stored = store.GetAlert(e.alert_id);
    const config::SubscriberConfig* to = FindSubscriber(*config, e.to);
    bool needed = stored && to != nullptr &&
                  stored->alert.state != rules::AlertState::kResolved &&
                  !store.GetAck(e.alert_id);
    if (needed) {
      // Straight to the next subscriber: it asked for this alert by
      // being named, whatever its own routing says.
      std::optional<nlohmann::json> visible =
          AlertForAudience(nlohmann::json::parse(stored->json), to->audience);
      if (visible) {
        NewDelivery d;
        d.id = MakeDeliveryId(to->id, e.alert_id, stored->alert.version);
        d.subscriber_id = to->id;
        d.alert_id = e.alert_id;
        d.alert_version = stored->alert.version;
        d.payload = nlohmann::json{
            {"delivery_id", d.id},
            {"subscriber", to->id},
            {"event_seq", outbox_.Cursor()},
            {"escalated_from", e.from},
            {"alert",
             *visible}}.dump();
        if (to->channel == kLog) d.state = DeliveryState::kDelivered;
        std::vector<std::string> ids = outbox_.Insert({d}, now);
        Remember(*config, {d}, ids, stored->alert, now);
        added += ids.size();
        spdlog::warn(
            "notifier: alert {} unacknowledged, escalated from {} "
            "to {}",
            e.alert_id, e.from, e.to);
      }
    }
    store.FinishEscalation(e.alert_id, e.from);
  }
  if (added > 0) Wake();
  return added;
}

void NotifierService::WriteLogLines(
    const rules::Alert& alert, uint64_t seq,
    const std::vector<std::string>& subscriber_ids) {
  for (const std::string& id : subscriber_ids) {
    spdlog::info(
        "notifier: alert {} rule={} state={} version={} incidents={} "
        "regions={} subscriber={} event_seq={}",
        alert.id, alert.rule_id, rules::AlertStateName(alert.state),
        alert.version, alert.incidents.size(), alert.regions.size(), id, seq);
    ++logged_;
  }
}

size_t NotifierService::DeliverDue() {
  FlushGroups();
  EscalateDue();
  std::vector<Batch> batches = TakeDue();
  std::mutex mu;
  std::condition_variable done;
  size_t remaining = batches.size();
  size_t attempts = 0;
  Dispatch(std::move(batches), [&](size_t n) {
    std::lock_guard lock(mu);
    attempts += n;
    if (--remaining == 0) done.notify_all();
  });
  std::unique_lock lock(mu);
  done.wait(lock, [&] { return remaining == 0; });
  return attempts;
}

std::vector<NotifierService::Batch> NotifierService::TakeDue() {
  std::vector<QueueHead> heads = outbox_.Heads();
  core::Instant now = clock_.Now();
  std::lock_guard lock(mu_);
  std::vector<Batch> batches;
  for (const QueueHead& head : heads) {
    if (head.next_attempt_at > now || !IsIdleWebhook(head.subscriber_id))
      continue;
    Batch batch =
        outbox_.Due(head.subscriber_id, now, options_.batch_per_subscriber);
    if (batch.empty()) continue;
    busy_.insert(head.subscriber_id);
    batches.push_back(std::move(batch));
  }
  return batches;
}

void NotifierService::DispatchNow(const std::set<std::string>& subscribers) {
  if (subscribers.empty()) return;
  core::Instant now = clock_.Now();
  std::vector<Batch> batches;
  try {
    // running_ is read under mu_: Stop, which clears it first and then
    // waits under mu_ for busy_ to empty, either sees these subscribers
    // busy or keeps them from being taken.
    std::lock_guard lock(mu_);
    if (!running_) return;
    for (const std::string& id : subscribers) {
      // A busy subscriber's delivery thread takes these next; a queue
      // whose head waits for a retry is the loop's.
      if (!IsIdleWebhook(id)) continue;
      Batch batch = outbox_.Due(id, now, options_.batch_per_subscriber);
      if (batch.empty()) continue;
      busy_.insert(id);
      batches.push_back(std::move(batch));
    }
  } catch (const std::exception& e) {
    spdlog::error("notifier: reading the outbox failed: {}", e.what());
    Wake();  // the deliveries are stored: the loop takes them
  }
  Dispatch(std::move(batches), [](size_t) {});
}

void NotifierService::Dispatch(std::vector<Batch> batches,
                               std::function<void(size_t)> done) {
  for (Batch& batch : batches) Serve(std::move(batch), 0, done);
}

void NotifierService::Serve(Batch batch, size_t attempts_before,
                            std::function<void(size_t)> done) {
  boost::asio::post(pool_, [this, batch = std::move(batch), attempts_before,
                            done = std::move(done)]() mutable {
    bool finished = false;
    size_t attempts = attempts_before + ServeBatch(batch, &finished);
    const std::string subscriber_id = batch.front().subscriber_id;
    if (!finished) {
      Release(subscriber_id);  // the loop's timer takes the retry
      done(attempts);
      return;
    }
    // Posted again rather than served here, so that other subscribers'
    // batches waiting for a thread go first.
    Batch next = NextOrRelease(subscriber_id);
    if (!next.empty()) {
      Serve(std::move(next), attempts, std::move(done));
      return;
    }
    done(attempts);
  });
}

NotifierService::Batch NotifierService::NextOrRelease(
    const std::string& subscriber_id) {
  Batch next;
  std::optional<core::Instant> held;
  {
    // Under mu_, so that an event committed meanwhile is either in this
    // read or finds the subscriber idle and is dispatched by DispatchNow.
    std::lock_guard lock(mu_);
    try {
      ConfigPtr config = Config();
      const config::SubscriberConfig* subscriber =
          FindSubscriber(*config, subscriber_id);
      if (running_ && subscriber != nullptr &&
          IsSentChannel(subscriber->channel)) {
        next = outbox_.Due(subscriber_id, clock_.Now(),
                           options_.batch_per_subscriber);
        // The loop's timer left this queue out while it was busy.
        if (next.empty()) held = outbox_.NextAttempt(subscriber_id);
      }
    } catch (const std::exception& e) {
      spdlog::error("notifier: reading the outbox failed: {}", e.what());
      Wake();  // the loop tries again
    }
    if (!next.empty()) return next;
    busy_.erase(subscriber_id);
  }
  idle_.notify_all();
  if (held) WakeBy(*held);
  return next;
}

size_t NotifierService::ServeBatch(const Batch& batch, bool* finished) {
  const std::string& subscriber_id = batch.front().subscriber_id;
  ConfigPtr config = Config();
  const config::SubscriberConfig* subscriber =
      FindSubscriber(*config, subscriber_id);
  size_t attempts = 0;
  if (subscriber == nullptr) return 0;  // removed by a reload meanwhile
  std::vector<std::string> delivered;
  try {
    bool all = true;
    for (const Delivery& d : batch) {
      ++attempts;
      all = Attempt(*subscriber, d, &delivered);
      if (!all) break;
    }
    outbox_.MarkDelivered(delivered, clock_.Now());
    *finished = all;
  } catch (const std::exception& e) {
    // The attempt stays pending in the outbox and is made again.
    spdlog::error("notifier: outbox update for subscriber {} failed: {}",
                  subscriber_id, e.what());
  }
  return attempts;
}

bool NotifierService::Attempt(const config::SubscriberConfig& subscriber,
                              const Delivery& d,
                              std::vector<std::string>* delivered) {
  SendResult result = sender_.Send(subscriber, d.id, d.payload);
  core::Instant now = clock_.Now();
  int attempts = d.attempts + 1;
  if (result.ok()) {
    delivered->push_back(d.id);
    ++delivered_;
    spdlog::debug("notifier: delivery {} to {} done (alert {}, attempt {})",
                  d.id, subscriber.id, d.alert_id, attempts);
    return true;
  }

  // Give up at once on a request the receiver will never take, and after
  // the last attempt; the queue then goes on with the next alert.
  std::string error = Describe(result);
  ConfigPtr config = Config();
  if (IsPermanentFailure(result) || attempts >= config->max_attempts) {
    outbox_.MarkDead(d.id, error, now);
    ++dead_;
    spdlog::warn("notifier: delivery {} to {} dead after {} attempts: {}", d.id,
                 subscriber.id, attempts, error);
    return true;
  }

  core::Duration delay =
      RetryDelay(*config, attempts, Random(), result.retry_after);
  outbox_.MarkRetry(d.id, now + delay, error, now);
  ++retried_;
  spdlog::info(
      "notifier: delivery {} to {} failed ({}), attempt {} of {}, "
      "next in {} ms",
      d.id, subscriber.id, error, attempts, config->max_attempts,
      delay.count());
  return false;
}

void NotifierService::Release(const std::string& subscriber_id) {
  {
    std::lock_guard lock(mu_);
    busy_.erase(subscriber_id);
  }
  idle_.notify_all();
  // More may have become due for it while it was busy.
  Wake();
}

void NotifierService::Start() {
  work_.emplace(io_.get_executor());
  running_ = true;
  loop_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "notify-loop");
    io_.run();
  });
  Wake();
}

void NotifierService::Stop() {
  if (running_.exchange(false)) {
    work_.reset();
    io_.stop();
    loop_thread_.join();
  }
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return busy_.empty(); });
}

void NotifierService::Wake() {
  if (!running_ || pass_posted_.exchange(true)) return;
  boost::asio::post(io_, [this] { Pass(); });
}

void NotifierService::WakeBy(core::Instant at) {
  if (at.time_since_epoch().count() < armed_until_) Wake();
}

void NotifierService::Pass() {
  pass_posted_ = false;
  // Until ArmTimer says when it fires next, every WakeBy wakes the loop.
  armed_until_ = kNotArmed;
  try {
    FlushGroups();
    EscalateDue();
    Dispatch(TakeDue(), [](size_t) {});
  } catch (const std::exception& e) {
    spdlog::error("notifier: reading the outbox failed: {}", e.what());
  }
  ArmTimer();
}

void NotifierService::ArmTimer() {
  // Sleep until the first queue head of an idle webhook subscriber is due.
  core::Duration sleep = kLongestSleep;
  core::Instant now = clock_.Now();
  try {
    std::vector<QueueHead> heads = outbox_.Heads();
    if (std::optional<core::Instant> e = outbox_.store().NextEscalation())
      sleep = std::min(sleep, *e - now);
    if (std::optional<core::Instant> g = outbox_.store().NextGroupDue())
      sleep = std::min(sleep, *g - now);
    std::lock_guard lock(mu_);
    for (const QueueHead& head : heads) {
      if (IsIdleWebhook(head.subscriber_id))
        sleep = std::min(sleep, head.next_attempt_at - now);
    }
  } catch (const std::exception& e) {
    spdlog::error("notifier: reading the outbox failed: {}", e.what());
    sleep = kErrorPause;
  }

  sleep = std::max(sleep, core::Duration::zero());
  timer_.expires_after(sleep);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled by a newer arm or by Stop
    Pass();
  });
  // Published after the reads above: whatever they missed was added
  // later, and its WakeBy compares against this or wakes the loop.
  armed_until_ = (now + sleep).time_since_epoch().count();
}

double NotifierService::Random() {
  std::lock_guard lock(random_mu_);
  return options_.random();
}

bool NotifierService::IsIdleWebhook(const std::string& subscriber_id) const {
  ConfigPtr config = Config();
  const config::SubscriberConfig* subscriber =
      FindSubscriber(*config, subscriber_id);
  return subscriber != nullptr && IsSentChannel(subscriber->channel) &&
         busy_.count(subscriber_id) == 0;
}

NotifierService::Metrics NotifierService::metrics() const {
  return {delivered_.load(), retried_.load(), dead_.load(), logged_.load()};
}

}  // namespace slagboom::notifier
