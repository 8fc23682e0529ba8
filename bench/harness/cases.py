"""The benchmark cases. Each returns result records (dicts in the results schema) for one broker."""
import os
import re
import subprocess
import time

from procs import BENCH, CLIENT_CORES, client

MB = 1e6


def record(system, case, **kw):
    r = {"system": system, "case": case, "records_per_s": None, "mb_per_s": None, "p50_ms": None,
         "p99_ms": None, "p999_ms": None, "broker_cpu_s_per_gb": None, "broker_rss_mb": None, "notes": ""}
    r.update(kw)
    return r


# Set when some case could not reset its broker's peak RSS: its RSS is then the peak since start.
RSS_RESET_FAILED = set()


class Meter:
    """Broker CPU seconds, wall time and peak RSS across one case."""

    def __init__(self, broker):
        self.broker = broker

    def __enter__(self):
        # Without the reset every case would report the peak of the heaviest case before it.
        if not self.broker.reset_peak_rss():
            RSS_RESET_FAILED.add(self.broker.system)
        self.cpu0 = self.broker.cpu_seconds()
        self.t0 = time.time()
        return self

    def __exit__(self, *exc):
        self.cpu = self.broker.cpu_seconds() - self.cpu0
        self.wall = time.time() - self.t0
        self.rss = self.broker.peak_rss_mb()

    def per_gb(self, payload_bytes):
        return self.cpu / (payload_bytes / 1e9) if payload_bytes else None


def stored(broker, topic, partitions):
    return int(client("offsets", "--brokers", broker.bootstrap, "--topic", topic, "--partitions", partitions)["records"])


def drop_topic(broker, topic):
    """Deletes a case's topic once it has been checked: at Runnel's rates a full run would otherwise
    write more than this machine's free disk. Kafka deletes the files after file.delete.delay.ms."""
    client("delete", "--brokers", broker.bootstrap, "--topic", topic, check=False)


def produce_case(broker, size, acks, partitions, compression, seconds, keep=False):
    case = f"produce {'1KiB' if size == 1024 else str(size) + 'B'} acks={acks} p={partitions} {compression}"
    topic = re.sub(r"[^a-zA-Z0-9]+", "-", case)
    client("create", "--brokers", broker.bootstrap, "--topic", topic, "--partitions", partitions)
    with Meter(broker) as m:
        out = client("produce", "--brokers", broker.bootstrap, "--topic", topic, "--partitions", partitions,
                     "--size", size, "--acks", acks, "--compression", compression, "--duration-s", seconds)
    n = int(out["records"])
    have = stored(broker, topic, partitions)
    notes = [f"librdkafka, {seconds}s, ack latency percentiles (enqueue->delivery report, unthrottled)"]
    ok = out["failed"] == 0 and have >= n
    if not ok:
        notes.append(f"FAILED: acked {n}, stored {have}, failed {int(out['failed'])} {out['error']}")
    if not keep:
        drop_topic(broker, topic)
    return record(broker.system, case, records_per_s=out["records_per_s"], mb_per_s=out["mb_per_s"],
                  p50_ms=out["p50_ms"], p99_ms=out["p99_ms"], p999_ms=out["p999_ms"],
                  broker_cpu_s_per_gb=m.per_gb(n * size), broker_rss_mb=m.rss, notes="; ".join(notes),
                  ok=ok, topic=topic, partitions=partitions, records=n)


def raw_case(broker, size, acks, partitions, compression, seconds, batch=65536, conns=4, depth=4):
    label = "100B" if size == 100 else "1KiB"
    case = f"raw produce {label} acks={acks} p={partitions} {compression}"
    topic = f"raw-{label}-{acks}-p{partitions}-{compression}"
    client("create", "--brokers", broker.bootstrap, "--topic", topic, "--partitions", partitions)
    time.sleep(0.5)  # raw mode does not retry NOT_LEADER while a new topic settles
    with Meter(broker) as m:
        out = client("raw", "--port", broker.port, "--topic", topic, "--partitions", partitions, "--size", size,
                     "--batch-bytes", batch, "--conns", conns, "--depth", depth, "--duration-s", seconds,
                     "--acks", -1 if acks == "all" else 1, "--compression", compression, check=False)
    n = int(out["records"])
    have = stored(broker, topic, partitions)
    ok = out["_rc"] == 0 and have >= n and out["error_partitions"] == 0
    notes = [f"{conns} connections x {depth} in flight, Produce v9, {int(out['records_per_batch'])} records per "
             f"{batch // 1024} KiB batch ({int(out['batch_bytes'])} B on the wire), wire {out['wire_mb_per_s']:.0f} MB/s; "
             "latency = request round trip"]
    if not ok:
        notes.append(f"FAILED: acked {n}, stored {have}, partition errors {int(out['error_partitions'])}")
    drop_topic(broker, topic)
    return record(broker.system, case, records_per_s=out["records_per_s"], mb_per_s=out["mb_per_s"],
                  p50_ms=out["p50_ms"], p99_ms=out["p99_ms"], p999_ms=out["p999_ms"],
                  broker_cpu_s_per_gb=m.per_gb(n * size), broker_rss_mb=m.rss, notes="; ".join(notes), ok=ok,
                  wire_mb_per_s=out["wire_mb_per_s"])


def drop_page_cache():
    subprocess.run(["sync"], check=True)
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("1\n")
        return True
    except OSError:
        return False


