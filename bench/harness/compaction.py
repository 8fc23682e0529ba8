"""Produce latency while the log cleaner compacts (Runnel only; not part of run.sh's matrix).

    .venv/bin/python bench/harness/compaction.py [--broker build-bench/bin/runnel-broker]
                                                 [--preload-mb 256] [--rate 2000] [--seconds 10]

1. Starts Runnel pinned like run.sh (broker core 0, runnel.cores=1, client core 1) on a fresh
   data dir under bench/work/compaction, with log.cleaner.backoff.ms=200.
2. Preloads a topic "dirty" (cleanup.policy=delete, segment.bytes=16 MiB) with keyed 1 KiB
   records over 2,000 keys until --preload-mb is stored: lots of superseded data.
3. Baseline: a fixed-rate producer (confluent-kafka, 1 KiB keyed records, acks=1, linger.ms=0)
   writes to a separate topic "probe" for --seconds; latency = delivery report time minus the
   record's *scheduled* send time (coordinated omission corrected).
4. Switches "dirty" to cleanup.policy=compact (IncrementalAlterConfigs) so the cleaner starts
   on all of it at once, and runs the same fixed-rate producer again for --seconds.
5. Prints one JSON object: p50/p99/p99.9/max of both phases, the cleaner's log lines during the
   compaction phase (how many cleanings, bytes read/written) and the size of "dirty" before/after.
The comparison is the point: the cleaner's reading, hashing and rewriting runs on a helper
thread, so the ring thread that serves "probe" should show (almost) the same p99.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procs import BENCH, BROKER_CORES, CLIENT_CORES, ROOT, Runnel  # noqa: E402

VALUE = b"x" * 1024


def free_port():
    """A free port whose successor is free too (Runnel's admin listener takes port + 1)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # Linux hands out odd ports here: no parity condition
        try:
            with socket.socket() as s2:
                s2.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            pass


def wait_port(proc, port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"broker exited with {proc.returncode} (see broker.out)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("broker did not open its port")


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            if f.endswith(".log"):
                total += os.path.getsize(os.path.join(root, f))
    return total


def preload(bootstrap, mb):
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.size": 1 << 20,
                  "queue.buffering.max.kbytes": 1 << 20, "compression.type": "none"})
    n = int(mb * 1e6 / len(VALUE))
    for i in range(n):
        while True:
            try:
                p.produce("dirty", key=b"key-%d" % (i % 2000), value=VALUE)
                break
            except BufferError:
                p.poll(0.01)
        if i % 10000 == 0:
            p.poll(0)
    p.flush(120)
    return n


def fixed_rate(bootstrap, rate, seconds):
    """Latencies (ms) from scheduled send time to delivery report."""
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0, "acks": 1})
    lat, errors = [], []

    def report(scheduled):
        def cb(err, _msg):
            if err is not None:
                errors.append(err)
            else:
                lat.append((time.perf_counter() - scheduled) * 1000)
        return cb

    interval = 1.0 / rate
    t0 = time.perf_counter()
    i = 0
    while True:
        scheduled = t0 + i * interval
        if scheduled - t0 >= seconds:
            break
        now = time.perf_counter()
        if now < scheduled:
            p.poll(0)
            time.sleep(min(scheduled - now, 0.0005))
            continue
        p.produce("probe", key=b"k%d" % (i % 1000), value=VALUE, on_delivery=report(scheduled))
        p.poll(0)
        i += 1
    p.flush(30)
    lat.sort()

    def pct(q):
        return round(lat[min(len(lat) - 1, int(q * len(lat)))], 3) if lat else None
    return {"records": len(lat), "errors": len(errors), "p50_ms": pct(0.5), "p99_ms": pct(0.99),
            "p999_ms": pct(0.999), "max_ms": round(lat[-1], 3) if lat else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--broker", default=os.path.join(ROOT, "build-bench", "bin", "runnel-broker"))
    ap.add_argument("--preload-mb", type=float, default=256)
    ap.add_argument("--rate", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--port", type=int, default=0, help="default: a free port")
    args = ap.parse_args()
    work = os.path.join(BENCH, "work", "compaction")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    port = args.port or free_port()
    broker = Runnel(work, port, args.broker)
    broker.overrides["log.cleaner.backoff.ms"] = "200"
    out = open(os.path.join(work, "broker.out"), "wb")
    proc = subprocess.Popen(["taskset", "-c", BROKER_CORES, *broker.command()], stdout=out, stderr=subprocess.STDOUT)
    os.sched_setaffinity(0, {int(CLIENT_CORES)})
    try:
        wait_port(proc, port)
        bootstrap = broker.bootstrap
        a = AdminClient({"bootstrap.servers": bootstrap})
        for t, cfg in (("dirty", {"cleanup.policy": "delete", "segment.bytes": str(16 << 20)}), ("probe", {})):
            a.create_topics([NewTopic(t, 1, 1, config=cfg)])[t].result(30)
        time.sleep(1)
        n = preload(bootstrap, args.preload_mb)
        dirty_dir = os.path.join(work, "logs", "dirty-0")
        before = dir_bytes(dirty_dir)
        baseline = fixed_rate(bootstrap, args.rate, args.seconds)
        log_mark = out.tell()
        res = ConfigResource("topic", "dirty", incremental_configs=[
            ConfigEntry("cleanup.policy", "compact", incremental_operation=AlterConfigOpType.SET)])
        list(a.incremental_alter_configs([res]).values())[0].result(30)
        during = fixed_rate(bootstrap, args.rate, args.seconds)
        time.sleep(1)
        out.flush()
        with open(os.path.join(work, "broker.out"), "rb") as f:
            f.seek(log_mark)
            cleaner_lines = [l.decode(errors="replace").strip() for l in f if b"log cleaner" in l]
        print(json.dumps({
            "preload_records": n, "dirty_log_bytes_before": before, "dirty_log_bytes_after": dir_bytes(dirty_dir),
            "rate_rec_s": args.rate, "seconds": args.seconds,
            "baseline": baseline, "during_compaction": during,
            "cleanings_during_phase": len(cleaner_lines), "cleaner_log": cleaner_lines[:20],
        }, indent=2))
    finally:
        proc.terminate()
        proc.wait(60)
        out.close()


if __name__ == "__main__":
    main()
