#pragma once

#include <functional>
#include <string>

#include "broker/io/completion.h"
#include "broker/io/ring.h"
#include "broker/model/result.h"

namespace runnel::net {

// A listening socket of one ring. Every ring binds its own socket to the same address with
// SO_REUSEPORT, so the kernel spreads new connections across cores and no accept lock exists.
// Accepting is one multishot IORING_OP_ACCEPT that stays armed.
class Acceptor final : public io::Completion {
 public:
  using OnAccept = std::function<void(int fd, std::string peer)>;

  Acceptor(io::Ring& ring, OnAccept on_accept) : ring_(ring), on_accept_(std::move(on_accept)) {}
  ~Acceptor();

  // Binds and listens, or says what failed (for the start-up log). `host` empty: all addresses.
  runnel::Result<void, std::string> listen(const std::string& host, int port, int backlog);
  // Whether host:port is free of other listening sockets (in this network namespace), or why not. Run before the cores bind: SO_REUSEPORT would otherwise let a second broker of the
  // same user share the port silently and take half the connections, where Kafka fails with
  // "Address already in use".
  static runnel::Result<void, std::string> check_free(const std::string& host, int port);
  // The port actually bound (useful when asked for port 0).
  int port() const { return port_; }
  void start();
  // Stops accepting: cancels the armed accept and closes the socket.
  void stop();

  void complete(int32_t res, uint32_t flags) override;

 private:
  void arm();

  io::Ring& ring_;
  OnAccept on_accept_;
  int fd_ = -1;
  int port_ = 0;
  bool armed_ = false;
  bool stopped_ = false;
};

}  // namespace runnel::net
