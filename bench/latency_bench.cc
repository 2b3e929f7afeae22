// Report-to-webhook latency of `slagboom run` next to Prometheus
// Alertmanager's, in one run, both delivering to the same local receiver:
//
//   slagboom:      a real `slagboom run` process on a fresh data folder,
//                  one rule that fires on every report, one webhook
//                  subscriber.  Reports are POSTed to /api/v1/incidents;
//                  each one's latency runs from the moment its POST is
//                  answered (committed) to the moment the receiver gets
//                  the webhook of the alert it fired.
//   alertmanager:  the `alertmanager` binary with group_wait 0s and
//                  group_interval 1ms (its minimum), one webhook receiver
//                  and one group per alert; the same stream of alerts is
//                  POSTed to /api/v2/alerts, latency from its answer to
//                  the webhook.
//
// Both are fed at --rate reports per second (open loop: report i is due
// at i / rate, sent by one of --clients connections) for --seconds.
//
//   build/bench/latency_bench [--slagboom PATH] [--alertmanager PATH]
//                             [--rate 1000] [--seconds 15] [--clients 8]
//                             [--dir DIR]
//
// DIR (default: beside this program) holds the data folders, made fresh
// and removed at the end; it should be on the disk a data folder would be
// on.  Alertmanager is looked for as `alertmanager` and
// `prometheus-alertmanager` on the PATH; without it that half is left out.
#include <fmt/format.h>
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace slagboom::bench {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  std::string slagboom;
  std::string alertmanager;
  double rate = 1000;
  double seconds = 15;
  int clients = 8;
  fs::path dir;
  bool keep = false;  // leave DIR behind, for a look at the logs
};

fs::path ExeDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

std::string FindOnPath(const std::vector<std::string>& names) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (const std::string& name : names) {
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      fs::path p = fs::path(dirs.substr(start, end - start)) / name;
      if (::access(p.c_str(), X_OK) == 0) return p.string();
      start = end + 1;
    }
  }
  return "";
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--slagboom") o.slagboom = v;
    if (flag == "--alertmanager") o.alertmanager = v;
    if (flag == "--rate") o.rate = std::stod(v);
    if (flag == "--seconds") o.seconds = std::stod(v);
    if (flag == "--clients") o.clients = std::max(1, std::stoi(v));
    if (flag == "--dir") o.dir = v;
    if (flag == "--keep") o.keep = std::string(v) == "1";
  }
  if (o.slagboom.empty()) o.slagboom = (ExeDir().parent_path() / "slagboom");
  if (o.alertmanager.empty())
    o.alertmanager = FindOnPath({"alertmanager", "prometheus-alertmanager"});
  if (o.dir.empty()) o.dir = ExeDir() / "latency-bench-data";
  return o;
}

// A port nobody listens on now (the kernel's pick, closed again).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

// The local webhook receiver: notes when each report's webhook arrived,
// by the name the sender gave the report.
class Receiver {
 public:
  Receiver() {
    server_.Post("/slagboom", [this](const httplib::Request& req,
                                     httplib::Response& res) {
      const auto now = SteadyClock::now();
      json body = json::parse(req.body, nullptr, false);
      if (!body.is_discarded() && body.contains("alert")) {
        for (const json& inc : body["alert"].value("incidents", json::array()))
          Arrived(inc.value("id", ""), now);
      }
      res.status = 200;
    });
    server_.Post("/alertmanager", [this](const httplib::Request& req,
                                         httplib::Response& res) {
      const auto now = SteadyClock::now();
      json body = json::parse(req.body, nullptr, false);
      if (!body.is_discarded()) {
        for (const json& a : body.value("alerts", json::array()))
          Arrived(a["labels"].value("report", ""), now);
      }
      res.status = 200;
    });
    // Alertmanager opens a connection per notification; enough threads
    // that the receiver is never what it waits for.
    server_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

  std::optional<SteadyClock::time_point> ArrivalOf(const std::string& id) {
    std::lock_guard lock(mu_);
    auto it = arrived_.find(id);
    if (it == arrived_.end()) return std::nullopt;
    return it->second;
  }
  size_t count() {
    std::lock_guard lock(mu_);
    return arrived_.size();
  }

 private:
  void Arrived(const std::string& id, SteadyClock::time_point t) {
    if (id.empty()) return;
    std::lock_guard lock(mu_);
    arrived_.emplace(id, t);  // the first arrival counts
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, SteadyClock::time_point> arrived_;
};

// A child process, killed and reaped at the end.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const fs::path& cwd,
        const fs::path& log) {
    std::fflush(stdout);
    pid_ = ::fork();
    if (pid_ == 0) {
      std::filesystem::current_path(cwd);
      FILE* out = std::freopen(log.c_str(), "w", stdout);
      if (out != nullptr) ::dup2(::fileno(stdout), 2);
      std::vector<char*> args;
      for (const std::string& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      std::_Exit(127);
    }
  }
  ~Child() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }

 private:
  pid_t pid_ = -1;
};

