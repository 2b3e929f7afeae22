#include "notifier/stream.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/api_error.h"
#include "notifier/audience.h"

namespace slagboom::notifier {
namespace {

constexpr char kPath[] = "/api/v1/stream";
constexpr char kEventStream[] = "text/event-stream";
// Sent first: names the stream and tells the browser how long to wait
// before it reconnects.
constexpr char kPreamble[] = ": slagboom alert stream\nretry: 3000\n\n";
constexpr char kHeartbeat[] = ": heartbeat\n\n";

bool TouchesRegion(const nlohmann::json& alert,
                   const std::vector<std::string>& regions) {
  if (regions.empty()) return true;
  if (!alert.contains("regions") || !alert["regions"].is_array()) return false;
  for (const nlohmann::json& r : alert["regions"]) {
    if (r.is_string() && std::find(regions.begin(), regions.end(),
                                   r.get<std::string>()) != regions.end())
      return true;
  }
  return false;
}

// The cursor a client names; nullopt when it names none or nonsense.
std::optional<uint64_t> LastEventId(const httplib::Request& req) {
  std::string text = req.get_header_value("Last-Event-ID");
  if (text.empty()) text = req.get_param_value("last_event_id");
  if (text.empty() || text.size() > 19 ||
      !std::all_of(text.begin(), text.end(),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoull(text);
}

void Refuse(httplib::Response& res, int status, const std::string& error) {
  res.status = status;
  res.set_content(core::ErrorJson(error).dump(), "application/json");
}

}  // namespace

struct AlertStream::Connection {
  uint64_t after = 0;  // the last event seq handled
  core::Principal who;
  bool started = false;
  // Set when the source had nothing after `after` although a newer event
  // was announced: wait for one newer than this before reading again.
  uint64_t stalled_at = 0;
  size_t sent = 0;
};

std::string_view AudienceForRole(core::Role role) {
  switch (role) {
    case core::Role::kPolice:
    case core::Role::kAdmin:
      return "police";
    case core::Role::kPartner:
      return "partner";
    default:
      return "shopkeeper";
  }
}

std::string FormatStreamEvent(const broker::Event& event,
                              const core::Principal& who) {
  nlohmann::json alert = nlohmann::json::parse(event.payload, nullptr, false);
  if (!alert.is_object() || !TouchesRegion(alert, who.regions)) return "";
  std::optional<nlohmann::json> visible =
      AlertForAudience(alert, AudienceForRole(who.role));
  if (!visible) return "";
  std::string state = alert.value("state", "");
  if (state.empty() || state.find_first_of("\r\n") != std::string::npos)
    state = "alert";
  return fmt::format(
      "id: {}\nevent: {}\ndata: {}\n\n", event.seq, state,
      visible->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

AlertStream::AlertStream(broker::ReplaySource& source, uint64_t last_seq,
                         StreamOptions options)
    : source_(source), options_(options), latest_(last_seq) {}

AlertStream::~AlertStream() { Close(); }

void AlertStream::Register(httplib::Server& server, core::Authenticator& auth) {
  server.Get(kPath,
             [this, &auth](const httplib::Request& req,
                           httplib::Response& res) { Serve(req, res, auth); });
}

void AlertStream::Serve(const httplib::Request& req, httplib::Response& res,
                        core::Authenticator& auth) {
  std::optional<core::Principal> who =
      auth.Authenticate(req.get_header_value("Authorization"));
  if (!who) return Refuse(res, 401, "a valid bearer token is required");
  if (!TryOpen()) {
    res.set_header("Retry-After", "5");
    return Refuse(res, 503, "too many open streams, try again later");
  }

  auto connection = std::make_shared<Connection>();
  connection->who = std::move(*who);
  {
    std::lock_guard lock(mu_);
    connection->after = LastEventId(req).value_or(latest_);
  }
  spdlog::info("stream: opened for {} ({}) after event {}",
               connection->who.name, core::RoleName(connection->who.role),
               connection->after);
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      kEventStream,
      [this, connection](size_t, httplib::DataSink& sink) {
        return Pump(*connection, sink);
      },
      [this, connection](bool) {
        spdlog::info("stream: closed for {} after {} events",
                     connection->who.name, connection->sent);
        Release();
      });
}

bool AlertStream::Pump(Connection& connection, httplib::DataSink& sink) {
  if (!connection.started) {
    connection.started = true;
    return sink.write(kPreamble, sizeof(kPreamble) - 1);
  }
  bool closed = false;
  uint64_t latest =
      WaitAfter(std::max(connection.after, connection.stalled_at), &closed);
  if (closed) {
    sink.done();
    return true;
  }
  std::vector<broker::Event> events;
  if (latest > connection.after)
    events = source_.ReadFrom(connection.after + 1, options_.batch);
  if (events.empty()) {
    connection.stalled_at = latest;
    return sink.write(kHeartbeat, sizeof(kHeartbeat) - 1);
  }

  for (const broker::Event& event : events) {
    connection.after = event.seq;
    std::string text = FormatStreamEvent(event, connection.who);
    if (text.empty()) continue;
    if (!sink.write(text.data(), text.size())) return false;
    ++connection.sent;
  }
  return true;
}

uint64_t AlertStream::WaitAfter(uint64_t after, bool* closed) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, options_.heartbeat,
                    [&] { return closed_ || latest_ > after; });
  *closed = closed_;
  return latest_;
}

void AlertStream::Notify(uint64_t seq) {
  {
    std::lock_guard lock(mu_);
    latest_ = std::max(latest_, seq);
  }
  changed_.notify_all();
}

void AlertStream::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  changed_.notify_all();
}

bool AlertStream::TryOpen() {
  std::lock_guard lock(mu_);
  if (closed_ || open_ >= options_.max_streams) return false;
  ++open_;
  return true;
}

void AlertStream::Release() {
  std::lock_guard lock(mu_);
  --open_;
}

size_t AlertStream::open_streams() const {
  std::lock_guard lock(mu_);
  return open_;
}

}  // namespace slagboom::notifier
