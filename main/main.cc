// slagboom: correlates reports of mobile banditry and warns the right
// people.  This file only reads the command line and hands over.
#include <signal.h>

#include <CLI/CLI.hpp>

#include "main/commands.h"

int main(int argc, char** argv) {
  // Signals are taken by sigwait in the main thread; every thread started
  // later inherits this mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);  // `run` reloads its rules on it
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  CLI::App app{"slagboom: alerting against mobile banditry"};
  app.require_subcommand(1);

  slagboom::RunArgs run;
  auto* run_cmd =
      app.add_subcommand("run", "every part in one process, with the HTTP API");
  run_cmd->add_option("--config", run.config, "YAML configuration file")
      ->required();
  run_cmd->add_option("--data-dir", run.data_dir, "data folder (overrides)");
  run_cmd->add_option("--http", run.http, "HOST:PORT to listen on (overrides)");
  run_cmd->add_flag("--no-notifier", run.no_notifier,
                    "deliver nothing: leave it to `slagboom notify` on the "
                    "bus's tcp:// or ipc:// endpoints");

  slagboom::NotifyArgs notify;
  auto* notify_cmd = app.add_subcommand(
      "notify", "the notifier alone, following a `run --no-notifier` bus");
  notify_cmd->add_option("--config", notify.config, "YAML configuration file")
      ->required();
  notify_cmd->add_option("--data-dir", notify.data_dir,
                         "data folder for notify.db (overrides)");

  slagboom::ImportArgs imp;
  auto* import_cmd = app.add_subcommand(
      "import", "CSV files through an import profile, with the API's checks");
  import_cmd->add_option("--config", imp.config, "YAML configuration file")
      ->required();
  import_cmd
      ->add_option("--profile", imp.profile,
                   "import profile: NAME.yaml in the config's profiles_dir")
      ->required();
  auto* dir_opt = import_cmd->add_option("--data-dir", imp.data_dir,
                                         "import into this data folder");
  auto* server_opt = import_cmd->add_option(
      "--server", imp.server, "import into a running slagboom at this URL");
  dir_opt->excludes(server_opt);
  import_cmd->add_option("--token", imp.token, "bearer token for --server")
      ->needs(server_opt);
  import_cmd
      ->add_flag("--list-alerts", imp.list_alerts,
                 "print the alerts of the data folder afterwards")
      ->needs(dir_opt);
  import_cmd->add_option("files", imp.files, "CSV files")
      ->required()
      ->check(CLI::ExistingFile);

  std::string check_file;
  auto* check_cmd = app.add_subcommand(
      "check-config", "check a configuration file; exit 1 with every error");
  check_cmd->add_option("file", check_file, "YAML configuration file")
      ->required();

  slagboom::AlertsArgs alerts;
  auto* alerts_cmd =
      app.add_subcommand("alerts", "list the alerts of a data folder");
  alerts_cmd->add_option("--config", alerts.config, "YAML configuration file")
      ->required();
  alerts_cmd->add_option("--data-dir", alerts.data_dir,
                         "data folder (overrides)");
  alerts_cmd->add_flag("--json", alerts.json, "one JSON object per line");

  slagboom::TokenArgs token;
  auto* token_cmd =
      app.add_subcommand("token", "create, list or revoke API bearer tokens");
  token_cmd->require_subcommand(1);
  const std::pair<const char*, const char*> token_actions[] = {
      {"create", "make a token and print it (only then is it shown)"},
      {"list", "list tokens: names, roles, steps, dates; never a token"},
      {"revoke", "revoke the live token of a name"}};
  for (const auto& entry : token_actions) {
    const char* action = entry.first;
    auto* sub = token_cmd->add_subcommand(action, entry.second);
    sub->add_option("--config", token.config, "YAML configuration file")
        ->required();
    sub->add_option("--data-dir", token.data_dir, "data folder (overrides)");
    sub->callback([&token, action] { token.action = action; });
    if (std::string(action) == "list") continue;
    sub->add_option("--name", token.name, "the token's name")->required();
    if (std::string(action) == "revoke") continue;
    sub->add_option("--role", token.role,
                    "reporter, partner, police, shopkeeper or admin")
        ->required();
    sub->add_option("--regions", token.regions,
                    "scope: the alert stream shows only alerts in these "
                    "regions, e.g. midden-nederland");
    sub->add_option("--steps", token.steps,
                    "partner only: the steps it may report, e.g. stay,storage");
  }

  slagboom::BacktestArgs backtest;
  auto* backtest_cmd = app.add_subcommand(
      "backtest", "what the rules would have fired over history or CSV files");
  backtest_cmd->add_option("--config", backtest.config, "YAML configuration")
      ->required();
  backtest_cmd->add_option("--data-dir", backtest.data_dir,
                           "stored history (with --profile: feedback only)");
  auto* bt_profile = backtest_cmd->add_option(
      "--profile", backtest.profile, "import profile for the CSV files");
  backtest_cmd->add_option("files", backtest.files, "CSV files")
      ->needs(bt_profile)
      ->check(CLI::ExistingFile);
  backtest_cmd->add_flag("--json", backtest.json, "the report as JSON");

  app.set_version_flag("--version", "slagboom " SLAGBOOM_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here with 0; a wrong command line with 2.
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (*run_cmd) return slagboom::RunCommand(run);
  if (*notify_cmd) return slagboom::NotifyCommand(notify);
  if (*import_cmd) {
    if (imp.data_dir.empty() && imp.server.empty()) {
      std::fprintf(stderr, "import: give --data-dir DIR or --server URL\n");
      return 2;
    }
    return slagboom::ImportCommand(imp);
  }
  if (*check_cmd) return slagboom::CheckConfigCommand(check_file);
  if (*alerts_cmd) return slagboom::AlertsCommand(alerts);
  if (*backtest_cmd) {
    if (backtest.profile.empty() ? backtest.data_dir.empty()
                                 : backtest.files.empty()) {
      std::fprintf(stderr,
                   "backtest: give --data-dir DIR or --profile NAME FILE...\n");
      return 2;
    }
    return slagboom::BacktestCommand(backtest);
  }
  if (*token_cmd) return slagboom::TokenCommand(token);
  return 2;
}
