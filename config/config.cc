#include "config/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "config/yaml_tree.h"
#include "core/incident.h"
#include "core/time_util.h"

namespace slagboom::config {
namespace {

using Kind = YamlNode::Kind;
using Names = std::vector<std::string_view>;

const Names kRuleKinds = {"count", "sequence", "watchlist", "spike", "wave"};
const Names kSeverities = {"low", "medium", "high", "critical"};
const Names kSteps = {"entry",   "stay",  "infrastructure", "offence",
                      "storage", "trade", "proceeds"};
const Names kKeys = {"plate",        "block",         "beat",        "region",
                     "municipality", "safety_region", "police_unit", "offence",
                     "reporter",     "none"};
const Names kRegionLevels = {"region",      "municipality", "safety_region",
                             "police_unit", "beat",         "block"};
const Names kChannels = {"webhook", "log", "email", "sms"};
const Names kAudiences = {"police", "partner", "shopkeeper"};
const Names kSmsMethods = {"POST", "PUT", "GET"};
const Names kEndpointSchemes = {"tcp://", "ipc://", "inproc://"};

bool Contains(const Names& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool StartsWithAny(std::string_view text, const Names& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](std::string_view p) { return text.starts_with(p); });
}

// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// "host:port", "[::1]:port"; port 0 lets the system choose.
bool IsHostPort(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.front() == '[' && host.back() != ']') return false;
  if (host.front() != '[' && host.find(':') != std::string_view::npos)
    return false;
  if (port.empty() || port.size() > 5) return false;
  if (!std::all_of(port.begin(), port.end(),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  return std::stoi(std::string(port)) <= 65535;
}

bool IsRuleId(std::string_view id) {
  auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  };
  return !id.empty() && id.front() != '-' &&
         std::all_of(id.begin(), id.end(), ok);
}

std::string Describe(const YamlNode& node) {
  switch (node.kind) {
    case Kind::kNull:
      return "nothing";
    case Kind::kList:
      return "a list";
    case Kind::kMap:
      return "a mapping";
    case Kind::kScalar:
      break;
  }
  if (node.plain) return fmt::format("'{}'", node.text);
  return fmt::format("the quoted text \"{}\"", node.text);
}

std::string Child(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : fmt::format("{}.{}", path, name);
}

std::string Item(const std::string& path, size_t index) {
  return fmt::format("{}[{}]", path, index);
}

// One field of a mapping and what to do with its value.
using FieldReader =
    std::function<void(const YamlNode& value, const std::string& path)>;
struct Field {
  std::string_view name;
  FieldReader read;
};

// Walks the tree section by section, filling a Config and collecting every
// problem; checks that span several fields run once all is read.
class Loader {
 public:
  Loader(const std::string& file, std::vector<ConfigError>* errors)
      : file_(file), errors_(errors) {}

  void Read(const YamlNode& root, Config* config) {
    ReadMap(root, "", TopFields(config));
    CheckRules(*config);
    CheckSubscribers(config->notify, config->rules);
    CheckRetry(config->notify);
  }

 private:
  void Fail(int line, const std::string& path, std::string_view message) {
    std::string text = path.empty() ? std::string(message)
                                    : fmt::format("{}: {}", path, message);
    errors_->push_back({file_, line, std::move(text)});
  }

  int LineOf(const std::string& path, int fallback) const {
    auto it = lines_.find(path);
    return it == lines_.end() ? fallback : it->second;
  }

  void ReadMap(const YamlNode& node, const std::string& path,
               const std::vector<Field>& fields) {
    if (node.kind == Kind::kNull) return;  // an empty section: defaults
    if (node.kind != Kind::kMap) {
      Fail(node.line, path, "expected a mapping, got " + Describe(node));
      return;
    }
    for (size_t i = 0; i < node.MapSize(); ++i) {
      const std::string& name = node.Key(i).text;
      auto it = std::find_if(fields.begin(), fields.end(),
                             [&](const Field& f) { return f.name == name; });
      if (it == fields.end()) {
        UnknownField(node.Key(i), path, fields);
        continue;
      }
      std::string child = Child(path, name);
      lines_[child] = node.Value(i).line;
      it->read(node.Value(i), child);
    }
  }

  void UnknownField(const YamlNode& key, const std::string& path,
                    const std::vector<Field>& fields) {
    const Field* best = nullptr;
    size_t best_distance = 0;
    for (const Field& f : fields) {
      size_t d = EditDistance(key.text, f.name);
      if (best == nullptr || d < best_distance) {
        best = &f;
        best_distance = d;
      }
    }
    size_t limit = std::clamp<size_t>(key.text.size() / 3, 1, 3);
    if (best != nullptr && best_distance <= limit) {
      Fail(key.line, path,
           fmt::format("unknown field '{}' (did you mean '{}'?)", key.text,
                       best->name));
      return;
    }
    Names names;
    for (const Field& f : fields) names.push_back(f.name);
    Fail(key.line, path,
         fmt::format("unknown field '{}' (expected one of: {})", key.text,
                     fmt::join(names, ", ")));
  }