bool WaitHealthy(int port, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  for (int i = 0; i < 300; ++i) {
    if (auto r = c.Get(path.c_str()); r && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// One report as sent, and when its POST was answered.
struct Sent {
  std::string name;  // what the webhook will carry
  SteadyClock::time_point sent{}, answered{};
  bool ok = false;
};

// Sends `n` requests at `rate` per second, open loop, over `clients`
// connections.  `send` makes request i and fills in its name.
std::vector<Sent> Drive(size_t n, double rate, int clients,
                        const std::function<bool(httplib::Client&, size_t,
                                                 std::string*)>& send,
                        int port) {
  std::vector<Sent> sent(n);
  std::atomic<size_t> next{0};
  const auto start = SteadyClock::now() + std::chrono::milliseconds(20);
  // A server that falls far behind is not waited for: what is not sent by
  // then is left out (and shows in the counts).
  const auto give_up =
      start +
      std::chrono::nanoseconds(static_cast<int64_t>(2 * n * 1e9 / rate)) +
      std::chrono::seconds(5);
  std::vector<std::thread> workers;
  for (int c = 0; c < clients; ++c) {
    workers.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(10, 0);
      for (size_t i = next++; i < n; i = next++) {
        const auto due = start + std::chrono::nanoseconds(
                                     static_cast<int64_t>(i * 1e9 / rate));
        std::this_thread::sleep_until(due);
        sent[i].sent = SteadyClock::now();
        if (sent[i].sent > give_up) continue;
        sent[i].ok = send(client, i, &sent[i].name);
        sent[i].answered = SteadyClock::now();
      }
    });
  }
  for (std::thread& w : workers) w.join();
  return sent;
}

struct Figures {
  size_t sent = 0, answered = 0, delivered = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;  // ms, answer -> webhook
  double post_p50 = 0, post_p99 = 0;          // ms, POST round trip
  double seconds = 0;
};

double Pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

Figures Measure(const std::vector<Sent>& sent, Receiver& receiver) {
  // Whatever is still on its way gets five seconds.
  const auto deadline = SteadyClock::now() + std::chrono::seconds(5);
  Figures f;
  for (const Sent& s : sent) f.sent += s.answered != SteadyClock::time_point{};
  size_t ok = 0;
  for (const Sent& s : sent) ok += s.ok;
  while (SteadyClock::now() < deadline) {
    size_t got = 0;
    for (const Sent& s : sent) got += s.ok && receiver.ArrivalOf(s.name);
    if (got == ok) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::vector<double> lat, post;
  for (const Sent& s : sent) {
    if (!s.ok) continue;
    ++f.answered;
    post.push_back(
        std::chrono::duration<double, std::milli>(s.answered - s.sent).count());
    auto at = receiver.ArrivalOf(s.name);
    if (!at) continue;
    ++f.delivered;
    lat.push_back(
        std::chrono::duration<double, std::milli>(*at - s.answered).count());
  }
  f.p50 = Pct(lat, 0.50);
  f.p90 = Pct(lat, 0.90);
  f.p99 = Pct(lat, 0.99);
  f.max = lat.empty() ? 0 : lat.back();
  f.post_p50 = Pct(post, 0.50);
  f.post_p99 = Pct(post, 0.99);
  SteadyClock::time_point first = SteadyClock::time_point::max(), last{};
  for (const Sent& s : sent) {
    if (s.answered == SteadyClock::time_point{}) continue;
    first = std::min(first, s.sent);
    last = std::max(last, s.answered);
  }
  if (f.sent > 0)
    f.seconds = std::chrono::duration<double>(last - first).count();
  return f;
}

std::string Run(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const std::string& a : argv) cmd += "'" + a + "' ";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[512];
    while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

std::string Rfc3339Now() {
  auto now = std::chrono::system_clock::now() - std::chrono::seconds(1);
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<Figures> RunSlagboom(const Options& o, Receiver& receiver) {
  const fs::path dir = o.dir / "slagboom";
  fs::create_directories(dir / "data");
  const int port = FreePort();
  const fs::path config = dir / "slagboom.yaml";
  std::ofstream(config) << fmt::format(
      R"(data_dir: {data}
http:
  listen: 127.0.0.1:{port}
ingest:
  rate_limit_per_minute: 10000000
rules:
  rules:
    - id: every-report
      description: fires on every report (each report has a block of its own)
      severity: high
      steps: [offence]
      key: block
      window: 1m
      min_count: 1
notify:
  subscribers:
    - id: bench-receiver
      channel: webhook
      url: http://127.0.0.1:{hook}/slagboom
      timeout: 5s
)",
      fmt::arg("data", (dir / "data").string()), fmt::arg("port", port),
      fmt::arg("hook", receiver.port()));
  const std::string token =
      Run({o.slagboom, "token", "create", "--config", config.string(),
           "--data-dir", (dir / "data").string(), "--role", "reporter",
           "--name", "latency-bench"});
  if (token.empty()) {
    fmt::print("slagboom: no token from {}\n", o.slagboom);
    return std::nullopt;
  }
  Child server({o.slagboom, "run", "--config", config.string()}, dir,
               dir / "run.log");
  if (!WaitHealthy(port, "/healthz")) {
    fmt::print("slagboom did not start; see {}\n", (dir / "run.log").string());
    return std::nullopt;
  }
  const std::string occurred = Rfc3339Now();
  auto send = [&](httplib::Client& c, size_t i, std::string* name) {
    json body = {{"report_id", fmt::format("lat-{}", i)},
                 {"occurred_at", occurred},
                 {"step", "offence"},
                 {"offence", "shoplifting"},
                 {"location",
                  {{"lat", 52.37},
                   {"lon", 4.89},
                   {"block", fmt::format("b{}", i)}}}};
    httplib::Headers h = {{"Authorization", "Bearer " + token}};
    auto r = c.Post("/api/v1/incidents", h, body.dump(), "application/json");
    if (!r || r->status != 201) return false;
    json answer = json::parse(r->body, nullptr, false);
    if (answer.is_discarded()) return false;
    *name = answer["incidents"][0].value("id", "");
    return true;
  };
  const size_t n = static_cast<size_t>(o.rate * o.seconds);
  auto sent = Drive(n, o.rate, o.clients, send, port);
  return Measure(sent, receiver);
}

std::optional<Figures> RunAlertmanager(const Options& o, Receiver& receiver) {
  if (o.alertmanager.empty()) return std::nullopt;
  const fs::path dir = o.dir / "alertmanager";
  fs::create_directories(dir / "data");
  const int port = FreePort();
  const fs::path config = dir / "alertmanager.yml";
  std::ofstream(config) << fmt::format(
      R"(route:
  receiver: bench
  group_by: ['...']
  group_wait: 0s
  group_interval: 1ms
  repeat_interval: 1h
receivers:
  - name: bench
    webhook_configs:
      - url: http://127.0.0.1:{hook}/alertmanager
        send_resolved: false
)",
      fmt::arg("hook", receiver.port()));
  Child server({o.alertmanager, "--config.file=" + config.string(),
                "--storage.path=" + (dir / "data").string(),
                fmt::format("--web.listen-address=127.0.0.1:{}", port),
                "--cluster.listen-address="},
               dir, dir / "alertmanager.log");
  if (!WaitHealthy(port, "/-/ready")) {
    fmt::print("alertmanager did not start; see {}\n",
               (dir / "alertmanager.log").string());
    return std::nullopt;
  }
  auto send = [&](httplib::Client& c, size_t i, std::string* name) {
    *name = fmt::format("am-{}", i);
    json body = json::array(
        {{{"labels", {{"alertname", "every-report"}, {"report", *name}}},
          {"annotations", {{"summary", "fires on every report"}}}}});
    auto r = c.Post("/api/v2/alerts", body.dump(), "application/json");
    return r && r->status == 200;
  };
  const size_t n = static_cast<size_t>(o.rate * o.seconds);
  auto sent = Drive(n, o.rate, o.clients, send, port);
  return Measure(sent, receiver);
}

void Print(const char* name, const std::optional<Figures>& f) {
  if (!f) {
    fmt::print("{:<13} not measured\n", name);
    return;
  }
  fmt::print(
      "{:<13} {:>6} {:>6} {:>6} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} "
      "{:>8.2f} {:>6.0f}\n",
      name, f->sent, f->answered, f->delivered, f->p50, f->p90, f->p99, f->max,
      f->post_p50, f->post_p99, f->sent / f->seconds);
}

int Main(const Options& o) {
  fs::remove_all(o.dir);
  fs::create_directories(o.dir);
  Receiver receiver;
  fmt::print(
      "report -> webhook latency, {} reports/s for {} s over {} "
      "connections, in {}\n",
      o.rate, o.seconds, o.clients, o.dir.string());
  auto slag = RunSlagboom(o, receiver);
  auto am = RunAlertmanager(o, receiver);
  fmt::print("{:<13} {:>6} {:>6} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} "
             "{:>6}\n",
             "", "sent", "answrd", "hooks", "p50 ms", "p90 ms", "p99 ms",
             "max ms", "POST p50", "POST p99", "rate/s");
  Print("slagboom", slag);
  Print("alertmanager", am);
  if (slag) {
    fmt::print("targets: p50 <= 2 ms: {}, p99 <= 20 ms: {}",
               slag->p50 <= 2 ? "met" : "NOT met",
               slag->p99 <= 20 ? "met" : "NOT met");
    if (am)
      fmt::print("; against alertmanager: p50 {:.4f} x, p99 {:.4f} x",
                 slag->p50 / am->p50, slag->p99 / am->p99);
    fmt::print("\n");
  }
  if (!o.keep) fs::remove_all(o.dir);
  return 0;
}

}  // namespace
}  // namespace slagboom::bench

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  return slagboom::bench::Main(slagboom::bench::ParseArgs(argc, argv));
}
