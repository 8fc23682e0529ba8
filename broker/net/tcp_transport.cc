#include "broker/net/tcp_transport.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <coroutine>

#include "broker/model/assert.h"

namespace runnel::net {

namespace {

// IORING_OP_CONNECT linked to an IORING_OP_LINK_TIMEOUT: two SQEs and two CQEs. The awaiter
// resumes only after both have arrived, so the timespec and both Completions outlive every SQE
// that names them. The SQEs are prepared in the constructor and get their user_data in
// await_suspend, so it must be awaited in the expression that creates it (see broker/io/README).
class TimedConnect {
 public:
  TimedConnect(io::Ring& ring, int fd, const SocketAddress& to, std::chrono::nanoseconds timeout) {
    ts_.tv_sec = timeout.count() / 1'000'000'000;
    ts_.tv_nsec = timeout.count() % 1'000'000'000;
    ring.reserve_sqes(2);  // the pair must go out in one submission, or the link breaks
    connect_sqe_ = ring.sqe();
    io_uring_prep_connect(connect_sqe_, fd, to.get(), to.len);
    connect_sqe_->flags |= IOSQE_IO_LINK;
    timeout_sqe_ = ring.sqe();
    io_uring_prep_link_timeout(timeout_sqe_, &ts_, 0);
  }
  TimedConnect(const TimedConnect&) = delete;
  TimedConnect& operator=(const TimedConnect&) = delete;

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept {
    waiter_ = h;
    io_uring_sqe_set_data(connect_sqe_, &connect_);
    io_uring_sqe_set_data(timeout_sqe_, &timeout_);
  }
  // The connect's result; a connect the timeout cancelled reads as -ETIMEDOUT.
  int32_t await_resume() const noexcept {
    return connect_.res == -ECANCELED && timeout_.res == -ETIME ? -ETIMEDOUT : connect_.res;
  }

 private:
  struct Part final : io::Completion {
    TimedConnect* self;
    int32_t res = 0;
    explicit Part(TimedConnect* s) : self(s) {}
    void complete(int32_t r, uint32_t) override {
      res = r;
      if (--self->left_ == 0) self->waiter_.resume();
    }
  };

  __kernel_timespec ts_{};
  io_uring_sqe* connect_sqe_;
  io_uring_sqe* timeout_sqe_;
  Part connect_{this};
  Part timeout_{this};
  int left_ = 2;
  std::coroutine_handle<> waiter_;
};

}  // namespace

TcpTransport::~TcpTransport() {
  RUNNEL_ASSERT(pending_ == 0, "TcpTransport destroyed with %d operations pending", pending_);
  if (fd_ >= 0) ::close(fd_);
}

TransportFactory TcpTransport::factory() {
  return [](io::Ring& ring) -> std::unique_ptr<Transport> { return std::make_unique<TcpTransport>(ring); };
}

io::Task<int32_t> TcpTransport::connect(const SocketAddress& to, io::Clock::time_point deadline) {
  RUNNEL_ASSERT(fd_ < 0, "TcpTransport::connect called twice");
  if (aborted_) co_return -ECANCELED;
  fd_ = ::socket(to.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) co_return -errno;
  // Requests are small and latency-bound (heartbeats, votes): never wait for Nagle.
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  const auto timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - io::Clock::now());
  if (timeout <= std::chrono::nanoseconds::zero()) co_return -ETIMEDOUT;
  ++pending_;
  int32_t rc = co_await TimedConnect(ring_, fd_, to, timeout);
  --pending_;
  if (aborted_ && rc >= 0) co_return -ECANCELED;
  connected_ = rc >= 0;
  co_return rc;
}

io::Task<int32_t> TcpTransport::write_all(std::span<iovec> iov) {
  size_t first = 0;  // iov[first] is the first one with bytes left
  while (first < iov.size()) {
    if (aborted_) co_return -ECANCELED;
    msghdr msg{};
    msg.msg_iov = iov.data() + first;
    msg.msg_iovlen = iov.size() - first;
    ++pending_;
    int32_t rc = co_await ring_.sendmsg(fd_, &msg, MSG_NOSIGNAL);
    --pending_;
    if (rc < 0) co_return rc;
    // A partial send: skip what went out, trim the iovec it stopped in.
    auto n = static_cast<size_t>(rc);
    while (first < iov.size() && n >= iov[first].iov_len) n -= iov[first++].iov_len;
    if (n > 0) {
      iov[first].iov_base = static_cast<uint8_t*>(iov[first].iov_base) + n;
      iov[first].iov_len -= n;
    }
  }
  co_return 0;
}

io::Task<int32_t> TcpTransport::read_some(std::span<uint8_t> into) {
  RUNNEL_ASSERT(!into.empty(), "read_some into an empty buffer");
  if (aborted_) co_return -ECANCELED;
  ++pending_;
  int32_t rc = co_await ring_.recv(fd_, into.data(), into.size(), 0);
  --pending_;
  co_return rc;
}

void TcpTransport::abort() {
  if (aborted_) return;
  aborted_ = true;
  if (fd_ < 0) return;
  // Not on a connect in progress: shutdown() would reset the socket to unconnected, and
  // io_uring, woken by that, would start the connect over. The cancel below ends it.
  if (connected_) ::shutdown(fd_, SHUT_RDWR);
  if (pending_ == 0) return;
  // The fd cannot be closed and reused before this cancel is submitted: it stays open until the
  // pending operations complete, which is after this SQE goes out with the next submission.
  io_uring_sqe* sqe = ring_.sqe();
  io_uring_prep_cancel_fd(sqe, fd_, IORING_ASYNC_CANCEL_ALL);
  io_uring_sqe_set_data64(sqe, io::kIgnoreCqe);
  sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
}

}  // namespace runnel::net