  bool Text(const YamlNode& v, const std::string& path, std::string* out) {
    if (v.kind == Kind::kNull) {
      Fail(v.line, path, "has no value (leave it out to keep the default)");
      return false;
    }
    if (v.kind != Kind::kScalar) {
      Fail(v.line, path, "expected text, got " + Describe(v));
      return false;
    }
    *out = v.text;
    return true;
  }

  bool NonEmptyText(const YamlNode& v, const std::string& path,
                    std::string* out) {
    if (!Text(v, path, out)) return false;
    if (!out->empty()) return true;
    Fail(v.line, path, "must not be empty");
    return false;
  }

  void OneOf(const YamlNode& v, const std::string& path, std::string_view what,
             const Names& names, std::string* out) {
    if (!Text(v, path, out) || Contains(names, *out)) return;
    Fail(v.line, path,
         fmt::format("unknown {} '{}' (supported: {})", what, *out,
                     fmt::join(names, ", ")));
  }

  // Items stay text whatever they look like (NO is not false); repeats
  // are dropped.  Item lines are kept under their index in *out.
  bool TextList(const YamlNode& v, const std::string& path,
                std::vector<std::string>* out) {
    if (v.kind == Kind::kNull) return false;
    if (v.kind != Kind::kList) {
      Fail(v.line, path, "expected a list, got " + Describe(v));
      return false;
    }
    out->clear();
    for (size_t i = 0; i < v.children.size(); ++i) {
      std::string item;
      if (!NonEmptyText(v.children[i], Item(path, i), &item)) continue;
      if (std::find(out->begin(), out->end(), item) != out->end()) continue;
      lines_[Item(path, out->size())] = v.children[i].line;
      out->push_back(std::move(item));
    }
    return true;
  }

  // A whole number of at least 1, written without quotes.
  bool Count(const YamlNode& v, const std::string& path, long long max,
             long long* out) {
    if (v.kind != Kind::kScalar || !v.plain) {
      Fail(v.line, path, "expected a whole number, got " + Describe(v));
      return false;
    }
    long long n = 0;
    const char* end = v.text.data() + v.text.size();
    auto [ptr, ec] = std::from_chars(v.text.data(), end, n);
    if (v.text.empty() || ptr != end || ec == std::errc::invalid_argument) {
      Fail(v.line, path, "expected a whole number, got " + Describe(v));
      return false;
    }
    if (ec == std::errc::result_out_of_range || n > max) {
      Fail(v.line, path,
           fmt::format("{} is too large (at most {})", v.text, max));
      return false;
    }
    if (n < 1) {
      Fail(v.line, path, fmt::format("must be at least 1, got {}", n));
      return false;
    }
    *out = n;
    return true;
  }

  void Int(const YamlNode& v, const std::string& path, int* out) {
    long long n = 0;
    if (Count(v, path, std::numeric_limits<int>::max(), &n))
      *out = static_cast<int>(n);
  }

  void Size(const YamlNode& v, const std::string& path, size_t* out) {
    long long n = 0;
    if (Count(v, path, std::numeric_limits<long long>::max(), &n))
      *out = static_cast<size_t>(n);
  }

  // A duration; zero is refused unless `allow_zero`.
  bool Dur(const YamlNode& v, const std::string& path, bool allow_zero,
           core::Duration* out) {
    std::string text;
    if (!Text(v, path, &text)) return false;
    std::optional<core::Duration> d = core::ParseDuration(text);
    if (!d) {
      Fail(v.line, path,
           fmt::format("'{}' is not a duration (write e.g. 500ms, 30s, 15m, "
                       "48h, 7d or 1h30m)",
                       text));
      return false;
    }
    if (!allow_zero && d->count() == 0) {
      Fail(v.line, path, "must be longer than 0");
      return false;
    }
    *out = *d;
    return true;
  }

  void Positive(const YamlNode& v, const std::string& p, core::Duration* out) {
    Dur(v, p, false, out);
  }

  void ZeroOrMore(const YamlNode& v, const std::string& p,
                  core::Duration* out) {
    Dur(v, p, true, out);
  }

  // Only plain true or false: yes, on, 1 and quoted "true" are refused.
  void Bool(const YamlNode& v, const std::string& path, bool* out) {
    if (v.kind == Kind::kScalar && v.plain &&
        (v.text == "true" || v.text == "false")) {
      *out = v.text == "true";
      return;
    }
    Fail(v.line, path, "expected true or false, got " + Describe(v));
  }

