#include "tests/support/child_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace slagboom::testing {
namespace {

int Spawn(const std::vector<std::string>& argv, int* out_fd) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  int pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  *out_fd = fds[0];
  return pid;
}

int WaitStatus(int pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  pid_ = Spawn(argv, &out_fd_);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    WaitStatus(pid_);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

std::string ChildProcess::ReadLineStartingWith(const std::string& prefix) {
  char chunk[4096];
  for (;;) {
    size_t nl;
    while ((nl = buffer_.find('\n')) != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (line.rfind(prefix, 0) == 0) return line;
    }
    ssize_t n = read(out_fd_, chunk, sizeof chunk);
    if (n <= 0) return "";
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

int ChildProcess::Terminate() {
  kill(pid_, SIGTERM);
  int status = WaitStatus(pid_);
  pid_ = -1;
  return status;
}

int RunToEnd(const std::vector<std::string>& argv, std::string* out) {
  int fd = -1;
  int pid = Spawn(argv, &fd);
  char chunk[4096];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0)
    out->append(chunk, static_cast<size_t>(n));
  close(fd);
  return WaitStatus(pid);
}

TempDir::TempDir() {
  std::string templ =
      (std::filesystem::temp_directory_path() / "slagboom-e2e-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path = templ;
}

TempDir::~TempDir() { std::filesystem::remove_all(path); }

}  // namespace slagboom::testing
