#include "broker/net/peer_client.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "broker/log/log.h"
#include "broker/model/assert.h"
#include "broker/net/tcp_transport.h"
#include "broker/protocol/generated/api_keys.h"
#include "broker/protocol/generated/request_header.h"
#include "broker/protocol/generated/response_header.h"

namespace runnel::net {

namespace {

// Reads go through a buffer of this size; the rest of a frame at least this large is read
// straight into the frame.
constexpr size_t kReadBufferBytes = 64 * 1024;

int32_t read_be32(const uint8_t* p) {
  return static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]});
}

uint64_t random_seed() { return (uint64_t{std::random_device{}()} << 32) | std::random_device{}(); }

}  // namespace

// One established connection: its transport, the two loops that use it, and frame assembly.
// It lives in connect_and_serve()'s frame until both loops have ended.
struct PeerClient::Session {
  Session(io::Ring& ring, std::unique_ptr<Transport> t) : transport(std::move(t)), writer_wake(ring) {}

  std::unique_ptr<Transport> transport;
  io::Wakeup writer_wake;  // new calls queued, a slot on the wire freed, or broken
  io::WaitGroup loops;
  bool broken = false;

  ByteBuffer buf;  // kReadBufferBytes, for reads that are not straight into `frame`
  uint8_t size_buf[4];
  uint32_t size_have = 0;  // 4: `frame` is being filled
  ByteBuffer frame;        // sized to the frame once its size is known
  size_t frame_have = 0;
};

// One request, from call() until its outcome is set. It lives in call()'s coroutine frame,
// which stays suspended (so the Call stays put) until `resume` runs.
struct PeerClient::Call {
  enum class State { queued, in_flight, done };

  Call(PeerClient& o, Deadline d) : owner(o), deadline(d) {}
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  PeerClient& owner;
  Deadline deadline;
  int32_t correlation_id = 0;
  int16_t response_header_version = 0;
  std::vector<uint8_t> header;  // size prefix and request header; moved to the writer when sent
  std::vector<uint8_t> body;    // moved to the writer with `header`
  State state = State::queued;
  std::optional<Result<Response>> outcome;
  std::coroutine_handle<> waiter;
  io::TimerQueue::Id timer = 0;

  struct OnDeadline final : io::Completion {
    Call& c;
    explicit OnDeadline(Call& call) : c(call) {}
    void complete(int32_t, uint32_t) override { c.owner.on_deadline(c); }
  } on_deadline{*this};
  // Posted by finish(): the caller resumes on the next pass, never inside the client's code.
  struct Resume final : io::Completion {
    Call& c;
    explicit Resume(Call& call) : c(call) {}
    void complete(int32_t, uint32_t) override { c.waiter.resume(); }
  } resume{*this};

  // Awaiting the call queues it.
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    waiter = h;
    owner.queued_.push_back(this);
    timer = owner.ring_.timers().add(deadline, &on_deadline);
    if (owner.session_ != nullptr) owner.session_->writer_wake.wake();
    owner.driver_wake_.wake();
  }
  Result<Response> await_resume() { return std::move(*outcome); }
};

PeerClient::PeerClient(io::Ring& ring, PeerAddress peer, Options options)
    : ring_(ring),
      peer_(std::move(peer)),
      options_(std::move(options)),
      backoff_(options_.reconnect_backoff, options_.backoff_seed != 0 ? options_.backoff_seed : random_seed()),
      driver_wake_(ring) {
  RUNNEL_ASSERT(options_.max_in_flight > 0, "max_in_flight must be positive");
  if (!options_.transport) options_.transport = TcpTransport::factory();
  driver_done_.add();
  ring_.spawn(drive());  // runs until it waits for the first call
}

PeerClient::~PeerClient() {
  RUNNEL_ASSERT(closing_ && !driver_running_, "PeerClient to %s destroyed before close() completed",
                peer_.to_string().c_str());
  RUNNEL_ASSERT(queued_.empty() && in_flight_.empty() && session_ == nullptr && connecting_ == nullptr,
                "PeerClient destroyed with %zu queued, %zu in flight", queued_.size(), in_flight_.size());
}

bool PeerClient::connected() const { return session_ != nullptr && !session_->broken; }

