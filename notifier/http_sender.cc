#include "notifier/http_sender.h"

#include <date/date.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "notifier/routing.h"

namespace slagboom::notifier {
namespace {

constexpr char kDeliveryHeader[] = "X-Slagboom-Delivery";
constexpr char kSignatureHeader[] = "X-Slagboom-Signature";
constexpr char kJson[] = "application/json";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<UrlParts> SplitUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return std::nullopt;

  size_t host_start = scheme_end + 3;
  size_t path_start = url.find_first_of("/?", host_start);
  if (path_start == std::string_view::npos) path_start = url.size();
  if (path_start == host_start) return std::nullopt;

  UrlParts parts{std::string(url.substr(0, path_start)),
                 std::string(url.substr(path_start))};
  if (parts.path.empty() || parts.path.front() == '?')
    parts.path.insert(0, "/");
  return parts;
}

std::optional<core::Duration> ParseRetryAfter(std::string_view value,
                                              core::Instant now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;

  // delay-seconds; more than nine digits is not a wait anyone means.
  bool digits = std::all_of(value.begin(), value.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (digits) {
    if (value.size() > 9) return std::nullopt;
    return std::chrono::seconds(std::stoll(std::string(value)));
  }

  // HTTP-date (RFC 9110 IMF-fixdate), always in GMT.
  std::istringstream in{std::string(value)};
  date::sys_seconds at;
  in >> date::parse("%a, %d %b %Y %H:%M:%S GMT", at);
  if (in.fail()) return std::nullopt;
  return std::max(core::Duration::zero(),
                  std::chrono::duration_cast<core::Duration>(at - now));
}

HttpSender::HttpSender(const core::Clock& clock) : clock_(clock) {}

HttpSender::~HttpSender() = default;

HttpSender::Target* HttpSender::TargetFor(
    const config::SubscriberConfig& subscriber, std::string* error) {
  std::lock_guard lock(mu_);
  std::string key =
      subscriber.id + "\n" + subscriber.url + "\n" + subscriber.secret_file;
  auto it = targets_.find(key);
  if (it != targets_.end()) return &it->second;

  std::optional<UrlParts> parts = SplitUrl(subscriber.url);
  if (!parts) {
    *error = "url is not http:// or https://";
    return nullptr;
  }
  std::optional<std::string> secret;
  if (!subscriber.secret_file.empty()) {
    secret = LoadSecret(subscriber.secret_file);
    if (!secret) {
      *error = "secret_file cannot be read or is empty";
      return nullptr;
    }
  }
  auto client = std::make_unique<httplib::Client>(parts->origin);
  client->set_connection_timeout(subscriber.timeout);
  client->set_read_timeout(subscriber.timeout);
  client->set_write_timeout(subscriber.timeout);
  client->set_keep_alive(true);
  // Headers and body leave in separate writes; without this the body
  // waits for the receiver's delayed ACK (about 40 ms on Linux).
  client->set_tcp_nodelay(true);
  Target& target = targets_[key];
  target.client = std::move(client);
  target.path = std::move(parts->path);
  target.secret = secret.value_or("");
  return &target;
}

SendResult HttpSender::Send(const config::SubscriberConfig& subscriber,
                            const std::string& delivery_id,
                            const std::string& body) {
  SendResult result;
  try {
    Target* target = TargetFor(subscriber, &result.error);
    if (target == nullptr) return result;

    httplib::Headers headers = {{kDeliveryHeader, delivery_id}};
    if (!target->secret.empty())
      headers.emplace(kSignatureHeader, SignBody(target->secret, body));
    httplib::Result response =
        target->client->Post(target->path, headers, body, kJson);
    if (!response) {
      result.error = httplib::to_string(response.error());
      return result;
    }

    result.status = response->status;
    if (response->has_header("Retry-After")) {
      result.retry_after = ParseRetryAfter(
          response->get_header_value("Retry-After"), clock_.Now());
    }
  } catch (const std::exception& e) {
    // The library may throw on resource exhaustion; an attempt still only
    // fails.
    result.status = 0;
    result.error = e.what();
  }
  return result;
}

}  // namespace slagboom::notifier
