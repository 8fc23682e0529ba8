// `runnel-bench create|delete|offsets|probe`: topic creation and deletion, log end offsets (the
// harness's check that every acknowledged record was stored) and the startup probe (process start -> first produce).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

#include "rk_common.h"

namespace bench {

namespace {

// Waits for one admin call's result event and returns the error of its single topic (or of the
// whole call). `topics_of` is the CreateTopics or DeleteTopics result accessor.
template <typename Result>
rd_kafka_resp_err_t one_topic_result(rd_kafka_queue_t* q, const char* what, const std::string& topic,
                                     const Result* (*result_of)(rd_kafka_event_t*),
                                     const rd_kafka_topic_result_t** (*topics_of)(const Result*, size_t*)) {
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  if (!ev) {
    std::fprintf(stderr, "%s %s: no answer in 30 s\n", what, topic.c_str());
    return RD_KAFKA_RESP_ERR__TIMED_OUT;
  }
  rd_kafka_resp_err_t e = rd_kafka_event_error(ev);
  if (e) {
    std::fprintf(stderr, "%s %s: %s\n", what, topic.c_str(), rd_kafka_event_error_string(ev));
  } else {
    const Result* res = result_of(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** tr = res ? topics_of(res, &n) : nullptr;
    e = n == 1 ? rd_kafka_topic_result_error(tr[0]) : RD_KAFKA_RESP_ERR__FAIL;
  }
  rd_kafka_event_destroy(ev);
  return e;
}

}  // namespace

int run_create(const Flags& f) {
  std::string topic = f.get("topic");
  Conf conf{{"bootstrap.servers", f.get("brokers")}};
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, conf);
  char err[256];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), int(f.num("partitions", 1)), 1, err, sizeof err);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  rd_kafka_resp_err_t e = one_topic_result(q, "create", topic, rd_kafka_event_CreateTopics_result,
                                           rd_kafka_CreateTopics_result_topics);
  int rc = (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) ? 0 : 1;
  if (rc) std::fprintf(stderr, "create %s: %s\n", topic.c_str(), rd_kafka_err2str(e));
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_destroy(rk);
  emit_json({{"created", rc == 0 ? "true" : "false"}});
  return rc;
}

// Deletes a finished case's topic, so a run's data on disk stays bounded by one case.
int run_delete(const Flags& f) {
  std::string topic = f.get("topic");
  Conf conf{{"bootstrap.servers", f.get("brokers")}};
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, conf);
  rd_kafka_DeleteTopic_t* dt = rd_kafka_DeleteTopic_new(topic.c_str());
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_DeleteTopics(rk, &dt, 1, nullptr, q);
  rd_kafka_resp_err_t e = one_topic_result(q, "delete", topic, rd_kafka_event_DeleteTopics_result,
                                           rd_kafka_DeleteTopics_result_topics);
  int rc = e == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : 1;
  if (rc) std::fprintf(stderr, "delete %s: %s\n", topic.c_str(), rd_kafka_err2str(e));
  rd_kafka_queue_destroy(q);
  rd_kafka_DeleteTopic_destroy(dt);
  rd_kafka_destroy(rk);
  emit_json({{"deleted", rc == 0 ? "true" : "false"}});
  return rc;
}

int run_offsets(const Flags& f) {
  std::string topic = f.get("topic");
  int partitions = int(f.num("partitions", 1));
  Conf conf{{"bootstrap.servers", f.get("brokers")}};
  rd_kafka_t* rk = make_client(RD_KAFKA_CONSUMER, conf);
  int64_t sum = 0;
  for (int p = 0; p < partitions; ++p) {
    int64_t lo = 0, hi = 0;
    rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, 10000);
    if (e) {
      std::fprintf(stderr, "offsets %s-%d: %s\n", topic.c_str(), p, rd_kafka_err2str(e));
      rd_kafka_destroy(rk);
      return 1;
    }
    sum += hi - lo;
  }
  emit_json({{"records", num_str(double(sum))}});
  rd_kafka_destroy(rk);
  return 0;
}

static bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

struct ProbeState {
  bool done = false;
  bool ok = false;
  int64_t at_ns = 0;
};

static void probe_dr(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* st = static_cast<ProbeState*>(opaque);
  st->done = true;
  st->at_ns = wall_ns();
  st->ok = m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

// --t0-ns is CLOCK_REALTIME just before the broker process was spawned.
int run_probe(const Flags& f) {
  int64_t t0 = f.num("t0-ns", wall_ns());
  int port = int(f.num("port", 9092));
  double timeout = f.real("timeout-s", 60);
  int64_t deadline = wall_ns() + int64_t(timeout * 1e9);
  while (!port_open(port)) {
    if (wall_ns() > deadline) return 1;
    usleep(1000);
  }
  int64_t t_listen = wall_ns();
  std::string brokers = "127.0.0.1:" + std::to_string(port);
  while (wall_ns() < deadline) {
    ProbeState st;
    Conf conf{{"bootstrap.servers", brokers},      {"acks", "1"},
              {"reconnect.backoff.ms", "5"},      {"reconnect.backoff.max.ms", "20"},
              {"retry.backoff.ms", "5"},          {"topic.metadata.refresh.fast.interval.ms", "5"},
              {"message.timeout.ms", "5000"},     {"linger.ms", "0"}};
    rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, conf, probe_dr, &st);
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, f.get("topic", "bench-probe").c_str(), nullptr);
    char v[8] = "probe";
    rd_kafka_produce(rkt, 0, RD_KAFKA_MSG_F_COPY, v, sizeof v, nullptr, 0, nullptr);
    while (!st.done && wall_ns() < deadline) rd_kafka_poll(rk, 1);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    if (st.ok) {
      int64_t now = st.at_ns;
      emit_json({{"listen_ms", num_str(double(t_listen - t0) / 1e6)}, {"ready_ms", num_str(double(now - t0) / 1e6)}});
      return 0;
    }
  }
  return 1;
}

}  // namespace bench
