// `runnel-bench consume`: reads --records records from every partition of --topic from the start,
// without a consumer group (assign), and reports the rate from assign to the last record.
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
  int64_t last = start;
  while (got < want && mono_ns() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (m->err) {
      if (errors++ == 0) first_error = rd_kafka_message_errstr(m);
    } else {
      ++got;
      bytes += m->len;
      last = mono_ns();
    }
    rd_kafka_message_destroy(m);
  }
  double secs = double(last - start) / 1e9;
  emit_json({{"records", num_str(double(got))},
             {"expected", num_str(double(want))},
             {"seconds", num_str(secs)},
             {"records_per_s", num_str(double(got) / secs)},
             {"mb_per_s", num_str(double(bytes) / 1e6 / secs)},
             {"error", first_error}});
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return got >= want ? 0 : 1;
}

}  // namespace bench
