"""runnel-broker format / info / random-uuid with kafka-storage's options and rules, and the
start-up identity check: a formatted node serves the formatted cluster id, a quorum node must be
formatted before it starts, and a log directory of another cluster is refused. The quick start
(no configuration) still formats itself."""

import re
import subprocess
from pathlib import Path

import pytest

from itest import rdkafka

pytestmark = pytest.mark.skipif(__import__("itest.broker", fromlist=["target"]).target() == "kafka",
                                reason="runnel-broker's own commands")


def run(broker_bin: str, *args: str, timeout: float = 30) -> tuple[int | None, str]:
    try:
        p = subprocess.run([broker_bin, *args], capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"") + (e.stderr or b"")
        return None, out.decode() if isinstance(out, bytes) else out


def write_config(path: Path, log_dirs: list[Path], voters: str) -> Path:
    path.write_text("process.roles=broker,controller\nnode.id=1\n"
                    f"log.dirs={','.join(str(d) for d in log_dirs)}\n"
                    f"controller.quorum.voters={voters}\n")
    return path


def new_id(broker_bin: str) -> str:
    code, out = run(broker_bin, "random-uuid")
    assert code == 0, out
    return out.strip()


def cluster_id_of(bootstrap: str) -> str:
    return rdkafka.admin(bootstrap).list_topics(timeout=10).cluster_id


def test_random_uuid_prints_kafka_uuids(request):
    broker_bin = request.config.getoption("--broker-bin")
    a, b = new_id(broker_bin), new_id(broker_bin)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", a) and re.fullmatch(r"[A-Za-z0-9_-]{22}", b)
    assert a != b


def test_format_then_start_serves_the_formatted_cluster(request, broker_factory, tmp_path):
    broker_bin = request.config.getoption("--broker-bin")
    b = broker_factory(start=False)
    voters = f"1@127.0.0.1:{b.controller_port}"
    b.overrides["controller.quorum.voters"] = voters
    logs = b.data_dir / "logs"
    cfg = write_config(tmp_path / "server.properties", [logs], voters)
    cid = new_id(broker_bin)

    code, out = run(broker_bin, "format", "-t", cid, "-c", str(cfg))
    assert code == 0, out
    assert f"cluster.id={cid}" in (logs / "meta.properties").read_text()
    b.start()
    assert cluster_id_of(b.bootstrap) == cid  # Metadata answers with the formatted id

    code, out = run(broker_bin, "format", "-t", new_id(broker_bin), "-c", str(cfg))
    assert code == 1 and "is already formatted. Use --ignore-formatted" in out, out
    code, out = run(broker_bin, "format", "-t", cid, "-c", str(cfg), "--ignore-formatted")
    assert code == 0 and "All of the log directories are already formatted." in out, out
    code, out = run(broker_bin, "info", "-c", str(cfg))
    assert code == 0 and f"cluster.id={cid}" in out, out
    code, out = run(broker_bin, "format", "-t", "not-a-uuid", "-c", str(cfg), "-g")
    assert code == 1 and "does not appear to be a valid UUID" in out, out


def test_a_quorum_node_must_be_formatted_first(request, tmp_path):
    broker_bin = request.config.getoption("--broker-bin")
    code, out = run(broker_bin, "--override", f"log.dirs={tmp_path}/logs", "--override", "node.id=1",
                    "--override", "listeners=PLAINTEXT://127.0.0.1:0",
                    "--override", "controller.quorum.voters=1@127.0.0.1:9")
    assert code not in (None, 0), out
    assert "No meta.properties found" in out and "runnel-broker format" in out, out
    assert not (tmp_path / "logs" / "meta.properties").exists()  # nothing invented


def test_a_log_dir_of_another_cluster_is_refused(request, broker_factory, tmp_path):
    broker_bin = request.config.getoption("--broker-bin")
    b = broker_factory(start=False)
    voters = f"1@127.0.0.1:{b.controller_port}"
    d1, d2 = b.data_dir / "d1", b.data_dir / "d2"
    ours, theirs = new_id(broker_bin), new_id(broker_bin)
    for d, cid in ((d1, ours), (d2, theirs)):  # d2 was formatted for another cluster
        code, out = run(broker_bin, "format", "-t", cid, "-c", str(write_config(tmp_path / f"{d.name}.properties", [d], voters)))
        assert code == 0, out
    b.overrides.update({"controller.quorum.voters": voters, "log.dirs": f"{d1},{d2}"})
    with pytest.raises(RuntimeError, match="Invalid cluster.id in"):
        b.start(timeout=30)
    assert theirs in b.log_tail() and "belongs to another cluster" in b.log_tail()
    # Its topics directory was never touched.
    assert sorted(p.name for p in d2.iterdir()) == ["meta.properties"]


def test_the_quick_start_formats_itself(broker):
    meta = (broker.data_dir / "logs" / "meta.properties").read_text()
    cid = re.search(r"^cluster\.id=(\S+)$", meta, re.M).group(1)
    assert cluster_id_of(broker.bootstrap) == cid
    assert re.search(r"^directory\.id=[A-Za-z0-9_-]{22}$", meta, re.M)
    assert re.search(r"^node\.id=1$", meta, re.M) and re.search(r"^version=1$", meta, re.M)
