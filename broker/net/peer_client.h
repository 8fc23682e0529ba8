#pragma once

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "broker/io/ring.h"
#include "broker/io/task.h"
#include "broker/io/wait_group.h"
#include "broker/io/wakeup.h"
#include "broker/model/byte_buffer.h"
#include "broker/net/backoff.h"
#include "broker/net/net_error.h"
#include "broker/net/peer_address.h"
#include "broker/net/transport.h"
#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"

namespace runnel::net {

using Deadline = io::Clock::time_point;

// A response to one call: the frame without its size prefix, and where the body starts (after
// the response header, whose correlation id matched the request's).
struct Response {
  ByteBuffer frame;
  size_t body_offset = 0;
  std::span<const uint8_t> body() const { return {frame.data() + body_offset, frame.size() - body_offset}; }
};

// A Kafka-protocol client of one peer broker, owned by one ring: the transport under the
// controller's RPCs (Vote, Fetch, BrokerHeartbeat) and replica fetching.
//
// Threading: every method, the coroutines it returns and its destructor run on the owning
// ring's thread. Nothing here is thread-safe; another core talks to the peer through its own
// PeerClient.
//
// Calls: call() encodes a request header (v1, or v2 for flexible versions, with a correlation
// id) in front of the body, queues the request, and returns the response body or a NetError.
// At most `max_in_flight` requests are on the wire at once (Kafka's
// max.in.flight.requests.per.connection); later ones wait in a queue of at most `max_waiting`,
// in call order. Responses are matched to requests by correlation id.
//
// Connection: one at a time, opened lazily when a call is waiting, with `connect_timeout`.
// After a failed attempt, or after a connection ends, the next attempt waits an exponential
// backoff with jitter (Backoff) counted from the start of the previous attempt; the failure
// count resets when a response arrives. A failed attempt fails every queued call with
// connect_failed; calls made during the backoff wait for the next attempt (or their deadline).
// So a caller that retries in a loop is paced by the backoff instead of spinning.
//
// Failures, as Kafka's NetworkClient handles them: a call whose deadline passes fails with
// `timeout`. If it was on the wire, its connection is closed (the response may still come, and
// the stream is then out of step) and every other request on that connection fails with
// `disconnected`. A peer that closes or resets fails every request on the wire with
// `disconnected`. Requests still queued are never lost with a connection: they go out on the
// next one. A request is sent at most once.
//
// Layers: the Transport (TcpTransport; TLS later) moves bytes. Everything above it, framing,
// correlation, deadlines, reconnection, is here, and does not depend on which transport runs.
//
// Lifetime: the constructor starts the connection loop (a coroutine) at once. close() fails
// every pending call with `closed`, aborts the connection and returns after every coroutine and
// every SQE this client started has finished. It must be awaited before the destructor runs,
// which asserts that nothing is outstanding. Callers whose calls failed are resumed on the next
// pass of the loop and do not touch the client any more, so it may be destroyed right after
// close() returns.
class PeerClient {
 public:
  struct Options {
    std::string client_id = "runnel";
    std::chrono::milliseconds connect_timeout{10'000};  // socket.connection.setup.timeout.ms
    Backoff::Policy reconnect_backoff{};                 // reconnect.backoff.ms / .max.ms
    uint64_t backoff_seed = 0;                           // 0: random
    uint32_t max_in_flight = 5;                          // requests on the wire at once
    uint32_t max_waiting = 1024;                         // queued calls beyond those
    int32_t max_request_bytes = 100 << 20;               // socket.request.max.bytes
    int32_t max_response_bytes = 100 << 20;              // larger: bad_response, connection closed
    TransportFactory transport;                          // empty: TcpTransport
  };

  // Counters for tests and metrics (never reset).
  struct Stats {
    uint64_t connect_attempts = 0;
    uint64_t connects = 0;
    uint64_t connect_failures = 0;
    uint64_t disconnects = 0;  // established connections that ended, for any reason
    uint64_t requests_sent = 0;
    uint64_t responses = 0;
    uint64_t timeouts = 0;
    int32_t last_connect_error = 0;  // -errno of the last failed attempt
  };