  void Endpoint(const YamlNode& v, const std::string& path, std::string* out) {
    if (!NonEmptyText(v, path, out) || StartsWithAny(*out, kEndpointSchemes))
      return;
    Fail(v.line, path,
         fmt::format("'{}' is not a ZeroMQ endpoint (tcp://, ipc:// or "
                     "inproc://)",
                     *out));
  }

  // A FieldReader that hands the value to `method` with `out`.
  template <typename Method, typename T>
  FieldReader Into(Method method, T* out) {
    return [=, this](const YamlNode& v, const std::string& p) {
      (this->*method)(v, p, out);
    };
  }

  FieldReader OneOf(std::string_view what, const Names& names,
                    std::string* out) {
    return [=, &names, this](const YamlNode& v, const std::string& p) {
      OneOf(v, p, what, names, out);
    };
  }

  std::vector<Field> TopFields(Config* c) {
    return {{"data_dir", Into(&Loader::NonEmptyText, &c->data_dir)},
            {"profiles_dir", Into(&Loader::NonEmptyText, &c->profiles_dir)},
            {"http", Into(&Loader::ReadHttp, &c->http)},
            {"bus", Into(&Loader::ReadBus, &c->bus)},
            {"ingest", Into(&Loader::ReadIngest, &c->ingest)},
            {"rules", Into(&Loader::ReadRules, &c->rules)},
            {"notify", Into(&Loader::ReadNotify, &c->notify)},
            {"regions", Into(&Loader::ReadRegions, &c->regions)},
            {"anpr", Into(&Loader::ReadAnpr, &c->anpr)}};
  }

  void ReadRegions(const YamlNode& node, const std::string& path,
                   RegionsConfig* r) {
    ReadMap(node, path,
            {{"municipalities", Into(&Loader::Text, &r->municipalities)},
             {"hierarchy", Into(&Loader::Text, &r->hierarchy)},
             {"aliases", Into(&Loader::Text, &r->aliases)},
             {"districts", Into(&Loader::Text, &r->districts)}});
  }

  void ReadAnpr(const YamlNode& node, const std::string& path, AnprConfig* a) {
    auto listen = [=, this](const YamlNode& v, const std::string& p) {
      if (!NonEmptyText(v, p, &a->listen) || IsHostPort(a->listen)) return;
      Fail(v.line, p,
           fmt::format("'{}' is not HOST:PORT (e.g. 127.0.0.1:7070)",
                       a->listen));
    };
    ReadMap(node, path,
            {{"enabled", Into(&Loader::Bool, &a->enabled)},
             {"listen", listen},
             {"max_line_bytes", Into(&Loader::Size, &a->max_line_bytes)}});
  }

  void ReadHttp(const YamlNode& node, const std::string& path, HttpConfig* h) {
    auto listen = [=, this](const YamlNode& v, const std::string& p) {
      if (!NonEmptyText(v, p, &h->listen) || IsHostPort(h->listen)) return;
      Fail(v.line, p,
           fmt::format("'{}' is not HOST:PORT (e.g. 127.0.0.1:8080)",
                       h->listen));
    };
    ReadMap(node, path,
            {{"listen", listen},
             {"max_body_bytes", Into(&Loader::Size, &h->max_body_bytes)}});
  }

  void ReadBus(const YamlNode& node, const std::string& path, BusConfig* b) {
    ReadMap(node, path,
            {{"xsub", Into(&Loader::Endpoint, &b->xsub)},
             {"xpub", Into(&Loader::Endpoint, &b->xpub)},
             {"ingest_replay", Into(&Loader::Endpoint, &b->ingest_replay)},
             {"rules_replay", Into(&Loader::Endpoint, &b->rules_replay)}});
  }

  void ReadIngest(const YamlNode& node, const std::string& path,
                  IngestConfig* in) {
    auto zone = [=, this](const YamlNode& v, const std::string& p) {
      if (!NonEmptyText(v, p, &in->default_zone) ||
          core::IsKnownZone(in->default_zone))
        return;
      Fail(v.line, p, fmt::format("unknown time zone '{}'", in->default_zone));
    };
    auto offences = [=, this](const YamlNode& v, const std::string& p) {
      if (TextList(v, p, &in->offences) && in->offences.empty())
        Fail(v.line, p, "must name at least one offence");
    };
    ReadMap(
        node, path,
        {{"default_zone", zone},
         {"future_tolerance", Into(&Loader::ZeroOrMore, &in->future_tolerance)},
         {"offences", offences},
         {"plate_key_file", Into(&Loader::Text, &in->plate_key_file)},
         {"rate_limit_per_minute",
          Into(&Loader::Size, &in->rate_limit_per_minute)}});
  }

