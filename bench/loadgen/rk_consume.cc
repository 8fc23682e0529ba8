// `runnel-bench consume`: reads --records records from every partition of --topic from the start,
// without a consumer group (assign). The rate is steady state, from the first record to the last:
// the setup before the first record (bootstrap, metadata, offset look-up, the consumer's first
// small fetches) is reported apart as setup_ms, as it would dominate runs of a second or less.
#include <cstdio>

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
  while (got < want && mono_ns() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (m->err) {
      if (errors++ == 0) first_error = rd_kafka_message_errstr(m);
    } else {
      last = mono_ns();
      if (got++ == 0) {
        first = last;
        first_bytes = m->len;
      }
      bytes += m->len;
    }
    rd_kafka_message_destroy(m);
  }
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