def consume_case(broker, src, cold, max_records, size=1024):
    n = min(src["records"], max_records)
    dropped = drop_page_cache() if cold else False
    case = f"consume 1KiB {'cold' if cold else 'warm'}"
    with Meter(broker) as m:
        out = client("consume", "--brokers", broker.bootstrap, "--topic", src["topic"], "--partitions", src["partitions"],
                     "--records", n, check=False)
    ok = out["_rc"] == 0 and int(out["records"]) >= n
    notes = [f"librdkafka assign() from the beginning, first {n} records of '{src['case']}', rate from the first record "
             f"to the last (setup before the first record: {out.get('setup_ms', 0):.0f} ms)"]
    if cold:
        notes.append("page cache dropped first" if dropped else "COULD NOT drop the page cache (not cold)")
    if not ok:
        notes.append(f"FAILED: read {int(out['records'])} of {n} {out['error']}")
    return record(broker.system, case, records_per_s=out["records_per_s"], mb_per_s=out["mb_per_s"],
                  broker_cpu_s_per_gb=m.per_gb(n * size), broker_rss_mb=m.rss, notes="; ".join(notes), ok=ok)


def e2e_case(broker, rate, seconds, why, size=1024):
    topic = "e2e"
    client("create", "--brokers", broker.bootstrap, "--topic", topic, "--partitions", 1)
    with Meter(broker) as m:
        out = client("e2e", "--brokers", broker.bootstrap, "--topic", topic, "--size", size, "--rate", int(rate),
                     "--duration-s", seconds, "--warmup-s", 2, check=False)
    ok = out["_rc"] == 0
    notes = [f"{int(rate)} rec/s fixed ({why}), acks=1, linger.ms=1, p=1, {seconds}s, "
             f"first 2s dropped; latency from the scheduled send time (coordinated omission corrected); "
             f"{int(out['late_sends'])} sends >1ms late; max {out['max_ms']:.1f} ms"]
    if not ok:
        notes.append(f"FAILED: received {int(out['records'])} of {int(out['expected'])}")
    return record(broker.system, "e2e latency 1KiB fixed rate", records_per_s=rate, mb_per_s=rate * size / MB,
                  p50_ms=out["p50_ms"], p99_ms=out["p99_ms"], p999_ms=out["p999_ms"],
                  broker_cpu_s_per_gb=m.per_gb(int(out["records"]) * size), broker_rss_mb=m.rss,
                  notes="; ".join(notes), ok=ok)


def java(cls, *args, timeout=300):
    lib = os.path.join(BENCH, "kafka", "target", "lib", "*")
    cmd = ["taskset", "-c", CLIENT_CORES, "java", "-Xmx512m", "-Dlog4j2.configurationFile=" +
           os.path.join(BENCH, "kafka", "log4j2.properties"), "-cp", lib, cls, *[str(a) for a in args]]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def producer_perf_case(broker, num_records, size=1024):
    topic = "producer-perf"
    client("create", "--brokers", broker.bootstrap, "--topic", topic, "--partitions", 1)
    with Meter(broker) as m:
        p = java("org.apache.kafka.tools.ProducerPerformance", "--bootstrap-server", broker.bootstrap, "--topic", topic,
                 "--num-records", num_records, "--record-size", size, "--throughput", -1, "--producer-props", "acks=1")
    lines = [l for l in p.stdout.splitlines() if "records sent" in l]
    match = re.search(r"records sent, ([\d.]+) records/sec .*?([\d.]+) ms 50th, ([\d.]+) ms 95th, ([\d.]+) ms 99th, "
                      r"([\d.]+) ms 99.9th", lines[-1]) if lines else None
    case = "ProducerPerformance 1KiB acks=1 p=1"
    if not match or p.returncode != 0:
        return record(broker.system, case, notes=f"FAILED rc={p.returncode}: {(p.stderr or p.stdout)[-300:]}", ok=False)
    rps = float(match.group(1))
    have = stored(broker, topic, 1)
    ok = have >= num_records
    notes = f"kafka-tools {num_records} records, Java producer defaults; latency as the tool reports it"
    if not ok:
        notes += f"; FAILED: stored {have} of {num_records}"
    return record(broker.system, case, records_per_s=rps, mb_per_s=rps * size / MB, p50_ms=float(match.group(2)),
                  p99_ms=float(match.group(4)), p999_ms=float(match.group(5)),
                  broker_cpu_s_per_gb=m.per_gb(num_records * size), broker_rss_mb=m.rss, notes=notes, ok=ok)


def e2e_java_case(broker, num_records, size=1024):
    topic = "e2e-java"
    client("create", "--brokers", broker.bootstrap, "--topic", topic, "--partitions", 1)
    p = java("org.apache.kafka.tools.EndToEndLatency", broker.bootstrap, topic, num_records, "1", size)
    case = "EndToEndLatency 1KiB acks=1 (closed loop)"
    m = re.search(r"50th = ([\d.]+), 99th = ([\d.]+), 99.9th = ([\d.]+)", p.stdout)
    if not m or p.returncode != 0:
        return record(broker.system, case, notes=f"FAILED rc={p.returncode}: {(p.stderr or p.stdout)[-300:]}", ok=False)
    return record(broker.system, case, p50_ms=float(m.group(1)), p99_ms=float(m.group(2)), p999_ms=float(m.group(3)),
                  notes=f"kafka-tools, {num_records} sequential round trips (one in flight, not rate-based)", ok=True)