  void ReadRules(const YamlNode& node, const std::string& path,
                 RulesConfig* r) {
    if (node.kind == Kind::kList) {  // the shorthand: `rules:` is the list
      ReadRuleList(node, path, &r->rules);
      return;
    }
    ReadMap(node, path,
            {{"lateness", Into(&Loader::ZeroOrMore, &r->lateness)},
             {"rules", Into(&Loader::ReadRuleList, &r->rules)}});
  }

  void ReadRuleList(const YamlNode& node, const std::string& path,
                    std::vector<RuleConfig>* rules) {
    if (node.kind == Kind::kNull) return;
    if (node.kind != Kind::kList) {
      Fail(node.line, path, "expected a list of rules, got " + Describe(node));
      return;
    }
    for (size_t i = 0; i < node.children.size(); ++i) {
      const YamlNode& item = node.children[i];
      if (item.kind != Kind::kMap) {
        Fail(item.line, Item(path, i),
             "expected a rule (a mapping), got " + Describe(item));
        continue;
      }
      RuleConfig rule;
      rule.line = item.line;
      ReadRule(item, Item(path, i), &rule);
      rules->push_back(std::move(rule));
      rule_paths_.push_back(Item(path, i));
    }
  }

  void ReadRule(const YamlNode& node, const std::string& path, RuleConfig* r) {
    auto id = [=, this](const YamlNode& v, const std::string& p) {
      if (!Text(v, p, &r->id) || IsRuleId(r->id)) return;
      Fail(v.line, p,
           fmt::format("rule id '{}' must match [a-z0-9][a-z0-9-]*", r->id));
    };
    auto steps = [=, this](const YamlNode& v, const std::string& p) {
      TextList(v, p, &r->steps);
      for (size_t i = 0; i < r->steps.size(); ++i) {
        if (core::ParseStep(r->steps[i])) continue;
        Fail(LineOf(Item(p, i), v.line), p,
             fmt::format("unknown step '{}' (supported: {})", r->steps[i],
                         fmt::join(kSteps, ", ")));
      }
    };
    ReadMap(node, path,
            {{"id", id},
             {"kind", OneOf("rule kind", kRuleKinds, &r->kind)},
             {"description", Into(&Loader::Text, &r->description)},
             {"severity", OneOf("severity", kSeverities, &r->severity)},
             {"steps", steps},
             {"offences", Into(&Loader::TextList, &r->offences)},
             {"tags", Into(&Loader::TextList, &r->tags)},
             {"key", OneOf("key", kKeys, &r->key)},
             {"window", Into(&Loader::Positive, &r->window)},
             {"min_count", Into(&Loader::Int, &r->min_count)},
             {"min_regions", Into(&Loader::Int, &r->min_regions)},
             {"max_incidents", Into(&Loader::Int, &r->max_incidents)},
             {"region_level",
              OneOf("region level", kRegionLevels, &r->region_level)},
             {"enabled", Into(&Loader::Bool, &r->enabled)},
             {"steps_in_order", StepList(&r->steps_in_order)},
             {"then_not", OneOf("step", kSteps, &r->then_not)},
             {"within", Into(&Loader::Positive, &r->within)},
             {"watch_rules", Into(&Loader::TextList, &r->watch_rules)},
             {"baseline_windows", Into(&Loader::Int, &r->baseline_windows)},
             {"factor", Into(&Loader::Factor, &r->factor)},
             {"horizon", Into(&Loader::Positive, &r->horizon)}});
  }

  // A list of barrier steps; repeats are kept, since a sequence may name a
  // step twice.
  FieldReader StepList(std::vector<std::string>* out) {
    return [=, this](const YamlNode& v, const std::string& p) {
      if (v.kind != Kind::kList) {
        Fail(v.line, p, "expected a list of steps, got " + Describe(v));
        return;
      }
      out->clear();
      for (size_t i = 0; i < v.children.size(); ++i) {
        std::string step;
        if (!NonEmptyText(v.children[i], Item(p, i), &step)) continue;
        if (!core::ParseStep(step)) {
          Fail(v.children[i].line, p,
               fmt::format("unknown step '{}' (supported: {})", step,
                           fmt::join(kSteps, ", ")));
        }
        out->push_back(std::move(step));
      }
    };
  }

  // A plain number greater than 0, such as 3 or 2.5.
  void Factor(const YamlNode& v, const std::string& path, double* out) {
    double x = 0;
    const char* end = v.text.data() + v.text.size();
    auto [ptr, ec] = std::from_chars(v.text.data(), end, x);
    if (v.kind != Kind::kScalar || !v.plain || v.text.empty() || ptr != end ||
        ec != std::errc() || !(x > 0) || x > 1e9) {
      Fail(v.line, path,
           "expected a number greater than 0, got " + Describe(v));
      return;
    }
    *out = x;
  }

