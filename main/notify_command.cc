// `slagboom notify`: the notifier alone, following the alert stream of a
// `slagboom run --no-notifier` (or `rules`) process over the bus.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <zmq.hpp>

#include "broker/bus.h"
#include "config/config.h"
#include "core/clock.h"
#include "main/commands.h"
#include "notifier/http_sender.h"
#include "notifier/notifier_service.h"
#include "notifier/outbox.h"

namespace slagboom {
namespace {

bool IsInproc(const std::string& endpoint) {
  return endpoint.rfind("inproc://", 0) == 0;
}

// notify.db in the data folder, which is made (owner-only) when missing.
std::string OutboxPath(const std::string& data_dir) {
  std::filesystem::path dir(data_dir);
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  return (dir / "notify.db").string();
}

// Waits for SIGINT or SIGTERM; on SIGHUP gives the notifier the notify
// section of the file again, when the file is valid.
void Wait(const std::string& path, notifier::NotifierService& service) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  int sig = 0;
  while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
    config::Config fresh;
    std::vector<config::ConfigError> errors;
    if (!config::LoadConfig(path, &fresh, &errors)) {
      spdlog::error("reload refused: {} error(s)", errors.size());
      for (const config::ConfigError& e : errors)
        spdlog::error("reload: {}", e.ToString());
      continue;
    }
    service.Reconfigure(fresh.notify);
    spdlog::info("reload: notifier reconfigured, {} subscribers",
                 fresh.notify.subscribers.size());
  }
  spdlog::info("stopping on signal {}", sig);
}

}  // namespace

int NotifyCommand(const NotifyArgs& args) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("slagboom"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  config::Config config;
  std::vector<config::ConfigError> errors;
  if (!config::LoadConfig(args.config, &config, &errors)) {
    std::fputs(config::FormatErrors(errors).c_str(), stderr);
    return 2;
  }
  if (!args.data_dir.empty()) config.data_dir = args.data_dir;
  if (IsInproc(config.bus.xpub) || IsInproc(config.bus.rules_replay)) {
    std::fprintf(stderr,
                 "notify: bus.xpub and bus.rules_replay must be tcp:// or "
                 "ipc:// endpoints of a running `slagboom run "
                 "--no-notifier`\n");
    return 2;
  }

  try {
    core::SystemClock clock;
    zmq::context_t context;
    notifier::Outbox outbox(OutboxPath(config.data_dir));
    notifier::HttpSender sender(clock);
    notifier::NotifierService service(config.notify, outbox, sender, clock);

    // Replays what the rules part published after the outbox's cursor,
    // then follows the live stream.
    broker::Subscriber::Options options;
    options.xpub_endpoint = config.bus.xpub;
    options.replay_endpoint = config.bus.rules_replay;
    options.topic = broker::kAlertTopic;
    options.cursor = outbox.Cursor();
    auto subscriber = std::make_unique<broker::Subscriber>(
        context, options, [&service](const std::vector<broker::Event>& events) {
          service.OnAlertEvents(events);
        });
    service.Start();
    // The line tests and scripts wait for.
    std::printf("slagboom notify following %s from seq %llu\n",
                config.bus.xpub.c_str(),
                static_cast<unsigned long long>(options.cursor));
    std::fflush(stdout);
    Wait(config.path, service);
    subscriber.reset();
    service.Stop();
  } catch (const std::exception& e) {
    spdlog::critical("slagboom notify failed: {}", e.what());
    return 1;
  }
  return 0;
}

}  // namespace slagboom
