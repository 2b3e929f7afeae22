// GET /api/v1/stream: alert events as server-sent events for dashboards,
// each cut down to what the caller's token may see.
#ifndef SLAGBOOM_NOTIFIER_STREAM_H_
#define SLAGBOOM_NOTIFIER_STREAM_H_

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "broker/bus.h"
#include "core/principal.h"

namespace slagboom::notifier {

struct StreamOptions {
  // A comment line goes out after this long without an event, so proxies
  // keep the connection and a gone client is noticed.
  std::chrono::milliseconds heartbeat{15000};
  // Each open stream holds one of the HTTP server's threads; beyond this
  // many a new one is refused with 503 and Retry-After.  Keep it below
  // the server's thread count (cpp-httplib: at least 8).
  size_t max_streams = 4;
  // Events read from the source at a time.
  size_t batch = 256;
};

// The audience profile (audience.h) of a role: police and admin see
// everything, a partner the partner profile, everyone else the
// shopkeeper one.
std::string_view AudienceForRole(core::Role role);

// The SSE text of one alert event as `who` may see it:
//   id: <event seq>\nevent: <alert state>\ndata: <alert JSON>\n\n
// or "" when `who` may see none of it: the TLP keeps it from the role's
// audience, or the token has regions and the alert touches none of them.
std::string FormatStreamEvent(const broker::Event& event,
                              const core::Principal& who);

// Serves the alert stream.  A stream starts after the event named by the
// Last-Event-ID header (or ?last_event_id=), replaying the events after it
// from `source` in order, then follows new ones as Notify announces them;
// without one it starts at the newest event.  Events are always read from
// `source`, so a stream has no gaps.  Thread-safe.
class AlertStream {
 public:
  // `source` (the alert stream's owner) must outlive this and the server;
  // `last_seq` is the newest event in it now.
  AlertStream(broker::ReplaySource& source, uint64_t last_seq,
              StreamOptions options = {});
  ~AlertStream();  // Close()

  AlertStream(const AlertStream&) = delete;
  AlertStream& operator=(const AlertStream&) = delete;

  // Registers GET /api/v1/stream: 401 without a token `auth` accepts, 503
  // when max_streams are open.  `auth` must outlive the server.
  void Register(httplib::Server& server, core::Authenticator& auth);

  // Event `seq` is in the source: open streams send it.
  void Notify(uint64_t seq);

  // Ends every open stream and refuses new ones.  Call before stopping
  // the server, which waits for its threads.  Idempotent.
  void Close();

  size_t open_streams() const;

 private:
  struct Connection;

  void Serve(const httplib::Request& req, httplib::Response& res,
             core::Authenticator& auth);
  // Writes what is due on one stream: events after its cursor, or a
  // heartbeat when none came for a while.  False ends the stream.
  bool Pump(Connection& connection, httplib::DataSink& sink);
  // Waits until an event after `after` is announced, the heartbeat is
  // due or the stream is closed.  The newest seq.
  uint64_t WaitAfter(uint64_t after, bool* closed);
  bool TryOpen();
  void Release();

  broker::ReplaySource& source_;
  const StreamOptions options_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  uint64_t latest_;      // guarded by mu_
  size_t open_ = 0;      // guarded by mu_
  bool closed_ = false;  // guarded by mu_
};

}  // namespace slagboom::notifier

#endif  // SLAGBOOM_NOTIFIER_STREAM_H_
