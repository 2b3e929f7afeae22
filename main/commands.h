// The subcommands of the slagboom binary, one function each.  Each returns
// the process exit status; main only parses the command line and calls
// one of them.
#ifndef SLAGBOOM_MAIN_COMMANDS_H_
#define SLAGBOOM_MAIN_COMMANDS_H_

#include <string>
#include <vector>

namespace slagboom {

struct RunArgs {
  std::string config;
  std::string data_dir;  // overrides the file when set
  std::string http;      // HOST:PORT; overrides the file when set
  // Leaves alert delivery to a `slagboom notify` process on the bus.
  bool no_notifier = false;
};
int RunCommand(const RunArgs& args);

// `notify --config F [--data-dir DIR]`: the notifier alone, its outbox in
// DIR/notify.db, following bus.xpub and replaying from bus.rules_replay
// (tcp:// or ipc://) of a `run --no-notifier` process
// (main/notify_command.cc).  SIGHUP reloads the notify section.
struct NotifyArgs {
  std::string config;
  std::string data_dir;  // overrides the file when set
};
int NotifyCommand(const NotifyArgs& args);

struct ImportArgs {
  std::string config;
  std::string profile;
  std::string data_dir;
  std::string server;  // base URL of a running slagboom
  std::string token;
  std::vector<std::string> files;
  bool list_alerts = false;  // print what fired after a data-dir import
};
int ImportCommand(const ImportArgs& args);

int CheckConfigCommand(const std::string& file);

struct AlertsArgs {
  std::string config;
  std::string data_dir;
  bool json = false;
};
int AlertsCommand(const AlertsArgs& args);

// `backtest --config F (--data-dir DIR | --profile NAME FILE...) [--json]`
// (main/backtest_command.cc).
struct BacktestArgs {
  std::string config;
  std::string data_dir;  // stored history; with --profile: feedback only
  std::string profile;   // CSV files through this import profile
  std::vector<std::string> files;
  bool json = false;
};
int BacktestCommand(const BacktestArgs& args);

// `token create` prints the new token and nothing else on standard
// output; `token list` prints one line per token (never the token);
// `token revoke` revokes the live token of that name.
struct TokenArgs {
  std::string action;  // "create", "list" or "revoke"
  std::string config;
  std::string data_dir;  // overrides the file when set
  std::string role;
  std::string name;
  std::string steps;  // "stay,storage"; partners only
  std::string regions;  // "a,b": the alert stream shows only these
};
int TokenCommand(const TokenArgs& args);

}  // namespace slagboom

#endif  // SLAGBOOM_MAIN_COMMANDS_H_