  void ReadNotify(const YamlNode& node, const std::string& path,
                  NotifyConfig* n) {
    ReadMap(
        node, path,
        {{"subscribers", Into(&Loader::ReadSubscriberList, &n->subscribers)},
         {"retry_initial", Into(&Loader::Positive, &n->retry_initial)},
         {"retry_max", Into(&Loader::Positive, &n->retry_max)},
         {"max_attempts", Into(&Loader::Int, &n->max_attempts)}});
  }

  void ReadSubscriberList(const YamlNode& node, const std::string& path,
                          std::vector<SubscriberConfig>* subscribers) {
    if (node.kind == Kind::kNull) return;
    if (node.kind != Kind::kList) {
      Fail(node.line, path,
           "expected a list of subscribers, got " + Describe(node));
      return;
    }
    for (size_t i = 0; i < node.children.size(); ++i) {
      const YamlNode& item = node.children[i];
      if (item.kind != Kind::kMap) {
        Fail(item.line, Item(path, i),
             "expected a subscriber (a mapping), got " + Describe(item));
        continue;
      }
      SubscriberConfig s;
      s.line = item.line;
      ReadSubscriber(item, Item(path, i), &s);
      subscribers->push_back(std::move(s));
      subscriber_paths_.push_back(Item(path, i));
    }
  }

  void ReadSubscriber(const YamlNode& node, const std::string& path,
                      SubscriberConfig* s) {
    ReadMap(
        node, path,
        {{"id", Into(&Loader::NonEmptyText, &s->id)},
         {"channel", OneOf("channel", kChannels, &s->channel)},
         {"url", Into(&Loader::Text, &s->url)},
         {"rules", Into(&Loader::TextList, &s->rules)},
         {"timeout", Into(&Loader::Positive, &s->timeout)},
         {"secret_file", Into(&Loader::Text, &s->secret_file)},
         {"audience", OneOf("audience", kAudiences, &s->audience)},
         {"min_severity", OneOf("severity", kSeverities, &s->min_severity)},
         {"regions", Into(&Loader::TextList, &s->regions)},
         {"steps", Into(&Loader::TextList, &s->steps)},
         {"repeat_interval", Into(&Loader::ZeroOrMore, &s->repeat_interval)},
         {"max_per_hour", Into(&Loader::Int, &s->max_per_hour)},
         {"quiet_hours", Into(&Loader::QuietHours, &s->quiet_hours)},
         {"zone", Into(&Loader::Zone, &s->zone)},
         {"escalate_after", Into(&Loader::ZeroOrMore, &s->escalate_after)},
         {"from", Into(&Loader::Text, &s->from)},
         {"to", Into(&Loader::TextList, &s->to)},
         {"username", Into(&Loader::Text, &s->username)},
         {"password_file", Into(&Loader::Text, &s->password_file)},
         {"starttls", Into(&Loader::Bool, &s->starttls)},
         {"method", OneOf("method", kSmsMethods, &s->method)},
         {"numbers", Into(&Loader::TextList, &s->numbers)},
         {"body_template", Into(&Loader::Text, &s->body_template)},
         {"content_type", Into(&Loader::NonEmptyText, &s->content_type)},
         {"auth_header", Into(&Loader::NonEmptyText, &s->auth_header)},
         {"auth_file", Into(&Loader::Text, &s->auth_file)},
         {"auth_env", Into(&Loader::Text, &s->auth_env)},
         {"max_length", Into(&Loader::Int, &s->max_length)},
         {"link_base", Into(&Loader::Text, &s->link_base)},
         {"escalate_to", Into(&Loader::NonEmptyText, &s->escalate_to)},
         {"areas", Into(&Loader::ReadAreaList, &s->areas)},
         {"sectors", Into(&Loader::TextList, &s->sectors)},
         {"group_by", Into(&Loader::GroupBy, &s->group_by)},
         {"group_wait", Into(&Loader::ZeroOrMore, &s->group_wait)},
         {"group_interval", Into(&Loader::Positive, &s->group_interval)}});
    // Incidents fold their sector the same way.
    for (std::string& sector : s->sectors) {
      for (char& c : sector) c = static_cast<char>(std::tolower(c));
    }
  }

