#pragma once
// Starts a real runnel-broker for a test: free loopback ports, a temporary log dir, fork/exec,
// wait until the Kafka port accepts, SIGTERM (then SIGKILL) and clean up at the end.

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace runnel::operator_admin::testing {

// A loopback TCP port nobody listens on right now (bind to 0, read it back, close).
uint16_t free_port();

class BrokerProcess {
 public:
  // `binary` is the runnel-broker path (RUNNEL_BROKER_BIN from CMake).
  explicit BrokerProcess(std::string binary);
  ~BrokerProcess();
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  // False (with the reason in `error()`) when the broker did not listen within 15 s. Starting
  // again after stop() restarts on the same port and log dir.
  bool start();
  void stop();

  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }
  const std::string& error() const { return error_; }
  std::string log_tail() const;

 private:
  std::string binary_;
  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
};

}  // namespace runnel::operator_admin::testing