  PeerClient(io::Ring& ring, PeerAddress peer, Options options);
  ~PeerClient();
  PeerClient(const PeerClient&) = delete;
  PeerClient& operator=(const PeerClient&) = delete;

  // Sends one request (`body` is encoded at `api_version`, without the request header) and
  // returns its response, or the reason there is none. Fails at once with `closed`,
  // `too_many_waiting`, `request_too_large` or `unsupported_version`; otherwise by `deadline`.
  io::Task<Result<Response>> call(int16_t api_key, int16_t api_version, std::vector<uint8_t> body,
                                  Deadline deadline);

  // call() for a generated request type, decoding the response type `Resp` (bad_response when
  // the body does not decode). Pass a named request, not a temporary: GCC 12 destroys a
  // temporary bound to a reference inside a co_await expression wrongly (free() of a bad
  // pointer, seen with `co_await client.call<R>(Request{}, ...)`).
  template <typename Resp, typename Req>
  io::Task<Result<Resp>> call(const Req& request, int16_t api_version, Deadline deadline);

  io::Task<void> close();

  const PeerAddress& peer() const { return peer_; }
  bool closed() const { return closing_; }  // close() was called
  bool connected() const;
  size_t in_flight() const { return in_flight_.size(); }
  size_t waiting() const { return queued_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Call;
  struct Session;

  io::Task<void> drive();
  io::Task<void> connect_and_serve();
  io::Task<void> read_loop(Session& s);
  io::Task<void> write_loop(Session& s);
  // Feeds received bytes into frame assembly; false when the peer broke the framing.
  bool consume(Session& s, const uint8_t* data, size_t len);
  // Matches the assembled frame to its request; false when the peer broke the framing.
  bool complete_frame(Session& s);
  // Ends the connection: every request on the wire fails with `reason` (`culprit` with
  // `culprit_error`), and the transport is aborted. Queued calls stay for the next connection.
  void break_session(Session& s, NetError reason, Call* culprit = nullptr, NetError culprit_error = NetError::timeout);
  void fail_queued(NetError error);
  void on_deadline(Call& c);
  // Sets the outcome, drops the call from the queue or the wire, resumes its caller (posted).
  void finish(Call& c, Result<Response> outcome);

  io::Ring& ring_;
  PeerAddress peer_;
  Options options_;
  Backoff backoff_;
  Stats stats_;

  std::deque<Call*> queued_;     // in call order, not yet sent
  std::deque<Call*> in_flight_;  // handed to the writer, in send order
  int32_t next_correlation_id_ = 0;

  io::Wakeup driver_wake_;
  io::WaitGroup driver_done_;
  Session* session_ = nullptr;      // the established connection, while there is one
  Transport* connecting_ = nullptr;  // the transport of the attempt in progress
  uint32_t failures_ = 0;            // consecutive attempts or connections without a response
  Deadline next_attempt_{};
  bool closing_ = false;
  bool close_awaited_ = false;
  bool driver_running_ = true;
};

template <typename Resp, typename Req>
io::Task<Result<Resp>> PeerClient::call(const Req& request, int16_t api_version, Deadline deadline) {
  std::vector<uint8_t> body;
  protocol::Writer w(body);
  request.encode(w, api_version);
  Result<Response> raw = co_await call(Req::kApiKey, api_version, std::move(body), deadline);
  if (!raw.has_value()) co_return Unexpected(raw.error());
  std::span<const uint8_t> bytes = raw.value().body();
  protocol::Reader r(bytes.data(), bytes.size());
  Resp response;
  if (!response.decode(r, api_version) || !r.ok()) co_return Unexpected(NetError::bad_response);
  co_return response;
}

}  // namespace runnel::net
