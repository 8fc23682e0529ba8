// `runnel-bench raw`: broker capacity without a client library. Each of --conns connections keeps
// --depth pre-encoded Produce v9 requests in flight (one --batch-bytes batch per partition per
// request, --compression none or lz4, --acks), for --duration-s or until --total-mb have been sent. Only partitions answered with error code 0 count as stored.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <chrono>
#include <cstdio>
#include <deque>
#include <thread>

#include "common.h"
#include "raw_wire.h"

namespace bench {
namespace {

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

bool read_all(int fd, uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::recv(fd, p, n, 0);
    if (r <= 0) return false;
    p += r;
    n -= size_t(r);
  }
  return true;
}

struct ConnResult {
  uint64_t ok_partitions = 0, error_partitions = 0, requests = 0;
  bool failed = false;
  int first_error = 0;
  Histogram hist;
};

// `budget` is how many more requests all connections together may send (--total-mb).
void run_conn(int port, std::string request, int partitions, int depth, int64_t end_ns, std::atomic<int64_t>& budget,
              ConnResult& out) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    out.failed = true;
    return;
  }
  int32_t next_id = 1;
  std::deque<int64_t> sent_at;
  std::vector<uint8_t> buf(1 << 16);
  auto send_one = [&]() {
    if (budget.fetch_sub(1) <= 0) return true;
    patch_correlation_id(request, next_id++);
    sent_at.push_back(mono_ns());
    return write_all(fd, request.data(), request.size());
  };
  for (int i = 0; i < depth; ++i) {
    if (!send_one()) return void(out.failed = true);
  }
  if (sent_at.empty()) return;
  while (!sent_at.empty()) {
    uint8_t len_buf[4];
    if (!read_all(fd, len_buf, 4)) return void(out.failed = true);
    uint32_t len = (uint32_t(len_buf[0]) << 24) | (uint32_t(len_buf[1]) << 16) | (uint32_t(len_buf[2]) << 8) | len_buf[3];
    if (len > buf.size()) buf.resize(len);
    if (!read_all(fd, buf.data(), len)) return void(out.failed = true);
    int64_t now = mono_ns();
    out.hist.add_us((now - sent_at.front()) / 1000);
    sent_at.pop_front();
    int32_t corr = 0;
    int errs = produce_v9_errors(buf.data(), len, &corr, &out.first_error);
    if (errs < 0) errs = partitions;
    out.error_partitions += uint64_t(errs);
    out.ok_partitions += uint64_t(partitions - errs);
    ++out.requests;
    if (now < end_ns && !send_one()) return void(out.failed = true);
  }
  ::close(fd);
}

}  // namespace

int run_raw(const Flags& f) {
  int port = int(f.num("port", 9092));
  std::string topic = f.get("topic");
  int partitions = int(f.num("partitions", 1));
  size_t size = size_t(f.num("size", 1024));
  size_t batch_bytes = size_t(f.num("batch-bytes", 65536));
  int conns = int(f.num("conns", 4));
  int depth = int(f.num("depth", 8));
  int16_t acks = int16_t(f.num("acks", 1));
  double duration = f.real("duration-s", 5);

  const std::string compression = f.get("compression", "none");
  if (compression != "none" && compression != "lz4") {
    std::fprintf(stderr, "raw: --compression none|lz4\n");
    return 2;
  }
  // --batch-bytes bounds the batch before compression, like a producer's batch.size. The values
  // cycle through the librdkafka producer's 16 payloads, so lz4 sees the same data in both
  // generators: it finds the repeated records (random letters alone barely compress with lz4).
  int per_batch = records_per_batch(size, batch_bytes);
  int64_t now_ms = wall_ns() / 1000000;
  std::vector<std::string> values;
  for (uint32_t i = 0; i < 16; ++i) values.push_back(payload(size, i + 1));
  std::string batch = encode_batch(values, per_batch, now_ms, compression == "lz4");
  std::string request = encode_produce_v9(topic, partitions, batch, acks, 30000);

  std::vector<ConnResult> results(static_cast<size_t>(conns));
  std::vector<std::thread> threads;
  int64_t start = mono_ns();
  int64_t end = start + int64_t(duration * 1e9);
  double total_mb = f.real("total-mb", 0);
  std::atomic<int64_t> budget{total_mb > 0 ? int64_t(total_mb * 1e6 / double(request.size())) + 1 : INT64_MAX};
  for (int c = 0; c < conns; ++c) threads.emplace_back(run_conn, port, request, partitions, depth, end, std::ref(budget), std::ref(results[size_t(c)]));
  for (auto& t : threads) t.join();
  double secs = double(mono_ns() - start) / 1e9;
  ConnResult total;
  bool failed = false;
  for (auto& r : results) {
    total.ok_partitions += r.ok_partitions;
    total.error_partitions += r.error_partitions;
    total.requests += r.requests;
    total.hist.merge(r.hist);
    failed = failed || r.failed;
    if (r.first_error) total.first_error = r.first_error;
  }
  double records = double(total.ok_partitions) * per_batch;
  emit_json({{"records", num_str(records)},
             {"records_per_batch", num_str(per_batch)},
             {"batch_bytes", num_str(double(batch.size()))},
             {"request_bytes", num_str(double(request.size()))},
             {"requests", num_str(double(total.requests))},
             {"error_partitions", num_str(double(total.error_partitions))},
             {"first_error_code", num_str(total.first_error)},
             {"connection_failed", failed ? "true" : "false"},
             {"seconds", num_str(secs)},
             {"records_per_s", num_str(records / secs)},
             {"mb_per_s", num_str(records * double(size) / 1e6 / secs)},
             {"wire_mb_per_s", num_str(double(total.ok_partitions) * double(batch.size()) / 1e6 / secs)},
             {"p50_ms", num_str(total.hist.percentile_ms(50))},
             {"p99_ms", num_str(total.hist.percentile_ms(99))},
             {"p999_ms", num_str(total.hist.percentile_ms(99.9))}});
  return failed ? 1 : 0;
}

}  // namespace bench
