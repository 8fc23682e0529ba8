// Helpers of the PeerClient tests: free ports, a runnel-broker child process, a peer that
// accepts and never answers, and running tasks on a ring.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "broker/io/ring.h"
#include "broker/io/task.h"
#include "broker/io/wait_group.h"
#include "broker/net/peer_client.h"
#include "broker/protocol/generated/api_versions_request.h"

namespace runnel::net::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

// A port nobody listens on right now (bound to 0, read back, released).
inline uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = loopback(0);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A listening socket on 127.0.0.1 with the given backlog; returns the fd, port in `port`.
inline int listen_on_loopback(int backlog, uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in a = loopback(0);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || ::listen(fd, backlog) != 0) std::abort();
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

// A peer that accepts every connection and reads everything sent to it, but never writes, or
// writes `reply` each time it has read something (a scripted misbehaving peer).
class SilentPeer {
 public:
  explicit SilentPeer(std::vector<uint8_t> reply = {})
      : reply_(std::move(reply)), listen_fd_(listen_on_loopback(16, port_)), thread_([this] { serve(); }) {}
  ~SilentPeer() {
    stop_ = true;
    thread_.join();
    for (int fd : conns_) ::close(fd);
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void serve() {
    std::vector<uint8_t> sink(64 * 1024);
    while (!stop_) {
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (int fd : conns_) fds.push_back({fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
          conns_.push_back(fd);
          ++accepted_;
        }
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
          if (::read(fds[i].fd, sink.data(), sink.size()) <= 0) {
            // Closed by the client: stop polling it (a closed fd would spin).
            std::erase(conns_, fds[i].fd);
            ::close(fds[i].fd);
          } else if (!reply_.empty()) {
            ssize_t n = ::send(fds[i].fd, reply_.data(), reply_.size(), MSG_NOSIGNAL);
            (void)n;
          }
        }
      }
    }
  }

  std::vector<uint8_t> reply_;
  uint16_t port_ = 0;
  int listen_fd_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> conns_;  // the serving thread's only
  std::thread thread_;
};

// A listener whose accept queue is full, so that new connection attempts hang in SYN_SENT (the
// kernel drops their SYNs): what a peer behind a black hole looks like to connect().
class FullBacklogPeer {
 public:
  FullBacklogPeer() : listen_fd_(listen_on_loopback(0, port_)) {
    // Fill the queue: connect until an attempt is not established within 200 ms.
    for (int i = 0; i < 16; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      sockaddr_in a = loopback(port_);
      ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
      fillers_.push_back(fd);
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 200) == 0) {
        full_ = true;
        break;
      }
    }
  }
  ~FullBacklogPeer() {
    for (int fd : fillers_) ::close(fd);
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  bool full() const { return full_; }

 private:
  uint16_t port_ = 0;
  int listen_fd_;
  std::vector<int> fillers_;
  bool full_ = false;
};

// The repo's runnel-broker as a child process in its own process group, on a fixed port.
class BrokerProcess {
 public:
  BrokerProcess(uint16_t port, std::filesystem::path dir) : port_(port), admin_port_(free_port()), dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_ / "logs");
  }
  ~BrokerProcess() { stop(); }

  static std::string binary() {
    if (const char* env = std::getenv("RUNNEL_BROKER_BIN"); env != nullptr && *env != '\0') return env;
#ifdef RUNNEL_BROKER_BIN
    return RUNNEL_BROKER_BIN;
#else
    return "runnel-broker";
#endif
  }

  void start() {
    const std::string bin = binary();
    std::vector<std::string> args{bin,
                                  "--override", "listeners=PLAINTEXT://127.0.0.1:" + std::to_string(port_),
                                  "--override", "log.dirs=" + (dir_ / "logs").string(),
                                  "--override", "node.id=1",
                                  "--override", "auto.create.topics.enable=false",
                                  "--override", "runnel.admin.listeners=http://127.0.0.1:" + std::to_string(admin_port_)};
    const std::string log = (dir_ / "broker.log").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      FILE* out = std::freopen(log.c_str(), "a", stdout);
      (void)out;
      ::dup2(STDOUT_FILENO, STDERR_FILENO);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(bin.c_str(), argv.data());
      std::_Exit(127);
    }
  }
  // SIGSTOP, returning once every thread has stopped (kill() alone returns before that, and a
  // thread still running could answer a request meant to stay unanswered).
  void freeze() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGSTOP);
    int status = 0;
    while (::waitpid(pid_, &status, WUNTRACED) == pid_ && !WIFSTOPPED(status)) {
    }
  }
  // SIGKILL, as a crash: the kernel closes (resets) every connection of the process.
  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {  // 20 s
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(100ms);
    }
    kill9();
  }
  bool exited() { return pid_ <= 0 || ::waitpid(pid_, nullptr, WNOHANG) == pid_; }
  uint16_t port() const { return port_; }
  std::filesystem::path log_path() const { return dir_ / "broker.log"; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  uint16_t port_;
  uint16_t admin_port_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

// A fresh directory under the test's temporary directory.
inline std::filesystem::path temp_dir(const std::string& name) {
  const char* base = std::getenv("TMPDIR");
  std::filesystem::path p = std::filesystem::path(base != nullptr ? base : "/tmp") /
                            ("runnel-net-client-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

// Closes the client when the test leaves its scope, also when an ASSERT returned early (the
// client's destructor asserts that close() completed).
class CloseOnExit {
 public:
  CloseOnExit(io::Ring& ring, PeerClient& client) : ring_(ring), client_(client) {}
  ~CloseOnExit() {
    if (!client_.closed()) ring_.block_on(client_.close());
  }

 private:
  io::Ring& ring_;
  PeerClient& client_;
};

// ApiVersions v3+ must name the client software (Kafka answers INVALID_REQUEST otherwise).
inline protocol::ApiVersionsRequest test_api_versions_request() {
  protocol::ApiVersionsRequest request;
  request.client_software_name = "runnel-net-client-test";
  request.client_software_version = "0.1.0";
  return request;
}

inline io::Task<void> nap(io::Ring& ring, std::chrono::milliseconds d) { co_await ring.sleep_for(d); }

// Spawns `fn()` (a Task<void>) `n` times on the ring, each with its index, and returns a task
// that completes when all have.
template <typename F>
io::Task<void> fan_out(io::Ring& ring, int n, F fn) {
  io::WaitGroup wg;
  wg.add(n);
  auto one = [](F& f, int i, io::WaitGroup& w) -> io::Task<void> {
    co_await f(i);
    w.done();
  };
  for (int i = 0; i < n; ++i) ring.spawn(one(fn, i, wg));
  co_await wg.wait();
}

}  // namespace runnel::net::testing
