// The configuration of a slagboom installation, read from one YAML file.
//
// Every duration is written as "500ms", "30s", "15m", "48h" or "7d".
// Defaults are those given beside each field.
#ifndef SLAGBOOM_CONFIG_CONFIG_H_
#define SLAGBOOM_CONFIG_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "core/clock.h"

namespace slagboom::config {

// One problem in a configuration file, with where it is.
struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when the problem is not tied to a line
  std::string message;

  std::string ToString() const;  // "file:line: message"
};

struct HttpConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT
  size_t max_body_bytes = 1 << 20;        // larger bodies get 413
};

struct BusConfig {
  // `slagboom run` keeps every part in one process on these inproc://
  // endpoints; tcp:// ones are for parts in processes of their own.
  std::string xsub = "inproc://slagboom-xsub";  // publishers connect here
  std::string xpub = "inproc://slagboom-xpub";  // subscribers connect here
  std::string ingest_replay = "inproc://slagboom-ingest-replay";
  std::string rules_replay = "inproc://slagboom-rules-replay";
};

struct IngestConfig {
  std::string default_zone = "Europe/Amsterdam";
  core::Duration future_tolerance = std::chrono::minutes(5);
  // The offence taxonomy; incidents naming another offence are refused.
  std::vector<std::string> offences = {
      "shoplifting",   "cargo_theft", "burglary", "pickpocketing",
      "vehicle_theft", "robbery",     "fraud",    "other"};
  std::string plate_key_file;  // default: <data_dir>/plate.key
  // Reports one token may post per minute (a burst of this many, then
  // one per 60 s / rate); 0 turns the limit off.  Over it: 429.
  size_t rate_limit_per_minute = 600;
};

// A rule of kind `count`: at least `min_count` incidents that share `key`
// within `window` (an event exactly `window` after the first still
// counts), spread over at least `min_regions` distinct values of the
// `region_level` field.
struct RuleConfig {
  int line = 0;    // where the rule starts, for messages
  std::string id;  // unique, [a-z0-9-]
  std::string kind = "count";
  std::string description;
  std::string severity = "medium";    // low, medium, high, critical
  std::vector<std::string> steps;     // match: any of these steps (empty: any)
  std::vector<std::string> offences;  // match: any of these (empty: any)
  std::vector<std::string> tags;      // match: all of these tags
  // What the incidents must share: plate, block, beat, region,
  // municipality, safety_region, police_unit, offence, reporter, or
  // "none" (all matching incidents form one group).
  std::string key = "none";
  core::Duration window = std::chrono::hours(48);
  int min_count = 3;
  int min_regions = 1;
  // Which location field counts as the region: region, municipality,
  // safety_region, police_unit, beat, block.
  std::string region_level = "region";
  bool enabled = true;  // false: loaded and checked, but never evaluated
  // kinds `count`, `wave` and `sequence`: the most incidents one alert
  // lists; what does not fit counts toward the key's next alert.
  int max_incidents = 100;

  // kind `sequence`: steps by the same key in this order, the last at most
  // `within` after the first; with `then_not`, fires when `within` passes
  // after the sequence without an incident of that step.
  std::vector<std::string> steps_in_order;
  std::string then_not;
  core::Duration within = std::chrono::hours(24 * 7);
  // kind `watchlist`: ids of the rules whose firing alerts put a key on the
  // watchlist (empty: every rule that is not a watchlist).
  std::vector<std::string> watch_rules;
  // kind `spike`: a window's count in one region against the mean of the
  // `baseline_windows` windows before it; fires at `factor` times that and
  // at least `min_count`.
  int baseline_windows = 7;
  double factor = 3.0;
  // kind `wave`: how far ahead the predicted position is given.
  core::Duration horizon = std::chrono::hours(2);
};

// In YAML, `rules:` may also be the list of rules itself (the shorthand
// of the cases README); lateness then keeps its default.
struct RulesConfig {
  // How far behind the newest event time an incident may arrive and still
  // be correlated.  Later ones are stored and counted, not correlated.
  core::Duration lateness = std::chrono::hours(24);
  std::vector<RuleConfig> rules;
};

// A shopkeeper's area: a circle (radius_m > 0 around lat/lon) or, when
// `polygon` holds at least three lat/lon points, that polygon.
struct AreaConfig {
  int line = 0;
  double lat = 0;
  double lon = 0;
  double radius_m = 0;
  std::vector<std::pair<double, double>> polygon;  // (lat, lon), unclosed
};

