// `runnel-bench consume`: reads --records records from every partition of --topic from the start,
// without a consumer group (assign). The rate is steady state, from the first record to the last:
// the setup before the first record (bootstrap, metadata, offset look-up, the consumer's first
// small fetches) is reported apart as setup_ms, as it would dominate runs of a second or less.
#include <cstdio>
#include <vector>

#include "rk_common.h"

namespace bench {

int run_consume(const Flags& f) {
  std::string topic = f.get("topic");
  int partitions = int(f.num("partitions", 1));
  uint64_t want = uint64_t(f.num("records", 0));
  double timeout = f.real("timeout-s", 60);
  rd_kafka_t* rk = make_assigned_consumer(f.get("brokers"), topic, partitions, RD_KAFKA_OFFSET_BEGINNING, f.get("rdkafka", ""));
  int64_t start = mono_ns();
  int64_t deadline = start + int64_t(timeout * 1e9);
  uint64_t got = 0, bytes = 0, errors = 0;
  std::string first_error;
  int64_t first = 0, last = start;
  uint64_t first_bytes = 0;
  // Messages are taken 1024 at a time (rd_kafka_consume_batch_queue: one queue lock per call) and
  // the clock is read once per call: with one call per message and a clock read per record, the
  // loop itself was a third of the client core at 2.5M records/s. A record's arrival time is its
  // call's, which is off by the time to hand out one batch: microseconds.
  constexpr size_t kBatch = 1024;
  std::vector<rd_kafka_message_t*> batch(kBatch);
  rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk);
  while (got < want && mono_ns() < deadline) {
    const ssize_t n = rd_kafka_consume_batch_queue(queue, 100, batch.data(), kBatch);
    if (n <= 0) continue;
    const int64_t now = mono_ns();
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = batch[size_t(i)];
      if (m->err) {
        if (errors++ == 0) first_error = rd_kafka_message_errstr(m);
      } else {
        last = now;
        if (got++ == 0) {
          first = now;
          first_bytes = m->len;
        }
        bytes += m->len;
      }
      rd_kafka_message_destroy(m);
    }
  }
  rd_kafka_queue_destroy(queue);
  // Records after the first, over the time since the first.
  const double secs = got > 1 ? double(last - first) / 1e9 : 0;
  const double rate = secs > 0 ? double(got - 1) / secs : 0;
  const double mb = secs > 0 ? double(bytes - first_bytes) / 1e6 / secs : 0;
  emit_json({{"records", num_str(double(got))},
             {"expected", num_str(double(want))},
             {"seconds", num_str(double(last - start) / 1e9)},
             {"setup_ms", num_str(got > 0 ? double(first - start) / 1e6 : 0)},
             {"records_per_s", num_str(rate)},
             {"mb_per_s", num_str(mb)},
             {"error", first_error}});
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return got >= want ? 0 : 1;
}

}  // namespace bench