io::Task<Result<Response>> PeerClient::call(int16_t api_key, int16_t api_version, std::vector<uint8_t> body,
                                            Deadline deadline) {
  if (closing_) co_return Unexpected(NetError::closed);
  const int16_t request_header_version = protocol::request_header_version(api_key, api_version);
  const int16_t response_header_version = protocol::response_header_version(api_key, api_version);
  if (request_header_version < 0 || response_header_version < 0) co_return Unexpected(NetError::unsupported_version);
  if (queued_.size() >= options_.max_waiting) co_return Unexpected(NetError::too_many_waiting);

  Call c(*this, deadline);
  c.correlation_id = next_correlation_id_;
  next_correlation_id_ = next_correlation_id_ == INT32_MAX ? 0 : next_correlation_id_ + 1;
  c.response_header_version = response_header_version;
  protocol::RequestHeader header;
  header.request_api_key = api_key;
  header.request_api_version = api_version;
  header.correlation_id = c.correlation_id;
  header.client_id = options_.client_id;
  c.header.assign(4, 0);
  protocol::Writer w(c.header);
  header.encode(w, request_header_version);
  const size_t frame_bytes = c.header.size() - 4 + body.size();
  if (frame_bytes > static_cast<size_t>(options_.max_request_bytes)) co_return Unexpected(NetError::request_too_large);
  // The size prefix is before where `w` started, so it is not the writer's to patch.
  for (int i = 0; i < 4; ++i) c.header[size_t(i)] = static_cast<uint8_t>(frame_bytes >> (24 - 8 * i));
  c.body = std::move(body);
  if (io::Clock::now() >= deadline) co_return Unexpected(NetError::timeout);
  co_return co_await c;
}

io::Task<void> PeerClient::close() {
  RUNNEL_ASSERT(!close_awaited_, "PeerClient::close() awaited twice");
  close_awaited_ = true;
  closing_ = true;
  fail_queued(NetError::closed);
  if (session_ != nullptr) break_session(*session_, NetError::closed);
  if (connecting_ != nullptr) connecting_->abort();
  driver_wake_.wake();
  co_await driver_done_.wait();
}

// The connection loop: idle while nothing is queued, waits out the backoff, connects, serves.
io::Task<void> PeerClient::drive() {
  while (!closing_) {
    if (queued_.empty()) {
      co_await driver_wake_.wait();
    } else if (io::Clock::now() < next_attempt_) {
      co_await driver_wake_.wait(next_attempt_);
    } else {
      co_await connect_and_serve();
    }
  }
  driver_running_ = false;
  driver_done_.done();  // may resume close() and free this client: touch nothing after it
}

io::Task<void> PeerClient::connect_and_serve() {
  const Deadline started = io::Clock::now();
  ++stats_.connect_attempts;
  std::unique_ptr<Transport> transport = options_.transport(ring_);
  connecting_ = transport.get();
  std::optional<SocketAddress> to = co_await peer_.resolve(ring_);
  int32_t rc = -EHOSTUNREACH;
  if (to) rc = co_await transport->connect(*to, started + options_.connect_timeout);
  connecting_ = nullptr;
  if (rc < 0 || closing_) {
    ++failures_;
    next_attempt_ = started + backoff_.delay(failures_);
    if (!closing_) {
      ++stats_.connect_failures;
      stats_.last_connect_error = rc;
      RUNNEL_LOG_LIMITED(info, "connection to %s failed: %s; next attempt in %lld ms", peer_.to_string().c_str(),
                         std::strerror(-rc),
                         static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    next_attempt_ - io::Clock::now())
                                                    .count()));
      fail_queued(NetError::connect_failed);
    }
    co_return;  // no operation is pending on the transport: it may go
  }
  ++stats_.connects;
  Session s(ring_, std::move(transport));
  session_ = &s;
  s.loops.add(2);
  ring_.spawn(read_loop(s));
  ring_.spawn(write_loop(s));
  co_await s.loops.wait();
  session_ = nullptr;
  ++stats_.disconnects;
  // Counted as a failure until the peer proves healthy with a response (on_response resets it),
  // so a peer that accepts and drops connections is retried with a growing backoff.
  ++failures_;
  next_attempt_ = started + backoff_.delay(failures_);
}

io::Task<void> PeerClient::read_loop(Session& s) {
  s.buf.resize(kReadBufferBytes);
  while (!s.broken) {
    const bool direct = s.size_have == 4 && s.frame.size() - s.frame_have >= kReadBufferBytes;
    std::span<uint8_t> into = direct ? std::span<uint8_t>(s.frame.data() + s.frame_have, s.frame.size() - s.frame_have)
                                     : std::span<uint8_t>(s.buf.data(), s.buf.size());
    const int32_t n = co_await s.transport->read_some(into);
    if (s.broken) break;
    if (n <= 0) {
      RUNNEL_LOG(debug, "connection to %s ended: %s", peer_.to_string().c_str(), n == 0 ? "closed by peer" : std::strerror(-n));
      break_session(s, NetError::disconnected);
      break;
    }
    bool ok;
    if (direct) {
      s.frame_have += static_cast<size_t>(n);
      ok = s.frame_have < s.frame.size() || complete_frame(s);
    } else {
      ok = consume(s, s.buf.data(), static_cast<size_t>(n));
    }
    if (!ok) break_session(s, NetError::bad_response);  // a no-op if the culprit was known
  }
  s.loops.done();
}

