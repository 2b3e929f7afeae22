// The notifier: takes alert events off the bus, routes each to the
// subscribers that want it, keeps what it owes them in the outbox and
// delivers it, retrying with backoff until it is delivered or dead.
#ifndef SLAGBOOM_NOTIFIER_NOTIFIER_SERVICE_H_
#define SLAGBOOM_NOTIFIER_NOTIFIER_SERVICE_H_

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "broker/bus.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/status.h"
#include "notifier/http_sender.h"
#include "notifier/outbox.h"
#include "rules/alert.h"

namespace slagboom::notifier {

// How long to wait before the next attempt, after `attempts` failed ones
// (1 or more): retry_initial doubled per earlier failure, capped at
// retry_max, then jittered down to between half and all of that by
// `unit_random` (in [0, 1]), and never less than `retry_after`.
core::Duration RetryDelay(const config::NotifyConfig& config, int attempts,
                          double unit_random,
                          std::optional<core::Duration> retry_after);

// A 4xx other than 408 (timeout) and 429 (too many requests) says the
// request itself is wrong: sending it again cannot help.
bool IsPermanentFailure(const SendResult& result);

struct NotifierOptions {
  // Deliveries to different subscribers run on this many threads, so
  // a slow subscriber holds up only itself (while fewer than this many
  // are slow at once).
  size_t delivery_threads = 4;
  // At most this many deliveries per subscriber per pass.
  size_t batch_per_subscriber = 64;
  // Uniform in [0, 1] for the jitter of retries; called from delivery
  // threads.  Default: a generator seeded from std::random_device.
  std::function<double()> random;
};

// Delivery rules: a 2xx answer delivers; a 4xx other than 408 and 429
// makes the delivery dead at once; anything else (another status, no
// answer in time, no connection) is tried again after RetryDelay, until
// the max_attempts-th attempt fails and the delivery is dead.  A dead
// delivery stays in the outbox as a dead letter and its subscriber's
// queue goes on.  Each subscriber gets its deliveries one at a time in
// event order; different subscribers are served at the same time.
//
// Delivery is at least once: when the process dies between a receiver's
// answer and the outbox recording it, that delivery is sent again, with
// the same delivery id, by which the receiver can drop the repeat.
//
// Routing and noise control (docs/notifier.md): a subscriber gets an
// alert when Wants() says so, no active silence matches it, no open alert
// with the same key and a higher severity inhibits it, its audience
// profile and TLP leave something to send, and it is not an unchanged
// repeat within the subscriber's repeat_interval.  Quiet hours (not for
// police) and the rate limit hold a delivery back; they never drop one.
// A delivery to a subscriber with escalate_to and escalate_after goes to
// that subscriber too when the alert is neither acknowledged nor resolved
// escalate_after later.
//
// HandleAlertEvent, DeliverDue, EscalateDue, Reconfigure, Start and Stop
// may be called from different threads.
class NotifierService {
 public:
  // Totals since construction.
  struct Metrics {
    uint64_t delivered = 0;  // webhook deliveries answered with 2xx
    uint64_t retried = 0;    // failed attempts scheduled again
    uint64_t dead = 0;       // deliveries given up
    uint64_t logged = 0;     // alert events written to a log subscriber
  };

  // Keeps references to `outbox`, `sender` and `clock`, which must outlive
  // the service; copies `config`.  Subscribers the outbox has not seen
  // before get the alerts open now, as after Reconfigure.  Throws when the
  // outbox cannot be read or written (start-up).
  NotifierService(const config::NotifyConfig& config, Outbox& outbox,
                  Sender& sender, const core::Clock& clock,
                  NotifierOptions options = {});
  ~NotifierService();  // Stop(), then waits for deliveries in flight

  NotifierService(const NotifierService&) = delete;
  NotifierService& operator=(const NotifierService&) = delete;