struct SubscriberConfig {
  int line = 0;
  std::string id;
  std::string channel;  // "webhook", "log", "email" or "sms"
  std::string url;                 // webhook: where alerts are POSTed
  std::vector<std::string> rules;  // empty: every rule
  core::Duration timeout = std::chrono::seconds(5);
  // webhook: a file holding the key that signs each body (HMAC-SHA256,
  // header X-Slagboom-Signature: sha256=<hex>); empty: unsigned.
  std::string secret_file;
  // What the subscriber may see: police (everything), partner or
  // shopkeeper (see docs/notifier.md).  Police are never muted.
  std::string audience = "police";
  // Routing: alerts below min_severity, outside `regions` (any of them in
  // alert.regions) or `steps` (any in alert.steps) are not sent; empty
  // lists match everything.
  std::string min_severity = "low";
  std::vector<std::string> regions;
  std::vector<std::string> steps;
  // An alert whose state and incidents did not change is not sent again
  // within this time.
  core::Duration repeat_interval = std::chrono::hours(4);
  int max_per_hour = 0;     // at most this many deliveries an hour; 0: any
  std::string quiet_hours;  // "22:00-07:00" in `zone`: held until the end
  std::string zone = "Europe/Amsterdam";
  // Unacknowledged after escalate_after (0: never), the alert goes to the
  // subscriber named by escalate_to.
  core::Duration escalate_after = core::Duration::zero();
  std::string escalate_to;

  // email (url: smtp://host:port or smtps://host:port; docs/notifier.md).
  std::string from;             // "Name <addr>" or "addr"
  std::vector<std::string> to;  // at least one
  std::string username;         // empty: no login
  std::string password_file;    // the password, read at the first send
  bool starttls = false;        // smtp://: require STARTTLS

  // sms (url: the gateway's http:// or https:// address).
  std::string method = "POST";       // POST, PUT or GET
  std::vector<std::string> numbers;  // one request per number
  // {to}, {text} and {id} are replaced, escaped for content_type.
  std::string body_template = R"({"to":"{to}","text":"{text}"})";
  std::string content_type = "application/json";
  std::string auth_header = "Authorization";  // its value from one of:
  std::string auth_file;                      //   a file, or
  std::string auth_env;                       //   an environment variable
  int max_length = 160;  // characters; longer texts are cut with "..."

  // email and sms: "<link_base><alert id>" goes into the message; empty:
  // no link.
  std::string link_base;
  // Where: with `regions` or `areas` set, an alert must touch one of the
  // regions (its own or a wave's predicted one) or have an incident or a
  // wave's predicted point inside one of the areas (docs/notifier.md).
  std::vector<AreaConfig> areas;
  // Trades (incident "sector"): with any set, an alert needs an incident
  // of one of them.
  std::vector<std::string> sectors;
  // Grouping: with group_by set (fields of rule, region, severity, step),
  // alerts with the same values become one message, held group_wait after
  // the first and then at most one more per group_interval.
  std::vector<std::string> group_by;
  core::Duration group_wait = std::chrono::seconds(30);
  core::Duration group_interval = std::chrono::minutes(5);
  // Added through the API (stored in notify.db), not read from the file.
  bool from_api = false;
};

struct NotifyConfig {
  std::vector<SubscriberConfig> subscribers;
  core::Duration retry_initial = std::chrono::seconds(1);
  core::Duration retry_max = std::chrono::minutes(5);
  int max_attempts = 12;  // then the delivery is dead-lettered
};

// The region data (see data/README.md).  Relative paths are resolved
// against the current directory.  When a file left at its default is
// missing, slagboom runs without that part and says so in its log; a file
// named in the configuration must exist.
struct RegionsConfig {
  // Municipal boundaries, GeoJSON with statcode/statnaam.
  std::string municipalities = "data/regions/gemeente_2025.geojson";
  // Municipality -> safety region -> police unit, CSV.
  std::string hierarchy = "data/regions/nl_hierarchy.csv";
  // Everyday names of municipalities, CSV alias,gm_code.
  std::string aliases = "data/regions/nl_municipality_aliases.csv";
  // Police districts of the Chicago data, GeoJSON with District.
  std::string districts = "data/regions/chicago_police_districts_2012.geojson";
};

// The TCP server for plate-camera (ANPR) reads, one read per line.
struct AnprConfig {
  bool enabled = false;
  std::string listen = "127.0.0.1:7070";  // HOST:PORT; port 0 picks one
  size_t max_line_bytes = 4096;           // a longer line is refused
};

struct Config {
  std::string path;  // the file it was read from
  std::string data_dir = "data/run";
  HttpConfig http;
  BusConfig bus;
  IngestConfig ingest;
  RulesConfig rules;
  NotifyConfig notify;
  RegionsConfig regions;
  AnprConfig anpr;
  std::string profiles_dir = "config/profiles";  // import profiles (*.yaml)
};

// Reads and validates the file at `path`.  On success returns true and
// fills *out; otherwise returns false, leaves *out untouched and lists
// every problem found in *errors (not just the first; replacing what it
// held), each with its line, in line order.  Relative paths in the
// file (data_dir, profiles_dir, plate_key_file) are resolved against the
// current directory.
bool LoadConfig(const std::string& path, Config* out,
                std::vector<ConfigError>* errors);

// The same for YAML text already in memory; `name` is used in messages.
bool ParseConfig(const std::string& text, const std::string& name, Config* out,
                 std::vector<ConfigError>* errors);

// The errors one per line, as ToString writes them, each ending in '\n'.
std::string FormatErrors(const std::vector<ConfigError>& errors);

}  // namespace slagboom::config

#endif  // SLAGBOOM_CONFIG_CONFIG_H_
