"""Observability (issue 4): the admin HTTP API of a live broker.

- /metrics passes `promtool check metrics`;
- a real Prometheus (Debian's package, on loopback, its own data dir, 1 s scrapes) scrapes the
  broker while real clients produce and consume; PromQL then sees a produce rate > 0 and a
  finite p99 produce latency;
- /healthz fails while a ring thread is stalled through the test hook, and recovers;
- /readyz is not ready while a large log is recovered after kill -9, and ready after;
- /v1 JSON and the runtime log level.

- consumer lag, computed by the broker, equals records produced minus offsets committed, exactly,
  for a group that has stopped; Prometheus sees the same value.
"""

import json
import math
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from itest import rdkafka
from itest.broker import REPO, free_port, target

pytestmark = pytest.mark.skipif(target() != "runnel", reason="Runnel's admin API")

OVERRIDES = {"runnel.admin.test.hooks.enable": "true", "runnel.admin.liveness.timeout.ms": "1000",
             "offsets.topic.replication.factor": "1"}


def http(method: str, url: str, body: bytes | None = None, timeout: float = 5.0) -> tuple[int, str]:
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    return http("GET", url, timeout=timeout)


@pytest.fixture(scope="module")
def obs_broker(module_brokers):
    return module_brokers(OVERRIDES)


def produce_some(bootstrap: str, topic: str, count: int = 2000) -> None:
    rdkafka.create_topic(bootstrap, topic, 2)
    rdkafka.produce(bootstrap, topic, count, partitions=2)


def test_promtool_check_metrics_is_clean(obs_broker, topic_name):
    produce_some(obs_broker.bootstrap, topic_name)
    rdkafka.consume_verify(obs_broker.bootstrap, topic_name, 2000, partitions=2)
    time.sleep(0.7)  # one snapshot interval: partitions and traffic are published
    status, text = get(obs_broker.admin_url + "/metrics")
    assert status == 200
    for name in ("runnel_requests_total", "runnel_request_latency_seconds_bucket",
                 "runnel_partition_log_end_offset", "runnel_topic_records_in_total",
                 "runnel_storage_fsync_seconds_bucket", "runnel_io_uring_submissions_total",
                 "runnel_connections_opened_total", "runnel_under_replicated_partitions",
                 "process_resident_memory_bytes", "runnel_build_info"):
        assert name in text, f"{name} missing from /metrics"
    assert f'runnel_topic_records_in_total{{topic="{topic_name}"}} 2000' in text
    res = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                         text=True, timeout=30)
    assert res.returncode == 0 and res.stdout.strip() == "" and res.stderr.strip() == "", \
        f"promtool: rc={res.returncode}\n{res.stdout}\n{res.stderr}"


def test_v1_json_documents(obs_broker, topic_name):
    produce_some(obs_broker.bootstrap, topic_name, 100)
    b = json.loads(get(obs_broker.admin_url + "/v1/broker")[1])
    assert b["node_id"] == 1 and b["ready"] is True and b["cores"] >= 1
    assert b["listeners"][0]["port"] == obs_broker.port
    cfg = json.loads(get(obs_broker.admin_url + "/v1/config")[1])
    by_name = {c["name"]: c for c in cfg["configs"]}
    assert by_name["runnel.admin.test.hooks.enable"]["value"] == "true"
    assert by_name["runnel.admin.test.hooks.enable"]["source"] == "STATIC_BROKER_CONFIG"
    deadline = time.monotonic() + 5
    while True:
        topics = json.loads(get(obs_broker.admin_url + "/v1/topics")[1])["topics"]
        mine = [t for t in topics if t["name"] == topic_name]
        if mine and sum(p["log_end_offset"] for p in mine[0]["partitions"]) == 100:
            break
        assert time.monotonic() < deadline, f"/v1/topics never showed 100 records: {mine}"
        time.sleep(0.2)
    parts = mine[0]["partitions"]
    assert [p["partition"] for p in parts] == [0, 1]
    for p in parts:
        assert p["high_watermark"] == p["log_end_offset"] and p["log_start_offset"] == 0
        assert p["segments"] == 1 and (p["size_bytes"] > 0) == (p["log_end_offset"] > 0)
    assert json.loads(get(obs_broker.admin_url + "/v1/groups")[1]) == {"groups": []}


def test_log_level_changes_at_runtime(obs_broker):
    url = obs_broker.admin_url + "/v1/log-level"
    status, body = http("PUT", url, json.dumps({"level": "debug"}).encode())
    assert status == 200 and json.loads(body) == {"level": "debug", "previous": "info"}
    assert json.loads(get(url)[1]) == {"level": "debug"}
    status, _ = http("POST", url + "?level=shouting", b"")
    assert status == 400
    status, body = http("POST", url + "?level=info", b"")
    assert status == 200 and json.loads(body)["level"] == "info"
    assert "log level changed from debug to info" in obs_broker.log_path.read_text()


