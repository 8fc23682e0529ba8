// `runnel-bench e2e`: end-to-end latency (produce -> consume) at a fixed rate.
// Coordinated omission: record i is due at start + i/rate; its latency is measured from that due
// time, not from when the producer got around to sending it, so a stalled broker shows up as
// latency for every record that should have been sent meanwhile.
#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

#include "rk_common.h"

namespace bench {

int run_e2e(const Flags& f) {
  std::string brokers = f.get("brokers");
  std::string topic = f.get("topic");
  size_t size = std::max<size_t>(16, size_t(f.num("size", 1024)));
  double rate = f.real("rate", 1000);
  double duration = f.real("duration-s", 10);
  double warmup = f.real("warmup-s", 2);
  Conf pconf{{"bootstrap.servers", brokers}, {"acks", f.get("acks", "1")}, {"linger.ms", "1"}};
  add_extra(pconf, f.get("rdkafka", ""));
  rd_kafka_t* prod = make_client(RD_KAFKA_PRODUCER, pconf);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(prod, topic.c_str(), nullptr);
  rd_kafka_t* cons = make_assigned_consumer(brokers, topic, 1, RD_KAFKA_OFFSET_BEGINNING, "fetch.wait.max.ms=100," + f.get("rdkafka-consumer", ""));

  uint64_t total = uint64_t(rate * duration);
  int64_t start = mono_ns() + 500000000;  // let the consumer connect first
  std::atomic<uint64_t> received{0};
  std::atomic<bool> stop{false};
  Histogram hist;
  uint64_t late_sends = 0;
  std::thread consumer([&] {
    while (!stop.load()) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(cons, 50);
      if (!m) continue;
      int64_t now = mono_ns();
      if (!m->err && m->len >= 16) {
        int64_t due = 0;
        std::memcpy(&due, m->payload, 8);
        if (due - start >= int64_t(warmup * 1e9)) hist.add_us((now - due) / 1000);
        received.fetch_add(1);
      }
      rd_kafka_message_destroy(m);
    }
  });
  std::string value = payload(size, 7);
  for (uint64_t i = 0; i < total; ++i) {
    int64_t due = start + int64_t(double(i) * 1e9 / rate);
    if (mono_ns() < due) {
      sleep_until_mono(due);
    } else if (mono_ns() - due > 1000000) {
      ++late_sends;
    }
    std::memcpy(value.data(), &due, 8);
    while (rd_kafka_produce(rkt, 0, RD_KAFKA_MSG_F_COPY, value.data(), value.size(), nullptr, 0, nullptr) != 0) rd_kafka_poll(prod, 1);
    rd_kafka_poll(prod, 0);
  }
  rd_kafka_flush(prod, 30000);
  int64_t wait_until = mono_ns() + 10000000000LL;
  while (received.load() < total && mono_ns() < wait_until) sleep_until_mono(mono_ns() + 10000000);
  stop = true;
  consumer.join();
  emit_json({{"records", num_str(double(received.load()))},
             {"expected", num_str(double(total))},
             {"rate", num_str(rate)},
             {"late_sends", num_str(double(late_sends))},
             {"records_per_s", num_str(rate)},
             {"mb_per_s", num_str(rate * double(size) / 1e6)},
             {"p50_ms", num_str(hist.percentile_ms(50))},
             {"p99_ms", num_str(hist.percentile_ms(99))},
             {"p999_ms", num_str(hist.percentile_ms(99.9))},
             {"max_ms", num_str(hist.max_ms())}});
  rd_kafka_consumer_close(cons);
  rd_kafka_destroy(cons);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(prod);
  return received.load() >= total ? 0 : 1;
}

}  // namespace bench
