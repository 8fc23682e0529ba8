"""The benchmark harness (bench/run.sh --quick) end to end, against real Apache Kafka and this
build's runnel-broker: every planned case is measured for both systems, every record the loadgen
saw acknowledged is found stored, and the results JSON and the Markdown block carry what issue 5
asks for. Speed is not asserted here (that is what the benchmark reports, on an idle machine).

The reporting of a failed case is checked apart, on a hand-made run, so that a harness that
stopped marking lost records would fail too."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "harness"))
import report  # noqa: E402
from run import PLANS  # noqa: E402

FIELDS = ("system", "case", "records_per_s", "mb_per_s", "p50_ms", "p99_ms", "p999_ms", "broker_cpu_s_per_gb",
          "broker_rss_mb", "notes")


def expected_cases(plan):
    names = ["startup to first produce (fresh)", "consume 1KiB warm", "consume 1KiB cold",
             "e2e latency 1KiB fixed rate", "ProducerPerformance 1KiB acks=1 p=1", "recovery after kill -9"]
    for size, acks, parts, comp in plan["produce"]:
        names.append(f"produce {'100B' if size == 100 else '1KiB'} acks={acks} p={parts} {comp}")
    for size, acks, parts, comp in plan["raw"]:
        names.append(f"raw produce {'100B' if size == 100 else '1KiB'} acks={acks} p={parts} {comp}")
    return names


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    doc = out / "benchmarks.md"
    broker = os.environ.get("RUNNEL_BROKER_BIN", str(REPO / "build" / "bin" / "runnel-broker"))
    p = subprocess.run(["bash", str(REPO / "bench" / "run.sh"), "--quick", "--broker", broker,
                        "--results-dir", str(out / "results"), "--doc", str(doc), "--work", str(out / "work")],
                       capture_output=True, text=True, timeout=1500)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    files = list((out / "results").glob("*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text()), doc.read_text()


def test_every_case_is_measured_and_stored_for_both_systems(quick_run):
    run, _ = quick_run
    by = {(r["system"], r["case"]): r for r in run["results"]}
    for system in ("kafka", "runnel"):
        for case in expected_cases(PLANS["quick"]):
            r = by.get((system, case))
            assert r is not None, f"{system} / {case} missing"
            assert r.get("ok", True), f"{system} / {case} failed: {r['notes']}"
            for field in FIELDS:
                assert field in r, f"{system} / {case} has no {field}"
            if case.startswith(("produce", "raw", "consume")):
                assert r["records_per_s"] > 0 and r["mb_per_s"] > 0, r
                assert r["broker_cpu_s_per_gb"] > 0 and r["broker_rss_mb"] > 0, r
            if case.startswith(("produce", "raw")):
                assert 0 < r["p50_ms"] <= r["p99_ms"] <= r["p999_ms"], r


def test_machine_limits_and_pinning_are_recorded(quick_run):
    run, _ = quick_run
    assert run["limits"]["loopback_mb_per_s"] > 0
    assert all(v > 0 for v in run["limits"]["disk_mb_per_s"].values()), run["limits"]
    assert "taskset" in run["pinning"]
    assert "reset" in run["rss_method"] and "refused" not in run["rss_method"], run["rss_method"]
    assert run["deviations"]["kafka"] and run["deviations"]["runnel"] and run["deviations"]["clients"]
    startup = {r["system"]: r for r in run["results"] if r["case"] == "startup to first produce (fresh)"}
    assert startup["runnel"]["p50_ms"] > 0 and startup["kafka"]["p50_ms"] > 0


def test_markdown_block_has_a_ratio_row_per_case(quick_run):
    run, doc = quick_run
    assert report.BEGIN in doc and report.END in doc
    for case in expected_cases(PLANS["quick"]):
        rows = [line for line in doc.splitlines() if line.startswith(f"| {case} |")]
        assert len(rows) == 1, case
        assert "❌" not in rows[0], rows[0]
        if case.startswith(("produce", "raw", "consume")):
            assert "×" in rows[0], rows[0]
    assert "best runnel uncompressed produce" in doc and "of loopback" in doc


def test_a_case_that_lost_records_is_reported_as_failed():
    ok = {"system": "kafka", "case": "produce 1KiB acks=1 p=1 none", "records_per_s": 10.0, "mb_per_s": 1.0,
          "p50_ms": 1.0, "p99_ms": 2.0, "p999_ms": 3.0, "broker_cpu_s_per_gb": 1.0, "broker_rss_mb": 100.0,
          "notes": "", "ok": True}
    lost = dict(ok, system="runnel", records_per_s=20.0, ok=False, notes="FAILED: acked 10, stored 9")
    run = {"id": "t", "mode": "quick", "started_utc": "2026-01-01 00:00 UTC", "git_sha": "x", "dirty": False,
           "kafka_version": "4", "load_average_end": [0, 0, 0], "pinning": "taskset", "results": [ok, lost],
           "startup": {}, "deviations": {}, "limits": {},
           "machine": {"cpu": "c", "cores": 2, "memory_gb": 1, "os": "o", "kernel": "k", "filesystem": "f",
                       "java": "j", "librdkafka": "l", "load_average": [0, 0, 0]}}
    row = [line for line in report.generated(run).splitlines() if line.startswith("| produce 1KiB")][0]
    assert "❌" in row
