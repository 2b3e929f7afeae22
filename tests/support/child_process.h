// Starts the slagboom binary as a child process for end-to-end tests, with
// its standard output on a pipe, and kills it when the test ends.
#ifndef SLAGBOOM_TESTS_SUPPORT_CHILD_PROCESS_H_
#define SLAGBOOM_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <string>
#include <vector>

namespace slagboom::testing {

class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();  // SIGKILL if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads standard output until a line starts with `prefix`; returns that
  // line, or "" at end of output.
  std::string ReadLineStartingWith(const std::string& prefix);
  // Sends SIGTERM and waits; returns the exit status.
  int Terminate();
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
};

// Runs argv to completion; returns the exit status, with standard output
// in *out (standard error goes to the test's).
int RunToEnd(const std::vector<std::string>& argv, std::string* out);

// A fresh folder under the system's temp folder, removed at the end.
struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
};

}  // namespace slagboom::testing

#endif  // SLAGBOOM_TESTS_SUPPORT_CHILD_PROCESS_H_