  void GroupBy(const YamlNode& v, const std::string& path,
               std::vector<std::string>* out) {
    static const Names kGroupFields = {"rule", "region", "severity", "step"};
    TextList(v, path, out);
    for (size_t i = 0; i < out->size(); ++i) {
      if (Contains(kGroupFields, (*out)[i])) continue;
      Fail(LineOf(Item(path, i), v.line), Item(path, i),
           fmt::format("cannot group by '{}' (supported: {})", (*out)[i],
                       fmt::join(kGroupFields, ", ")));
    }
  }

  // areas: a list of {lat, lon, radius_m} circles and {polygon: [[lat,
  // lon], ...]} polygons.
  void ReadAreaList(const YamlNode& node, const std::string& path,
                    std::vector<AreaConfig>* areas) {
    if (node.kind != Kind::kList) {
      Fail(node.line, path, "expected a list of areas, got " + Describe(node));
      return;
    }
    for (size_t i = 0; i < node.children.size(); ++i) {
      AreaConfig area;
      area.line = node.children[i].line;
      ReadArea(node.children[i], Item(path, i), &area);
      areas->push_back(std::move(area));
    }
  }

  void ReadArea(const YamlNode& node, const std::string& path, AreaConfig* a) {
    if (node.kind != Kind::kMap) {
      Fail(node.line, path,
           "expected an area (lat, lon, radius_m or polygon), got " +
               Describe(node));
      return;
    }
    bool lat = false, lon = false, radius = false, polygon = false;
    auto coordinate = [&](double limit, double* out, bool* seen) {
      return [=, this](const YamlNode& v, const std::string& p) {
        *seen = Degrees(v, p, limit, out);
      };
    };
    auto radius_m = [&](const YamlNode& v, const std::string& p) {
      Factor(v, p, &a->radius_m);
      radius = true;
    };
    auto points = [&](const YamlNode& v, const std::string& p) {
      polygon = true;
      ReadPolygon(v, p, &a->polygon);
    };
    ReadMap(node, path,
            {{"lat", coordinate(90, &a->lat, &lat)},
             {"lon", coordinate(180, &a->lon, &lon)},
             {"radius_m", radius_m},
             {"polygon", points}});
    if (polygon && (lat || lon || radius)) {
      Fail(node.line, path, "an area is a circle or a polygon, not both");
    } else if (!polygon && !(lat && lon && radius)) {
      Fail(node.line, path,
           "a circle needs lat, lon and radius_m (or give a polygon)");
    }
  }

  void ReadPolygon(const YamlNode& v, const std::string& path,
                   std::vector<std::pair<double, double>>* out) {
    if (v.kind != Kind::kList || v.children.size() < 3) {
      Fail(v.line, path, "expected a list of at least 3 [lat, lon] points");
      return;
    }
    for (size_t i = 0; i < v.children.size(); ++i) {
      const YamlNode& point = v.children[i];
      if (point.kind != Kind::kList || point.children.size() != 2) {
        Fail(point.line, Item(path, i),
             "expected a point [lat, lon], got " + Describe(point));
        continue;
      }
      std::pair<double, double> p;
      if (Degrees(point.children[0], Item(path, i), 90, &p.first) &&
          Degrees(point.children[1], Item(path, i), 180, &p.second))
        out->push_back(p);
    }
  }

  // A plain number of degrees between -limit and limit.
  bool Degrees(const YamlNode& v, const std::string& path, double limit,
               double* out) {
    double x = 0;
    const char* end = v.text.data() + v.text.size();
    auto [ptr, ec] = std::from_chars(v.text.data(), end, x);
    if (v.kind != Kind::kScalar || !v.plain || v.text.empty() || ptr != end ||
        ec != std::errc() || !(x >= -limit && x <= limit)) {
      Fail(v.line, path,
           fmt::format("expected degrees between -{} and {}, got {}", limit,
                       limit, Describe(v)));
      return false;
    }
    *out = x;
    return true;
  }

  // "HH:MM-HH:MM", each a time of day; the range may wrap past midnight.
  void QuietHours(const YamlNode& v, const std::string& path,
                  std::string* out) {
    if (!Text(v, path, out)) return;
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    auto clock_time = [&](std::string_view t) {
      return t.size() == 5 && t[2] == ':' && digit(t[0]) && digit(t[1]) &&
             digit(t[3]) && digit(t[4]) &&
             std::stoi(std::string(t.substr(0, 2))) < 24 &&
             std::stoi(std::string(t.substr(3, 2))) < 60;
    };
    std::string_view text = *out;
    if (text.size() == 11 && text[5] == '-' && clock_time(text.substr(0, 5)) &&
        clock_time(text.substr(6)))
      return;
    Fail(v.line, path,
         fmt::format("'{}' is not a range of times (write e.g. 22:00-07:00)",
                     *out));
  }

