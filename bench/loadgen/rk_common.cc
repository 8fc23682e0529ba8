#include "rk_common.h"

#include <cstdio>
#include <cstdlib>

namespace bench {

rd_kafka_t* make_client(rd_kafka_type_t type, const Conf& conf, void (*dr_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*),
                        void* opaque) {
  char err[512];
  rd_kafka_conf_t* c = rd_kafka_conf_new();
  for (const auto& [k, v] : conf) {
    if (rd_kafka_conf_set(c, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "config %s=%s: %s\n", k.c_str(), v.c_str(), err);
      std::exit(2);
    }
  }
  if (dr_cb) rd_kafka_conf_set_dr_msg_cb(c, dr_cb);
  if (opaque) rd_kafka_conf_set_opaque(c, opaque);
  rd_kafka_t* rk = rd_kafka_new(type, c, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "rd_kafka_new: %s\n", err);
    std::exit(2);
  }
  return rk;
}

void add_extra(Conf& conf, const std::string& spec) {
  size_t pos = 0;
  while (pos < spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    std::string kv = spec.substr(pos, comma - pos);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) conf.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    pos = comma + 1;
  }
}

rd_kafka_t* make_assigned_consumer(const std::string& brokers, const std::string& topic, int partitions,
                                   int64_t start_offset, const std::string& extra) {
  Conf conf{{"bootstrap.servers", brokers}, {"enable.partition.eof", "false"}, {"enable.auto.commit", "false"}, {"group.id", "runnel-bench"}};
  add_extra(conf, extra);
  rd_kafka_t* rk = make_client(RD_KAFKA_CONSUMER, conf);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset = start_offset;
  rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (e) {
    std::fprintf(stderr, "assign: %s\n", rd_kafka_err2str(e));
    std::exit(1);
  }
  return rk;
}

}  // namespace bench