def test_healthz_fails_while_a_ring_is_stalled(obs_broker):
    url = obs_broker.admin_url
    assert get(url + "/healthz")[0] == 200
    status, _ = http("POST", url + "/v1/debug/stall?shard=0&ms=3000", b"")
    assert status == 200
    seen_failing = None
    deadline = time.monotonic() + 2.8
    while time.monotonic() < deadline:
        status, body = get(url + "/healthz")
        if status == 503:
            seen_failing = body
            break
        time.sleep(0.05)
    assert seen_failing is not None, "/healthz never failed while shard 0 was stalled"
    assert "shard 0" in json.loads(seen_failing)["detail"]
    deadline = time.monotonic() + 10
    while get(url + "/healthz")[0] != 200:
        assert time.monotonic() < deadline, "/healthz did not recover after the stall"
        time.sleep(0.1)


# --- A real Prometheus --------------------------------------------------------------------------
# The launcher tests/monitoring uses too (Debian's /usr/bin/prometheus, 1 s scrapes).

sys.path.insert(0, str(REPO / "tests" / "monitoring"))
from prometheus import Prometheus  # noqa: E402


def start_prometheus(tmp_path, scrape_target: str) -> Prometheus:
    return Prometheus(tmp_path / "prometheus", free_port(), {"runnel": scrape_target}, [])


def query(prom: Prometheus, promql: str) -> list:
    data = prom.query(promql)
    assert data["status"] == "success", data
    return data["data"]["result"]


def wait_for_value(prom: Prometheus, promql: str, ok, timeout: float = 40.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = query(prom, promql)
        if last and ok(float(last[0]["value"][1])):
            return float(last[0]["value"][1])
        time.sleep(0.5)
    raise AssertionError(f"{promql} never satisfied; last result {last}")


def test_prometheus_scrapes_while_clients_produce_and_consume(obs_broker, topic_name, tmp_path):
    rdkafka.create_topic(obs_broker.bootstrap, topic_name, 2)
    prom = start_prometheus(tmp_path, f"127.0.0.1:{obs_broker.admin_port}")
    stop = threading.Event()
    errors: list[BaseException] = []

    produced = [0]
    consumed = [0]

    def produce_steadily():
        try:
            p = rdkafka.producer(obs_broker.bootstrap, acks="all", **{"linger.ms": 2})
            while not stop.is_set():
                for i in range(50):
                    p.produce(topic_name, b"v" * 100, str(i).encode(), partition=i % 2)
                p.flush(10)
                produced[0] += 50
                time.sleep(0.05)
        except BaseException as e:  # surfaced below
            errors.append(e)

    def consume_steadily():
        try:
            c = rdkafka.consumer(obs_broker.bootstrap)
            c.assign([rdkafka.TopicPartition(topic_name, i, rdkafka.OFFSET_BEGINNING) for i in range(2)])
            while not stop.is_set():
                for m in c.consume(num_messages=1000, timeout=0.2):
                    if m.error() is not None:
                        raise rdkafka.KafkaException(m.error())
                    consumed[0] += 1
        except BaseException as e:
            errors.append(e)

    workers = [threading.Thread(target=produce_steadily, daemon=True),
               threading.Thread(target=consume_steadily, daemon=True)]
    try:
        prom.wait_ready()
        for w in workers:
            w.start()
        wait_for_value(prom, 'up{job="runnel"}', lambda v: v == 1)
        rate = wait_for_value(
            prom, f'sum(rate(runnel_topic_records_in_total{{topic="{topic_name}"}}[5s]))',
            lambda v: v > 0)
        assert rate > 0
        wait_for_value(prom, 'sum(rate(runnel_requests_total{api="Produce",error="NONE"}[5s]))',
                       lambda v: v > 0)
        p99 = wait_for_value(
            prom, 'histogram_quantile(0.99, sum by (le) '
                  '(rate(runnel_request_latency_seconds_bucket{api="Produce"}[5s])))',
            lambda v: math.isfinite(v))
        assert 0 < p99 < 30
        for phase in ("queue", "process", "send"):
            wait_for_value(
                prom, f'histogram_quantile(0.99, sum by (le) '
                      f'(rate(runnel_request_{phase}_seconds_bucket{{api="Fetch"}}[5s])))',
                lambda v: math.isfinite(v))
        wait_for_value(prom, f'sum(runnel_partition_log_end_offset{{topic="{topic_name}"}})',
                       lambda v: v >= 500)
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=60)
        prom.stop()
    assert not errors, errors
    assert produced[0] > 0 and consumed[0] > 0, (produced, consumed)


