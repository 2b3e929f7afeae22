#include "notifier/notifier_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cmath>
#include <random>

namespace slagboom::notifier {
namespace {

constexpr char kWebhook[] = "webhook";
constexpr char kLog[] = "log";

// The loop looks at the outbox at least this often, whatever the clock
// says, so a clock that jumps cannot put it to sleep for good.
constexpr core::Duration kLongestSleep = std::chrono::minutes(1);
// After the outbox could not be read, the loop tries again this soon.
constexpr core::Duration kErrorPause = std::chrono::seconds(5);

bool Wants(const config::SubscriberConfig& subscriber,
           const std::string& rule_id) {
  return subscriber.rules.empty() ||
         std::find(subscriber.rules.begin(), subscriber.rules.end(), rule_id) !=
             subscriber.rules.end();
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
  return result.status >= 400 && result.status < 500 && result.status != 408 &&
         result.status != 429;
}

NotifierService::NotifierService(const config::NotifyConfig& config,
                                 Outbox& outbox, Sender& sender,
                                 const core::Clock& clock,
                                 NotifierOptions options)
    : config_(config),
      outbox_(outbox),
      sender_(sender),
      clock_(clock),
      options_(std::move(options)),
      pool_(std::max<size_t>(options_.delivery_threads, 1)),
      timer_(io_) {
  if (!options_.random) options_.random = DefaultRandom();
}

NotifierService::~NotifierService() {
  Stop();
  pool_.join();
}

core::Status NotifierService::HandleAlertEvent(const broker::Event& event) {
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
  std::vector<NewDelivery> deliveries = Route(json, alert, event.seq);
  EnqueueResult result = outbox_.Enqueue(event.seq, deliveries, clock_.Now());
  if (!result.accepted) return core::Status::Ok();
  std::vector<std::string> logged;
  for (const NewDelivery& d : deliveries) {
    bool added = std::find(result.added.begin(), result.added.end(), d.id) !=
                 result.added.end();
    if (added && d.state == DeliveryState::kDelivered)
      logged.push_back(d.subscriber_id);
  }
  WriteLogLines(alert, event.seq, logged);
  if (logged.size() < result.added.size()) Wake();
  return core::Status::Ok();
}

std::vector<NewDelivery> NotifierService::Route(
    const nlohmann::json& alert_json, const rules::Alert& alert, uint64_t seq) {
  std::vector<NewDelivery> deliveries;
  for (const config::SubscriberConfig& subscriber : config_.subscribers) {
    if (!Wants(subscriber, alert.rule_id)) continue;
    bool is_log = subscriber.channel == kLog;
    if (!is_log && subscriber.channel != kWebhook) {
      spdlog::warn("notifier: subscriber {} has unknown channel {}",
                   subscriber.id, subscriber.channel);
      continue;
    }

    NewDelivery d;
    d.id = MakeDeliveryId(subscriber.id, alert.id, alert.version);
    d.subscriber_id = subscriber.id;
    d.alert_id = alert.id;
    d.alert_version = alert.version;
    d.payload = nlohmann::json{{"delivery_id", d.id},
                               {"subscriber", subscriber.id},
                               {"event_seq", seq},
                               {"alert", alert_json}}
                    .dump();
    d.state = is_log ? DeliveryState::kDelivered : DeliveryState::kPending;
    deliveries.push_back(std::move(d));
  }
  return deliveries;
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

void NotifierService::Dispatch(std::vector<Batch> batches,
                               std::function<void(size_t)> done) {
  for (Batch& batch : batches) {
    boost::asio::post(pool_, [this, batch = std::move(batch), done] {
      size_t attempts = ServeBatch(batch);
      Release(batch.front().subscriber_id);
      done(attempts);
    });
  }
}

size_t NotifierService::ServeBatch(const Batch& batch) {
  const std::string& subscriber_id = batch.front().subscriber_id;
  const config::SubscriberConfig* subscriber = FindSubscriber(subscriber_id);
  size_t attempts = 0;
  try {
    for (const Delivery& d : batch) {
      ++attempts;
      if (!Attempt(*subscriber, d)) break;
    }
  } catch (const std::exception& e) {
    // The attempt stays pending in the outbox and is made again.
    spdlog::error("notifier: outbox update for subscriber {} failed: {}",
                  subscriber_id, e.what());
  }
  return attempts;
}

bool NotifierService::Attempt(const config::SubscriberConfig& subscriber,
                              const Delivery& d) {
  SendResult result = sender_.Send(subscriber, d.id, d.payload);
  core::Instant now = clock_.Now();
  int attempts = d.attempts + 1;
  if (result.ok()) {
    outbox_.MarkDelivered(d.id, now);
    ++delivered_;
    spdlog::debug("notifier: delivery {} to {} done (alert {}, attempt {})",
                  d.id, subscriber.id, d.alert_id, attempts);
    return true;
  }

  // Give up at once on a request the receiver will never take, and after
  // the last attempt; the queue then goes on with the next alert.
  std::string error = Describe(result);
  if (IsPermanentFailure(result) || attempts >= config_.max_attempts) {
    outbox_.MarkDead(d.id, error, now);
    ++dead_;
    spdlog::warn("notifier: delivery {} to {} dead after {} attempts: {}", d.id,
                 subscriber.id, attempts, error);
    return true;
  }

  core::Duration delay =
      RetryDelay(config_, attempts, Random(), result.retry_after);
  outbox_.MarkRetry(d.id, now + delay, error, now);
  ++retried_;
  spdlog::info(
      "notifier: delivery {} to {} failed ({}), attempt {} of {}, "
      "next in {} ms",
      d.id, subscriber.id, error, attempts, config_.max_attempts,
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
  loop_thread_ = std::thread([this] { io_.run(); });
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

void NotifierService::Pass() {
  pass_posted_ = false;
  try {
    Dispatch(TakeDue(), [](size_t) {});
  } catch (const std::exception& e) {
    spdlog::error("notifier: reading the outbox failed: {}", e.what());
  }
  ArmTimer();
}

void NotifierService::ArmTimer() {
  // Sleep until the first queue head of an idle webhook subscriber is due.
  core::Duration sleep = kLongestSleep;
  try {
    std::vector<QueueHead> heads = outbox_.Heads();
    core::Instant now = clock_.Now();
    std::lock_guard lock(mu_);
    for (const QueueHead& head : heads) {
      if (IsIdleWebhook(head.subscriber_id))
        sleep = std::min(sleep, head.next_attempt_at - now);
    }
  } catch (const std::exception& e) {
    spdlog::error("notifier: reading the outbox failed: {}", e.what());
    sleep = kErrorPause;
  }

  timer_.expires_after(std::max(sleep, core::Duration::zero()));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled by a newer arm or by Stop
    Pass();
  });
}

double NotifierService::Random() {
  std::lock_guard lock(random_mu_);
  return options_.random();
}

bool NotifierService::IsIdleWebhook(const std::string& subscriber_id) const {
  const config::SubscriberConfig* subscriber = FindSubscriber(subscriber_id);
  return subscriber != nullptr && subscriber->channel == kWebhook &&
         busy_.count(subscriber_id) == 0;
}

const config::SubscriberConfig* NotifierService::FindSubscriber(
    const std::string& id) const {
  for (const config::SubscriberConfig& subscriber : config_.subscribers) {
    if (subscriber.id == id) return &subscriber;
  }
  return nullptr;
}

NotifierService::Metrics NotifierService::metrics() const {
  return {delivered_.load(), retried_.load(), dead_.load(), logged_.load()};
}

}  // namespace slagboom::notifier