  void Zone(const YamlNode& v, const std::string& path, std::string* out) {
    if (!NonEmptyText(v, path, out) || core::IsKnownZone(*out)) return;
    Fail(v.line, path, fmt::format("unknown time zone '{}'", *out));
  }

  void CheckRules(const Config& config) {
    std::map<std::string, int> first_line;
    const std::vector<std::string>& known = config.ingest.offences;
    for (size_t i = 0; i < config.rules.rules.size(); ++i) {
      const RuleConfig& r = config.rules.rules[i];
      const std::string& path = rule_paths_[i];
      if (!lines_.count(Child(path, "id"))) {
        Fail(r.line, path, "a rule needs an id");
      } else if (auto [it, fresh] = first_line.emplace(r.id, r.line); !fresh) {
        Fail(r.line, path,
             fmt::format("repeated rule id '{}' (first at line {})", r.id,
                         it->second));
      }
      if (r.min_regions > r.min_count) {
        Fail(LineOf(Child(path, "min_regions"), r.line), path,
             fmt::format("min_regions {} can never be reached with "
                         "min_count {}",
                         r.min_regions, r.min_count));
      }
      // Only the kinds that gather episodes read max_incidents.
      const bool episodes = r.kind == "count" || r.kind == "wave" ||
                            (r.kind == "sequence" && r.then_not.empty());
      const int needed = r.kind == "sequence"
                             ? static_cast<int>(r.steps_in_order.size())
                             : r.min_count;
      if (episodes && r.max_incidents < std::max(needed, 1)) {
        Fail(LineOf(Child(path, "max_incidents"), r.line), path,
             fmt::format("max_incidents {} cannot hold the {} incidents the "
                         "rule needs",
                         r.max_incidents, std::max(needed, 1)));
      }
      CheckKind(config.rules, r, path);
      for (size_t j = 0; j < r.offences.size(); ++j) {
        if (std::find(known.begin(), known.end(), r.offences[j]) != known.end())
          continue;
        std::string p = Child(path, "offences");
        Fail(LineOf(Item(p, j), r.line), p,
             fmt::format("offence '{}' is not in ingest.offences",
                         r.offences[j]));
      }
    }
  }

  // What each kind needs of the fields it reads.
  void CheckKind(const RulesConfig& rules, const RuleConfig& r,
                 const std::string& path) {
    auto line = [&](std::string_view field) {
      return LineOf(Child(path, field), r.line);
    };
    if (r.kind == "sequence") {
      const size_t needed = r.then_not.empty() ? 2 : 1;
      if (r.steps_in_order.size() < needed) {
        Fail(line("steps_in_order"), path,
             fmt::format("a sequence needs steps_in_order with at least {} "
                         "step{}",
                         needed, needed == 1 ? "" : "s"));
      }
      if (r.key == "none")
        Fail(line("key"), path, "a sequence needs a key other than none");
    } else if (r.kind == "watchlist") {
      if (r.key == "none")
        Fail(line("key"), path, "a watchlist needs a key other than none");
      for (size_t j = 0; j < r.watch_rules.size(); ++j) {
        auto named = [&](const RuleConfig& o) {
          return o.id == r.watch_rules[j] && o.id != r.id &&
                 o.kind != "watchlist";
        };
        if (std::any_of(rules.rules.begin(), rules.rules.end(), named))
          continue;
        std::string p = Child(path, "watch_rules");
        Fail(LineOf(Item(p, j), r.line), p,
             fmt::format("'{}' names no other rule that is not a watchlist",
                         r.watch_rules[j]));
      }
    }
    const bool sequence_field =
        !r.steps_in_order.empty() || !r.then_not.empty();
    if (r.kind != "sequence" && sequence_field) {
      Fail(line(r.then_not.empty() ? "steps_in_order" : "then_not"), path,
           fmt::format("steps_in_order and then_not are for kind sequence, "
                       "not {}",
                       r.kind));
    }
  }

  void CheckSubscribers(const NotifyConfig& notify, const RulesConfig& rules) {
    std::map<std::string, int> first_line;
    for (size_t i = 0; i < notify.subscribers.size(); ++i) {
      const SubscriberConfig& s = notify.subscribers[i];
      const std::string& path = subscriber_paths_[i];
      if (!lines_.count(Child(path, "id"))) {
        Fail(s.line, path, "a subscriber needs an id");
      } else if (auto [it, fresh] = first_line.emplace(s.id, s.line); !fresh) {
        Fail(s.line, path,
             fmt::format("repeated subscriber id '{}' (first at line {})", s.id,
                         it->second));
      }
      CheckChannel(s, path);
      CheckMessageChannel(s, path);
      CheckEscalation(notify, s, path);
      for (size_t j = 0; j < s.rules.size(); ++j) {
        auto same = [&](const RuleConfig& r) { return r.id == s.rules[j]; };
        if (std::any_of(rules.rules.begin(), rules.rules.end(), same)) continue;
        std::string p = Child(path, "rules");
        Fail(LineOf(Item(p, j), s.line), p,
             fmt::format("unknown rule '{}'", s.rules[j]));
      }
    }
  }