def test_consumer_lag_is_exact_for_a_stopped_group(obs_broker, topic_name, tmp_path):
    from confluent_kafka import TopicPartition
    group = f"lag-{topic_name}"
    rdkafka.create_topic(obs_broker.bootstrap, topic_name, 2)
    rdkafka.produce(obs_broker.bootstrap, topic_name, 1000, partitions=2)  # 500 per partition
    c = rdkafka.consumer(obs_broker.bootstrap, **{"group.id": group, "enable.auto.commit": False})
    c.assign([TopicPartition(topic_name, 0, 0), TopicPartition(topic_name, 1, 0)])
    c.commit(offsets=[TopicPartition(topic_name, 0, 300), TopicPartition(topic_name, 1, 120)],
             asynchronous=False)
    c.close()
    expected = (500 - 300) + (500 - 120)

    def lag_from_metrics():
        text = get(f"http://127.0.0.1:{obs_broker.admin_port}/metrics")[1]
        total = 0.0
        found = 0
        for line in text.splitlines():
            if line.startswith("runnel_consumer_group_lag{") and f'group="{group}"' in line:
                total += float(line.rsplit(" ", 1)[1])
                found += 1
        return found, total

    deadline = time.monotonic() + 20
    found, total = 0, -1.0
    while time.monotonic() < deadline:
        found, total = lag_from_metrics()
        if found == 2 and total == expected:
            break
        time.sleep(0.3)
    assert found == 2 and total == expected, (found, total, expected)

    prom = start_prometheus(tmp_path, f"127.0.0.1:{obs_broker.admin_port}")
    try:
        prom.wait_ready()
        got = wait_for_value(prom, f'sum(runnel_consumer_group_lag{{group="{group}"}})',
                             lambda v: v == expected)
        assert got == expected
        assert wait_for_value(prom, f'runnel_consumer_group_members{{group="{group}"}}', lambda v: v == 0) == 0
    finally:
        prom.stop()


# --- Readiness during recovery ------------------------------------------------------------------

def poll_readyz(url: str, stop: threading.Event, seen: list) -> None:
    """Records every distinct /readyz status in order (None: nothing listening)."""
    while not stop.is_set():
        try:
            status = get(url + "/readyz", timeout=1)[0]
        except OSError:
            status = None
        if not seen or seen[-1] != status:
            seen.append(status)
        time.sleep(0.001)


def test_readyz_not_ready_while_a_large_log_recovers(broker_factory, topic_name, tmp_path):
    b = broker_factory({"runnel.cores": "1", **OVERRIDES})
    rdkafka.create_topic(b.bootstrap, topic_name, 1)
    # ~520 MB in the active segment with acks=1 and many small batches: nothing is sealed or
    # checkpointed, so after kill -9 start-up recovery scans all of it by CRC.
    line = "x" * 200
    data = tmp_path / "records.txt"
    with open(data, "w") as f:
        for _ in range(2_500_000):
            f.write(line + "\n")
    subprocess.run(["kcat", "-P", "-b", b.bootstrap, "-t", topic_name, "-p", "0", "-l",
                    "-X", "acks=1", "-X", "linger.ms=0", "-X", "batch.num.messages=5",
                    str(data)], check=True, timeout=600, capture_output=True)
    assert get(b.admin_url + "/readyz")[0] == 200
    b.kill9()

    stop = threading.Event()
    seen: list = []
    poller = threading.Thread(target=poll_readyz, args=(b.admin_url, stop, seen), daemon=True)
    poller.start()
    try:
        b.start(timeout=300)
        deadline = time.monotonic() + 10
        while seen[-1] != 200 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        poller.join(timeout=5)
    statuses = [s for s in seen if s is not None]
    assert statuses and statuses[-1] == 200, seen
    assert 503 in statuses and statuses.index(503) < statuses.index(200), \
        f"/readyz never said 503 before ready: {seen}\n{b.log_tail()}"
    # And the data survived the recovery.
    status, body = get(b.admin_url + "/v1/topics")
    deadline = time.monotonic() + 5
    while True:
        parts = [p for t in json.loads(get(b.admin_url + "/v1/topics")[1])["topics"]
                 if t["name"] == topic_name for p in t["partitions"]]
        if parts and parts[0]["log_end_offset"] > 0:
            break
        assert time.monotonic() < deadline, parts
        time.sleep(0.2)


def test_request_errors_are_labelled_by_kafka_error_name(obs_broker, topic_name):
    from itest.requests import create_topics_v4, metadata_v4
    from itest.wire import Connection
    with Connection(obs_broker.host, obs_broker.port) as c:
        assert metadata_v4(c, ["bad/name"], False)["bad/name"][0] == 17
        assert create_topics_v4(c, topic_name, partitions=0)[0] == 37  # INVALID_PARTITIONS

    def count(api: str, error: str) -> float:
        text = get(f"http://127.0.0.1:{obs_broker.admin_port}/metrics")[1]
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("runnel_requests_total{") and f'api="{api}"' in line
                   and f'error="{error}"' in line)

    assert count("Metadata", "INVALID_TOPIC_EXCEPTION") >= 1
    assert count("CreateTopics", "INVALID_PARTITIONS") >= 1
