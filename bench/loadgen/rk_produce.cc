// `runnel-bench produce`: librdkafka producer throughput for a fixed time, as fast as it goes.
// Counts only records whose delivery report says success; ack latency is enqueue -> report.
#include <atomic>
#include <cstdio>

#include "rk_common.h"

namespace bench {
namespace {

struct State {
  Histogram hist;
  uint64_t ok = 0, failed = 0;
  int64_t last_ok_ns = 0;
  std::string first_error;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* st = static_cast<State*>(opaque);
  int64_t now = mono_ns();
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
  uint64_t sent = 0;
  while (mono_ns() < end) {
    for (int burst = 0; burst < 256; ++burst) {
      const std::string& v = values[sent & 15];
      int32_t part = partitions > 1 ? int32_t(RD_KAFKA_PARTITION_UA) : 0;
      void* t0 = reinterpret_cast<void*>(intptr_t(mono_ns()));
      if (rd_kafka_produce(rkt, part, RD_KAFKA_MSG_F_COPY, const_cast<char*>(v.data()), v.size(), nullptr, 0, t0) != 0) {
        if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
          std::fprintf(stderr, "produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
          return 1;
        }
        rd_kafka_poll(rk, 1);
        break;
      }
      ++sent;
    }
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 60000);
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