  // Takes one alert event (the bus subscriber's handler).  An event at or
  // below the outbox cursor is ignored.  Otherwise the alert is kept as
  // the latest version seen and goes to every subscriber the routing
  // above picks: a pending delivery per webhook subscriber, a log line
  // and a delivered row per log subscriber, all added with the cursor and
  // the record of what was scheduled for whom in one transaction.  An
  // event whose alert cannot be read moves the cursor
  // too and returns Invalid, so one bad event cannot stall the stream.
  // Throws when the outbox cannot be written; the bus then offers the
  // event again.  Call from one thread at a time.
  core::Status HandleAlertEvent(const broker::Event& event);
  // The same for events in order, all in one transaction: a notifier
  // that fell behind catches up at one commit per batch.  The status of
  // each event, in order.
  std::vector<core::Status> HandleAlertEvents(
      const std::vector<broker::Event>& events);
  // A bus subscriber's batch handler: HandleAlertEvents, with a log line
  // for every event skipped.
  void OnAlertEvents(const std::vector<broker::Event>& events);

  // Attempts every delivery due at clock.Now(), different subscribers in
  // parallel, each subscriber's in event order, and returns when those
  // attempts are done; failures are scheduled again.  Subscribers whose
  // deliveries the background loop is making at that moment are left to
  // it.  Returns the number of attempts made.  Throws when the outbox
  // cannot be read.
  size_t DeliverDue();

  // Sends every escalation due at clock.Now() to its next subscriber, or
  // drops it when the alert was acknowledged or resolved meanwhile.
  // Returns the number of deliveries added.  Throws when the outbox cannot
  // be read or written.  DeliverDue and the background loop call it.
  size_t EscalateDue();

  // Puts every group message due at clock.Now() (grouping.h) into the
  // outbox, one delivery per group; DeliverDue and the background loop
  // call it first.  Returns the number of messages added.
  size_t FlushGroups();

  // Subscribers added through the API (subscriptions.h), kept in notify.db
  // and served beside those of the configuration until removed; a new one
  // gets the alerts open now, once.  Invalid when `subscriber` is not
  // valid; Conflict when the configuration file has one of that id.
  core::Status AddSubscription(const config::SubscriberConfig& subscriber);
  // False when no API subscriber has that id.
  bool RemoveSubscription(const std::string& id);
  std::vector<config::SubscriberConfig> ApiSubscriptions();

  // Takes a new configuration (a reload).  A subscriber whose id is new
  // gets the alerts open now, routed as usual; nobody else gets anything
  // again.  Deliveries in flight finish under the old one.  Throws when
  // the outbox cannot be read or written.
  void Reconfigure(const config::NotifyConfig& config);

  // Starts the background loop, which delivers what becomes due: at once
  // after an event is added, and when the next retry is due.
  // REQUIRES: not started before.
  void Start();
  // Stops the loop and waits for the attempts in flight.  Idempotent.
  void Stop();

  Metrics metrics() const;

 private:
  using Batch = std::vector<Delivery>;

  // Takes the due deliveries of every idle, configured webhook subscriber
  // and marks those subscribers busy.
  std::vector<Batch> TakeDue();
  // Makes the deliveries of one batch, in order, until one must wait.
  // Returns the number of attempts made; *finished tells whether every
  // delivery of the batch was settled (none waits for a retry).  The
  // deliveries that succeeded are marked together, in one commit, when
  // the batch ends or one fails: a crash in between sends them again,
  // under the same delivery id.
  size_t ServeBatch(const Batch& batch, bool* finished);
  // Makes one attempt; true when the queue may go on to the next.  A
  // success is added to *delivered, to be marked by the caller.
  bool Attempt(const config::SubscriberConfig& subscriber, const Delivery& d,
               std::vector<std::string>* delivered);
  void Release(const std::string& subscriber_id);
  // Runs `batches` on the pool; calls `done` with the attempts made after
  // each, once its subscriber is released.  While the service runs, a
  // subscriber whose batch was settled goes on with its next due one
  // before it is released.
  void Dispatch(std::vector<Batch> batches, std::function<void(size_t)> done);
  // One subscriber's batch on the pool, then its next ones as above;
  // `done` gets the attempts of all of them plus `attempts_before`.
  void Serve(Batch batch, size_t attempts_before,
             std::function<void(size_t)> done);
  // The subscriber's next due batch, or none, and then it is released.
  Batch NextOrRelease(const std::string& subscriber_id);
  // Dispatches the due deliveries of those of `subscribers` that are idle,
  // straight after the commit that added them.  Busy ones are served next
  // by their delivery thread (NextOrRelease).  Only while running.
  void DispatchNow(const std::set<std::string>& subscribers);