  void CheckChannel(const SubscriberConfig& s, const std::string& path) {
    int url_line = LineOf(Child(path, "url"), s.line);
    if (!lines_.count(Child(path, "channel"))) {
      Fail(s.line, path, "a subscriber needs a channel (webhook or log)");
    } else if (s.channel == "log" && !s.url.empty()) {
      Fail(url_line, Child(path, "url"), "channel log takes no url");
    } else if (s.channel == "webhook" && s.url.empty()) {
      Fail(url_line, path, "channel webhook needs a url");
    } else if (s.channel == "webhook" &&
               !StartsWithAny(s.url, {"http://", "https://"})) {
      Fail(url_line, Child(path, "url"),
           fmt::format("'{}' must start with http:// or https://", s.url));
    }
  }

  // email and sms: where to send and to whom.
  void CheckMessageChannel(const SubscriberConfig& s, const std::string& path) {
    int url_line = LineOf(Child(path, "url"), s.line);
    if (s.channel == "email") {
      if (!StartsWithAny(s.url, {"smtp://", "smtps://"}))
        Fail(url_line, Child(path, "url"),
             "channel email needs a url starting with smtp:// or smtps://");
      if (s.from.empty()) Fail(s.line, path, "channel email needs a from");
      if (s.to.empty()) Fail(s.line, path, "channel email needs a to list");
    } else if (s.channel == "sms") {
      if (!StartsWithAny(s.url, {"http://", "https://"}))
        Fail(url_line, Child(path, "url"),
             "channel sms needs a url starting with http:// or https://");
      if (s.numbers.empty()) Fail(s.line, path, "channel sms needs numbers");
      if (s.max_length < 10)
        Fail(LineOf(Child(path, "max_length"), s.line),
             Child(path, "max_length"), "max_length must be 10 or more");
    }
  }

  void CheckEscalation(const NotifyConfig& notify, const SubscriberConfig& s,
                       const std::string& path) {
    if (s.escalate_to.empty()) return;
    auto named = [&](const SubscriberConfig& o) {
      return o.id == s.escalate_to && o.id != s.id;
    };
    if (std::any_of(notify.subscribers.begin(), notify.subscribers.end(),
                    named))
      return;
    Fail(LineOf(Child(path, "escalate_to"), s.line), Child(path, "escalate_to"),
         fmt::format("'{}' names no other subscriber", s.escalate_to));
  }

  void CheckRetry(const NotifyConfig& n) {
    if (n.retry_max >= n.retry_initial) return;
    Fail(LineOf("notify.retry_max", LineOf("notify.retry_initial", 0)),
         "notify.retry_max",
         fmt::format("{} is shorter than retry_initial {}",
                     core::FormatDuration(n.retry_max),
                     core::FormatDuration(n.retry_initial)));
  }

  const std::string& file_;
  std::vector<ConfigError>* errors_;
  std::map<std::string, int> lines_;  // the line of every value read
  std::vector<std::string> rule_paths_;
  std::vector<std::string> subscriber_paths_;
};

}  // namespace

std::string ConfigError::ToString() const {
  if (line <= 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}: {}", file, line, message);
}

std::string FormatErrors(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const ConfigError& e : errors) out += e.ToString() + "\n";
  return out;
}

bool ParseConfig(const std::string& text, const std::string& name, Config* out,
                 std::vector<ConfigError>* errors) {
  errors->clear();
  YamlNode root = ParseYamlTree(text, name, errors);
  Config config;
  config.path = name;
  if (root.kind != Kind::kNull && root.kind != Kind::kMap) {
    errors->push_back(
        {name, root.line,
         "expected a mapping of sections, got " + Describe(root)});
  } else if (errors->empty() || root.kind == Kind::kMap) {
    Loader(name, errors).Read(root, &config);
  }
  std::stable_sort(errors->begin(), errors->end(),
                   [](const ConfigError& a, const ConfigError& b) {
                     return a.line < b.line;
                   });
  if (!errors->empty()) return false;
  *out = std::move(config);
  return true;
}

bool LoadConfig(const std::string& path, Config* out,
                std::vector<ConfigError>* errors) {
  errors->clear();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    errors->push_back({path, 0, "cannot read: is a directory"});
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors->push_back(
        {path, 0, fmt::format("cannot read: {}", std::strerror(errno))});
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path, out, errors);
}

}  // namespace slagboom::config
