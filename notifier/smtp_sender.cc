#include "notifier/smtp_sender.h"

#include <curl/curl.h>
#include <date/date.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "notifier/routing.h"

namespace slagboom::notifier {
namespace {

constexpr size_t kQpLineLength = 76;

// Configured text and alert fields must not start a header of their own.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 128;
  });
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// RFC 2047 encoded-word for a header value that is not plain ASCII.
std::string HeaderText(std::string_view text) {
  if (IsAscii(text)) return std::string(text);
  return "=?UTF-8?B?" + Base64(text) + "?=";
}

// RFC 2045 quoted-printable of `text` ("\n" line ends), CRLF line ends.
std::string QuotedPrintable(std::string_view text) {
  std::string out;
  size_t column = 0;
  auto put = [&](std::string_view piece) {
    if (column + piece.size() > kQpLineLength - 1) {
      out += "=\r\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool line_end = i + 1 == text.size() || text[i + 1] == '\n';
    if (c == '\n') {
      out += "\r\n";
      column = 0;
    } else if (c == '=' || c >= 127 || (c < 32 && c != '\t') ||
               ((c == ' ' || c == '\t') && line_end)) {
      put(fmt::format("={:02X}", c));
    } else {
      put(std::string_view(&text[i], 1));
    }
  }
  return out;
}

std::string Text(const nlohmann::json& alert, const char* field) {
  if (!alert.contains(field)) return "";
  const nlohmann::json& v = alert[field];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const nlohmann::json& item : v) {
      if (!out.empty()) out += ", ";
      out += item.is_string() ? item.get<std::string>() : item.dump();
    }
    return out;
  }
  return v.dump();
}

std::string CountsLine(const nlohmann::json& counts) {
  std::string out;
  for (auto it = counts.begin(); it != counts.end(); ++it) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", it.key(), it.value().dump());
  }
  return out;
}

std::string MailDomain(std::string_view from) {
  std::string address = MailAddress(from);
  size_t at = address.rfind('@');
  if (at == std::string::npos || at + 1 == address.size()) return "slagboom";
  return address.substr(at + 1);
}