  using ConfigPtr = std::shared_ptr<const config::NotifyConfig>;

  ConfigPtr Config() const;
  // HandleAlertEvent's work; adds to *ready the subscribers that got a
  // delivery due now.  REQUIRES: inside Outbox::InTransaction.
  core::Status HandleOne(const broker::Event& event,
                         std::set<std::string>* ready);
  // The deliveries of one alert event to `subscribers`.
  std::vector<NewDelivery> Route(
      const std::vector<config::SubscriberConfig>& subscribers,
      const nlohmann::json& alert_json, const rules::Alert& alert,
      uint64_t seq);
  // The delivery to one subscriber, or nullopt when it gets none.
  std::optional<NewDelivery> RouteOne(
      const config::SubscriberConfig& subscriber,
      const nlohmann::json& alert_json, const rules::Alert& alert, uint64_t seq,
      core::Instant now);
  // Records what was added, for the repeat interval, the rate limit and
  // escalation.
  void Remember(const config::NotifyConfig& config,
                const std::vector<NewDelivery>& deliveries,
                const std::vector<std::string>& added,
                const rules::Alert& alert, core::Instant now);
  // Routes the open alerts to the subscribers the outbox did not know.
  void GreetNewSubscribers(const config::NotifyConfig& config);
  void WriteLogLines(const rules::Alert& alert, uint64_t seq,
                     const std::vector<std::string>& subscriber_ids);

  // The background loop, on loop_thread_.
  void Wake();
  // Makes sure the loop looks at the outbox by `at`: wakes it only when
  // its timer is set to fire later than that, so a delivery held for
  // hours or an escalation due in an hour costs no pass per event.
  void WakeBy(core::Instant at);
  void Pass();
  void ArmTimer();

  // Keeps a grouped subscriber's view of the alert for its next group
  // message.
  void Group(const config::SubscriberConfig& subscriber,
             const rules::Alert& alert, const nlohmann::json& visible,
             core::Instant now);
  size_t SendGroup(const config::SubscriberConfig& subscriber,
                   const DueGroup& group, core::Instant now);
  // `file` with the API subscribers appended.
  config::NotifyConfig WithApiSubscribers(const config::NotifyConfig& file);

  double Random();
  // Pending deliveries of subscribers no longer configured, or no longer
  // webhooks, stay in the outbox untouched.  REQUIRES: mu_ held.
  bool IsIdleWebhook(const std::string& subscriber_id) const;

  mutable std::mutex config_mu_;
  ConfigPtr config_;  // guarded by config_mu_; replaced whole
  // The configuration file's part, without API subscribers.  Guarded by
  // config_mu_.
  config::NotifyConfig file_config_;
  Outbox& outbox_;
  Sender& sender_;
  const core::Clock& clock_;
  NotifierOptions options_;

  std::mutex mu_;
  std::condition_variable idle_;  // signalled when busy_ shrinks
  std::set<std::string> busy_;    // guarded by mu_
  std::mutex random_mu_;          // guards options_.random

  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> retried_{0};
  std::atomic<uint64_t> dead_{0};
  std::atomic<uint64_t> logged_{0};

  boost::asio::thread_pool pool_;
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_;  // used on loop_thread_ only
  std::optional<
      boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      work_;
  std::atomic<bool> running_{false};
  std::atomic<bool> pass_posted_{false};  // coalesces wake-ups
  // When the loop's timer fires next, in clock_ milliseconds since the
  // epoch; kNotArmed from the start of a pass until ArmTimer sets it.
  static constexpr int64_t kNotArmed = INT64_MAX;
  std::atomic<int64_t> armed_until_{kNotArmed};
  std::thread loop_thread_;
};

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_NOTIFIER_SERVICE_H_
