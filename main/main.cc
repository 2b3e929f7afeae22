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

  slagboom::ImportArgs imp;
  auto* import_cmd = app.add_subcommand(
      "import", "CSV files through an import profile, with the API's checks");
  import_cmd->add_option("--config", imp.config, "YAML configuration file")
      ->required();
  import_cmd
      ->add_option("--profile", imp.profile,
                   "import profile (config/profiles/NAME.yaml)")
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

  CLI11_PARSE(app, argc, argv);

  if (*run_cmd) return slagboom::RunCommand(run);
  if (*import_cmd) {
    if (imp.data_dir.empty() && imp.server.empty()) {
      std::fprintf(stderr, "import: give --data-dir DIR or --server URL\n");
      return 2;
    }
    return slagboom::ImportCommand(imp);
  }
  if (*check_cmd) return slagboom::CheckConfigCommand(check_file);
  if (*alerts_cmd) return slagboom::AlertsCommand(alerts);
  return 2;
}