io::Task<void> PeerClient::write_loop(Session& s) {
  std::vector<std::vector<uint8_t>> sending;  // owned here until the kernel is done with them
  std::vector<iovec> iov;
  while (!s.broken) {
    while (!queued_.empty() && in_flight_.size() < options_.max_in_flight) {
      Call* c = queued_.front();
      queued_.pop_front();
      c->state = Call::State::in_flight;
      in_flight_.push_back(c);
      sending.push_back(std::move(c->header));
      sending.push_back(std::move(c->body));
    }
    if (sending.empty()) {
      co_await s.writer_wake.wait();
      continue;
    }
    iov.clear();
    for (std::vector<uint8_t>& b : sending) {
      if (!b.empty()) iov.push_back(iovec{b.data(), b.size()});
    }
    const int32_t rc = co_await s.transport->write_all(iov);
    const size_t requests = sending.size() / 2;
    sending.clear();
    if (s.broken) break;
    if (rc < 0) {
      break_session(s, NetError::disconnected);
      break;
    }
    stats_.requests_sent += requests;
  }
  s.loops.done();
}

bool PeerClient::consume(Session& s, const uint8_t* data, size_t len) {
  while (len > 0 && !s.broken) {
    if (s.size_have < 4) {
      const size_t n = std::min<size_t>(4 - s.size_have, len);
      std::memcpy(s.size_buf + s.size_have, data, n);
      s.size_have += static_cast<uint32_t>(n);
      data += n;
      len -= n;
      if (s.size_have < 4) return true;
      const int32_t size = read_be32(s.size_buf);
      // Every response starts with a 4-byte correlation id.
      if (size < 4 || size > options_.max_response_bytes) {
        RUNNEL_LOG_LIMITED(warn, "response of %d bytes from %s is out of range", size, peer_.to_string().c_str());
        return false;
      }
      s.frame.resize(static_cast<size_t>(size));
      s.frame_have = 0;
    }
    const size_t n = std::min(s.frame.size() - s.frame_have, len);
    std::memcpy(s.frame.data() + s.frame_have, data, n);
    s.frame_have += n;
    data += n;
    len -= n;
    if (s.frame_have == s.frame.size() && !complete_frame(s)) return false;
  }
  return true;
}

bool PeerClient::complete_frame(Session& s) {
  ByteBuffer frame = std::move(s.frame);
  s.frame = {};
  s.frame_have = 0;
  s.size_have = 0;
  const int32_t correlation_id = read_be32(frame.data());
  auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                         [&](const Call* c) { return c->correlation_id == correlation_id; });
  if (it == in_flight_.end()) {
    RUNNEL_LOG_LIMITED(warn, "response from %s with unknown correlation id %d", peer_.to_string().c_str(),
                       correlation_id);
    return false;
  }
  Call& c = **it;
  protocol::Reader r(frame.data(), frame.size());
  protocol::ResponseHeader header;
  if (!header.decode(r, c.response_header_version) || !r.ok()) {
    break_session(s, NetError::disconnected, &c, NetError::bad_response);
    return false;
  }
  const size_t body_offset = r.position();
  ++stats_.responses;
  failures_ = 0;
  finish(c, Response{std::move(frame), body_offset});
  s.writer_wake.wake();  // a slot on the wire is free
  return true;
}

void PeerClient::break_session(Session& s, NetError reason, Call* culprit, NetError culprit_error) {
  if (s.broken) return;
  s.broken = true;
  while (!in_flight_.empty()) {
    Call* c = in_flight_.front();
    finish(*c, Unexpected(c == culprit ? culprit_error : reason));
  }
  s.transport->abort();
  s.writer_wake.wake();
}

void PeerClient::fail_queued(NetError error) {
  while (!queued_.empty()) finish(*queued_.front(), Unexpected(error));
}

void PeerClient::on_deadline(Call& c) {
  c.timer = 0;  // fired
  ++stats_.timeouts;
  if (c.state == Call::State::queued) {
    finish(c, Unexpected(NetError::timeout));
    return;
  }
  RUNNEL_ASSERT(c.state == Call::State::in_flight && session_ != nullptr && !session_->broken,
                "deadline of request %d fired in state %d", c.correlation_id, static_cast<int>(c.state));
  // The response may still come; the stream would then be out of step with in_flight_. Like
  // Kafka's NetworkClient, close the connection and fail the other requests on it.
  RUNNEL_LOG_LIMITED(info, "request %d to %s timed out; reconnecting", c.correlation_id, peer_.to_string().c_str());
  break_session(*session_, NetError::disconnected, &c, NetError::timeout);
}

void PeerClient::finish(Call& c, Result<Response> outcome) {
  RUNNEL_ASSERT(c.state != Call::State::done, "request %d finished twice", c.correlation_id);
  std::deque<Call*>& list = c.state == Call::State::queued ? queued_ : in_flight_;
  auto it = std::find(list.begin(), list.end(), &c);
  RUNNEL_ASSERT(it != list.end(), "request %d not in its list", c.correlation_id);
  list.erase(it);
  if (c.timer != 0) ring_.timers().cancel(c.timer);
  c.timer = 0;
  c.state = Call::State::done;
  c.outcome.emplace(std::move(outcome));
  ring_.post(&c.resume);
}

}  // namespace runnel::net