struct Upload {
  std::string data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

struct CurlCleanup {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListCleanup {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

std::string MailAddress(std::string_view mailbox) {
  size_t open = mailbox.rfind('<');
  size_t close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos &&
      open < close)
    mailbox = mailbox.substr(open + 1, close - open - 1);
  while (!mailbox.empty() && mailbox.front() == ' ') mailbox.remove_prefix(1);
  while (!mailbox.empty() && mailbox.back() == ' ') mailbox.remove_suffix(1);
  return OneLine(mailbox);
}

std::string MailSubject(const nlohmann::json& alert) {
  return OneLine(fmt::format("[slagboom] {} {}: {}", Text(alert, "severity"),
                             Text(alert, "rule"), Text(alert, "state")));
}

std::string MailText(const nlohmann::json& alert, std::string_view link) {
  std::string out =
      fmt::format("Alert {} of rule {} is {}.\n\n", Text(alert, "id"),
                  Text(alert, "rule"), Text(alert, "state"));
  auto line = [&](const char* label, const char* field) {
    std::string value = Text(alert, field);
    if (!value.empty()) out += fmt::format("{:<12}{}\n", label, value);
  };
  line("Severity:", "severity");
  line("Regions:", "regions");
  line("Steps:", "steps");
  line("Incidents:", "incident_count");
  line("First:", "first_at");
  line("Last:", "last_at");
  line("Resolved:", "resolved_at");
  line("TLP:", "tlp");
  if (alert.value("key_kind", "none") != "none") {
    out += fmt::format("{:<12}{} {}\n", "Key:", Text(alert, "key_kind"),
                       Text(alert, "key"));
  }
  line("About:", "description");
  if (alert.contains("counts") && alert["counts"].is_object()) {
    const nlohmann::json& counts = alert["counts"];
    if (counts.contains("by_region"))
      out += fmt::format("{:<12}{}\n",
                         "Per region:", CountsLine(counts["by_region"]));
    if (counts.contains("by_offence"))
      out += fmt::format("{:<12}{}\n",
                         "Per offence:", CountsLine(counts["by_offence"]));
  }
  if (alert.contains("incidents") && alert["incidents"].is_array() &&
      !alert["incidents"].empty()) {
    out += "\nIncidents:\n";
    for (const nlohmann::json& i : alert["incidents"]) {
      out +=
          fmt::format("  {} {} {} {}\n", Text(i, "occurred_at"),
                      Text(i, "region"), Text(i, "step"), Text(i, "offence"));
    }
  }
  if (!link.empty()) out += fmt::format("\n{}\n", link);
  return out;
}

std::string ComposeMail(const config::SubscriberConfig& subscriber,
                        std::string_view delivery_id,
                        const nlohmann::json& alert, core::Instant now) {
  std::string to;
  for (const std::string& mailbox : subscriber.to) {
    if (!to.empty()) to += ", ";
    to += OneLine(mailbox);
  }
  std::string domain = MailDomain(subscriber.from);
  std::string alert_id = OneLine(Text(alert, "id"));
  std::string link;
  if (!subscriber.link_base.empty()) link = subscriber.link_base + alert_id;

  std::string mail;
  auto header = [&](std::string_view name, std::string_view value) {
    mail += fmt::format("{}: {}\r\n", name, value);
  };
  header("Date", date::format("%a, %d %b %Y %H:%M:%S +0000",
                              date::floor<std::chrono::seconds>(now)));
  header("From", HeaderText(OneLine(subscriber.from)));
  header("To", HeaderText(to));
  header("Subject", HeaderText(MailSubject(alert)));
  header("Message-ID", fmt::format("<{}@{}>", OneLine(delivery_id), domain));
  header("References", fmt::format("<alert.{}@{}>", alert_id, domain));
  header("MIME-Version", "1.0");
  header("Content-Type", "text/plain; charset=UTF-8");
  header("Content-Transfer-Encoding", "quoted-printable");
  header("X-Slagboom-Delivery", OneLine(delivery_id));
  mail += "\r\n";
  mail += QuotedPrintable(MailText(alert, link));
  return mail;
}

SmtpSender::SmtpSender(const core::Clock& clock) : clock_(clock) {
  // Reference-counted by libcurl; safe to call from here since 7.84.
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

SmtpSender::~SmtpSender() { curl_global_cleanup(); }

SendResult SmtpSender::Send(const config::SubscriberConfig& subscriber,
                            const std::string& delivery_id,
                            const std::string& body) {
  SendResult result;
  nlohmann::json envelope = nlohmann::json::parse(body, nullptr, false);
  if (envelope.is_discarded() || !envelope.contains("alert")) {
    result.error = "delivery payload is not an alert envelope";
    result.permanent = true;
    return result;
  }
  std::string password;
  if (!subscriber.password_file.empty()) {
    std::optional<std::string> secret = LoadSecret(subscriber.password_file);
    if (!secret) {
      result.error = "password_file cannot be read or is empty";
      return result;
    }
    password = *secret;
  }

  std::unique_ptr<CURL, CurlCleanup> curl(curl_easy_init());
  if (!curl) {
    result.error = "libcurl: no handle";
    return result;
  }
  Upload upload{
      ComposeMail(subscriber, delivery_id, envelope["alert"], clock_.Now())};
  std::unique_ptr<curl_slist, ListCleanup> recipients;
  for (const std::string& mailbox : subscriber.to) {
    std::string rcpt = "<" + MailAddress(mailbox) + ">";
    recipients.reset(curl_slist_append(recipients.release(), rcpt.c_str()));
  }
  std::string from = "<" + MailAddress(subscriber.from) + ">";
  long timeout_ms = static_cast<long>(subscriber.timeout.count());

  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, subscriber.url.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2 * timeout_ms);
  if (subscriber.starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, CURLUSESSL_ALL);
  if (!subscriber.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, subscriber.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
  }

  CURLcode code = curl_easy_perform(c);
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  if (code == CURLE_OK) {
    result.status = 250;
    return result;
  }
  result.error =
      reply > 0 ? fmt::format("SMTP {}: {}", reply, curl_easy_strerror(code))
                : curl_easy_strerror(code);
  result.permanent = reply >= 500 && reply < 600;
  return result;
}

}  // namespace slagboom::notifier
