// `runnel-bench produce`: librdkafka producer throughput for a fixed time, as fast as it goes.
// Counts only records whose delivery report says success; ack latency is enqueue -> report.
//
// The client core sets the rate in the small-record cases, so the loop spends as little as it can
// per record: payloads are not copied (they outlive the producer), records are enqueued in
// batches, and the clock is read once per batch and once per poll instead of twice per record.
// At 100 B and ~3M records/s the two per-record clock reads were a quarter of the client core.
// The latency error this adds is the time to enqueue one batch plus one poll's callbacks:
// microseconds, against milliseconds measured.
#include <atomic>
#include <cstdio>

#include "rk_common.h"

namespace bench {
namespace {

struct State {
  Histogram hist;
  int64_t poll_ns = 0;  // taken just before each rd_kafka_poll: the delivery callbacks' "now"
  uint64_t ok = 0, failed = 0;
  int64_t last_ok_ns = 0;
  std::string first_error;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* st = static_cast<State*>(opaque);
  const int64_t now = st->poll_ns;
  if (m->err) {
    if (st->failed++ == 0) st->first_error = rd_kafka_err2str(m->err);
    return;
  }
  ++st->ok;
  st->last_ok_ns = now;
  st->hist.add_us((now - int64_t(reinterpret_cast<intptr_t>(m->_private))) / 1000);
}

}  // namespace

int run_produce(const Flags& f) {
  std::string topic = f.get("topic");
  size_t size = size_t(f.num("size", 1024));
  int partitions = int(f.num("partitions", 1));
  double duration = f.real("duration-s", 5);
  Conf conf{{"bootstrap.servers", f.get("brokers")},
            {"acks", f.get("acks", "1")},
            {"compression.type", f.get("compression", "none")}};
  add_extra(conf, f.get("rdkafka", ""));
  State st;
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, conf, on_delivery, &st);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);

  // A few distinct payloads so compression sees realistic, non-identical records.
  std::vector<std::string> values;
  for (uint32_t i = 0; i < 16; ++i) values.push_back(payload(size, i + 1));

  int64_t start = mono_ns();
  int64_t end = start + int64_t(duration * 1e9);
  // Records are enqueued 256 at a time with rd_kafka_produce_batch, which takes librdkafka's
  // partition-queue lock and its clocks once per call instead of once per record. With several
  // partitions each call goes to the next partition in turn: like the sticky partitioner that
  // librdkafka applies to keyless records, but switching every 256 records instead of every
  // sticky.partitioning.linger.ms.
  constexpr int kBurst = 256;
  std::vector<rd_kafka_message_t> burst(kBurst);
  uint64_t sent = 0;
  int32_t part = 0;
  auto poll = [&](int timeout_ms) {
    st.poll_ns = mono_ns();
    rd_kafka_poll(rk, timeout_ms);
  };
  for (int64_t now = start; now < end; now = mono_ns()) {
    for (int i = 0; i < kBurst; ++i) {
      const std::string& v = values[(sent + uint64_t(i)) & 15];
      burst[size_t(i)] = rd_kafka_message_t{};
      burst[size_t(i)].payload = const_cast<char*>(v.data());
      burst[size_t(i)].len = v.size();
      burst[size_t(i)]._private = reinterpret_cast<void*>(intptr_t(now));
    }
    // Flags 0: librdkafka neither copies nor frees the payloads; `values` outlives the producer.
    const int queued = rd_kafka_produce_batch(rkt, part, 0, burst.data(), kBurst);
    sent += uint64_t(queued);
    part = (part + 1) % partitions;
    if (queued < kBurst) {
      for (const auto& m : burst) {
        if (m.err && m.err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
          std::fprintf(stderr, "produce: %s\n", rd_kafka_err2str(m.err));
          return 1;
        }
      }
      poll(1);  // queue full: let deliveries drain it
    }
    poll(0);
  }
  while (rd_kafka_outq_len(rk) > 0 && mono_ns() < end + int64_t(60e9)) poll(10);
  rd_kafka_flush(rk, 1000);
  int64_t stop = st.last_ok_ns ? st.last_ok_ns : mono_ns();
  double secs = double(stop - start) / 1e9;
  double mb = double(st.ok) * double(size) / 1e6;
  emit_json({{"records", num_str(double(st.ok))},
             {"failed", num_str(double(st.failed))},
             {"unacked", num_str(double(sent - st.ok - st.failed))},
             {"seconds", num_str(secs)},
             {"records_per_s", num_str(double(st.ok) / secs)},
             {"mb_per_s", num_str(mb / secs)},
             {"p50_ms", num_str(st.hist.percentile_ms(50))},
             {"p99_ms", num_str(st.hist.percentile_ms(99))},
             {"p999_ms", num_str(st.hist.percentile_ms(99.9))},
             {"error", st.first_error}});
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return 0;
}

}  // namespace bench
