#include "notifier/sms_sender.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "notifier/routing.h"

namespace slagboom::notifier {
namespace {

constexpr char kMarker[] = "...";
constexpr char kFormType[] = "application/x-www-form-urlencoded";
// Numbers remembered for deliveries that never finished (dead after the
// last retry) are forgotten beyond this many deliveries.
constexpr size_t kMaxRemembered = 10000;

bool IsContinuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

size_t CodePoints(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += IsContinuation(c) ? 0 : 1;
  return n;
}

std::string Field(const nlohmann::json& alert, const char* name) {
  if (!alert.contains(name)) return "";
  const nlohmann::json& v = alert[name];
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_array()) return v.dump();
  std::string out;
  for (const nlohmann::json& item : v) {
    if (!out.empty()) out += ",";
    out += item.is_string() ? item.get<std::string>() : item.dump();
  }
  return out;
}

std::string JsonEscaped(std::string_view text) {
  std::string quoted =
      nlohmann::json(std::string(text))
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

std::string PercentEncoded(std::string_view text) {
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

}  // namespace

std::string TruncateText(std::string_view text, size_t max_chars) {
  if (CodePoints(text) <= max_chars) return std::string(text);
  size_t keep = max_chars > 3 ? max_chars - 3 : 0;
  size_t end = 0;
  for (size_t seen = 0; end < text.size(); ++end) {
    if (!IsContinuation(text[end]) && seen++ == keep) break;
  }
  std::string out(text.substr(0, end));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + kMarker;
}

std::string SmsText(const nlohmann::json& alert, std::string_view link,
                    size_t max_chars) {
  std::string main = fmt::format("[slagboom] {} {} {}: {} {} #{}",
                                 Field(alert, "severity"), Field(alert, "rule"),
                                 Field(alert, "state"), Field(alert, "regions"),
                                 Field(alert, "last_at"), Field(alert, "id"));
  std::string tail = link.empty() ? "" : " " + std::string(link);
  if (CodePoints(main) + CodePoints(tail) <= max_chars) return main + tail;

  // The link is what the reader acts on: cut the summary before it.
  size_t tail_chars = CodePoints(tail);
  if (tail_chars + 10 <= max_chars)
    return TruncateText(main, max_chars - tail_chars) + tail;
  return TruncateText(main + tail, max_chars);
}

std::string FillTemplate(std::string_view templ, std::string_view content_type,
                         std::string_view to, std::string_view text,
                         std::string_view id) {
  auto escape = [&](std::string_view value) {
    if (content_type.starts_with("application/json")) return JsonEscaped(value);
    if (content_type.starts_with(kFormType)) return PercentEncoded(value);
    return std::string(value);
  };
  const std::pair<std::string_view, std::string> values[] = {
      {"{to}", escape(to)}, {"{text}", escape(text)}, {"{id}", escape(id)}};

  std::string out;
  size_t i = 0;
  while (i < templ.size()) {
    bool replaced = false;
    for (const auto& [name, value] : values) {
      if (templ.substr(i, name.size()) == name) {
        out += value;
        i += name.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += templ[i++];
  }
  return out;
}

SmsSender::SmsSender(const core::Clock& clock) : clock_(clock) {}

SmsSender::~SmsSender() = default;

SmsSender::Gateway* SmsSender::GatewayFor(
    const config::SubscriberConfig& subscriber, std::string* error) {
  std::lock_guard lock(mu_);
  std::string key = fmt::format("{}\n{}\n{}\n{}", subscriber.id, subscriber.url,
                                subscriber.auth_file, subscriber.auth_env);
  auto it = gateways_.find(key);
  if (it != gateways_.end()) return &it->second;

  std::optional<UrlParts> parts = SplitUrl(subscriber.url);
  if (!parts) {
    *error = "url is not http:// or https://";
    return nullptr;
  }
  std::string auth;
  if (!subscriber.auth_file.empty()) {
    std::optional<std::string> secret = LoadSecret(subscriber.auth_file);
    if (!secret) {
      *error = "auth_file cannot be read or is empty";
      return nullptr;
    }
    auth = *secret;
  } else if (!subscriber.auth_env.empty()) {
    const char* value = std::getenv(subscriber.auth_env.c_str());
    if (value == nullptr || *value == '\0') {
      *error = "auth_env " + subscriber.auth_env + " is not set";
      return nullptr;
    }
    auth = value;
  }
  auto client = std::make_unique<httplib::Client>(parts->origin);
  client->set_connection_timeout(subscriber.timeout);
  client->set_read_timeout(subscriber.timeout);
  client->set_write_timeout(subscriber.timeout);
  Gateway& gateway = gateways_[key];
  gateway.client = std::move(client);
  gateway.path = std::move(parts->path);
  gateway.auth = std::move(auth);
  return &gateway;
}

SendResult SmsSender::SendOne(const config::SubscriberConfig& subscriber,
                              Gateway& gateway, const std::string& delivery_id,
                              const std::string& number,
                              const std::string& text) {
  SendResult result;
  httplib::Headers headers = {{"X-Slagboom-Delivery", delivery_id}};
  if (!gateway.auth.empty())
    headers.emplace(subscriber.auth_header, gateway.auth);

  httplib::Result response = [&] {
    if (subscriber.method == "GET") {
      return gateway.client->Get(
          FillTemplate(gateway.path, kFormType, number, text, delivery_id),
          headers);
    }
    std::string body =
        FillTemplate(subscriber.body_template, subscriber.content_type, number,
                     text, delivery_id);
    if (subscriber.method == "PUT") {
      return gateway.client->Put(gateway.path, headers, body,
                                 subscriber.content_type);
    }
    return gateway.client->Post(gateway.path, headers, body,
                                subscriber.content_type);
  }();
  if (!response) {
    result.error = httplib::to_string(response.error());
    return result;
  }
  result.status = response->status;
  if (response->has_header("Retry-After")) {
    result.retry_after = ParseRetryAfter(
        response->get_header_value("Retry-After"), clock_.Now());
  }
  return result;
}

SendResult SmsSender::Send(const config::SubscriberConfig& subscriber,
                           const std::string& delivery_id,
                           const std::string& body) {
  SendResult result;
  nlohmann::json envelope = nlohmann::json::parse(body, nullptr, false);
  if (envelope.is_discarded() || !envelope.contains("alert")) {
    result.error = "delivery payload is not an alert envelope";
    result.permanent = true;
    return result;
  }
  const nlohmann::json& alert = envelope["alert"];
  std::string link;
  if (!subscriber.link_base.empty())
    link = subscriber.link_base + Field(alert, "id");
  std::string text = SmsText(
      alert, link, static_cast<size_t>(std::max(subscriber.max_length, 10)));

  try {
    Gateway* gateway = GatewayFor(subscriber, &result.error);
    if (gateway == nullptr) return result;
    for (const std::string& number : subscriber.numbers) {
      {
        std::lock_guard lock(mu_);
        if (sent_[delivery_id].count(number)) continue;
      }
      SendResult one = SendOne(subscriber, *gateway, delivery_id, number, text);
      if (!one.ok()) return one;
      std::lock_guard lock(mu_);
      sent_[delivery_id].insert(number);
    }
  } catch (const std::exception& e) {
    result.error = e.what();
    return result;
  }

  std::lock_guard lock(mu_);
  sent_.erase(delivery_id);
  if (sent_.size() > kMaxRemembered) sent_.clear();
  result.status = 200;
  return result;
}

}  // namespace slagboom::notifier
