"""The Go client family: franz-go (tests/clients/go, wrapper itest/go_client.py).

Topic creation; an idempotent acks=all producer read back byte for byte (and cross-read by
librdkafka); a consumer group per protocol franz-go offers (eager range, roundrobin and sticky,
cooperative-sticky, and KIP-848 with each server-side assignor) that commits, restarts and
resumes; an eager group of three consumers with members joining and leaving while a producer
runs; and the two other calls that reset a franz-go fetch session: removing a topic from a
consumer and adding it back, and a seek after OFFSET_OUT_OF_RANGE.

franz-go resets a fetch session by sending a full Fetch with the session's id and epoch 0
(KIP-227: epoch 0 starts a new session and closes the one named). A broker that answers it with
INVALID_FETCH_SESSION_EPOCH keeps the client in a loop of resets at wire speed, with no
progress. Every test here therefore asserts progress within a deadline and that the fetch
session errors stay below LOOP_LIMIT, counted by the client (from franz-go's own log) and, on
Runnel, by the broker's runnel_requests_total{api="Fetch",error=...} (Kafka has no such metric).
"""

import time
import urllib.request

import pytest

from itest import go_client, rdkafka

GROUP_OVERRIDES = {"offsets.topic.replication.factor": "1",
                   "group.initial.rebalance.delay.ms": "500"}
LOOP_LIMIT = 50
SESSION_ERRORS = ("INVALID_FETCH_SESSION_EPOCH", "FETCH_SESSION_ID_NOT_FOUND")


@pytest.fixture(scope="module")
def gbroker(module_brokers):
    return module_brokers(GROUP_OVERRIDES)


def broker_session_errors(broker) -> int | None:
    """Fetch requests the broker answered with a fetch session error so far (None on Kafka)."""
    if broker.kind != "runnel":
        return None
    with urllib.request.urlopen(broker.admin_url + "/metrics", timeout=10) as resp:
        text = resp.read().decode()
    total = 0.0
    for line in text.splitlines():
        if (line.startswith("runnel_requests_total{") and 'api="Fetch"' in line
                and any(f'error="{e}"' in line for e in SESSION_ERRORS)):
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


class LoopWatch:
    """Fetch session errors answered by the broker since the watch began (Runnel only)."""

    def __init__(self, broker):
        self.broker = broker
        self.start = broker_session_errors(broker)

    def count(self) -> int:
        if self.start is None:
            return 0
        return broker_session_errors(self.broker) - self.start

    def check(self, *clients: dict) -> None:
        """Fails if the broker or any client result/status saw LOOP_LIMIT session errors."""
        n = self.count()
        assert n < LOOP_LIMIT, (
            f"hot fetch loop: the broker answered {n} Fetch requests with "
            f"{'/'.join(SESSION_ERRORS)} during this test")
        for fields in clients:
            k = int(fields.get("session_errors", 0))
            assert k < LOOP_LIMIT, (
                f"hot fetch loop: the client saw {k} fetch session errors: {fields}")


def check_ok(watch: LoopWatch, subcommand: str, bootstrap: str, **opts) -> dict:
    """go_client.run() that reports a fetch session loop as such, then asserts success."""
    rc, res = go_client.run(subcommand, bootstrap, **opts)
    watch.check(res)
    assert rc == 0 and res.get("ok") is True, (
        f"go {subcommand} failed rc={rc}: {res['_stdout']}\n{res['_stderr']}")
    return res


def test_create_topic(gbroker, topic_name):
    res = go_client.check("create-topic", gbroker.bootstrap, topic=topic_name, partitions=3)
    assert res["created"] == topic_name, res
    md = rdkafka.admin(gbroker.bootstrap).list_topics(topic_name, timeout=10).topics[topic_name]
    assert md.error is None and len(md.partitions) == 3
    rc, res = go_client.run("create-topic", gbroker.bootstrap, topic=topic_name, partitions=3)
    assert rc == 1 and res.get("error") == "TOPIC_ALREADY_EXISTS", res


def test_idempotent_produce_and_byte_exact_consume(gbroker, topic_name):
    watch = LoopWatch(gbroker)
    n, parts = 30000, 3
    go_client.check("create-topic", gbroker.bootstrap, topic=topic_name, partitions=parts)
    res = go_client.check("produce", gbroker.bootstrap, topic=topic_name, count=n, partitions=parts)
    assert res["acked"] == str(n) and res["failed"] == "0", res
    pid = int(res["producer_id"])
    assert pid >= 0, res  # idempotent: the broker gave the producer an id
    res = check_ok(watch, "consume", gbroker.bootstrap, topic=topic_name, count=n)
    assert res["consumed"] == str(n) and res["bad"] == "0", res
    assert res["producer_ids"] == str(pid), res  # every batch carries the producer's id
    # Read back by another family, and the other way round.
    rdkafka.consume_verify(gbroker.bootstrap, topic_name, n, parts)
    other = topic_name + "-rdkafka"
    rdkafka.create_topic(gbroker.bootstrap, other, parts)
    rdkafka.produce(gbroker.bootstrap, other, 3000, partitions=parts)
    res = check_ok(watch, "consume", gbroker.bootstrap, topic=other, count=3000)
    assert res["bad"] == "0", res
    watch.check()


def offsets_of(events) -> list[tuple[int, int]]:
    return [(e[1], e[2]) for e in events if e[0] == "r"]


def parse_offsets(s: str) -> dict[int, int]:
    """{partition: offset} from "0:12,1:13" ("-" = none)."""
    if s in ("-", ""):
        return {}
    return {int(p): int(o) for p, o in (x.split(":") for x in s.split(","))}


# (balancer, group protocol): franz-go's eager balancers, its cooperative one, and KIP-848 with
# each server-side assignor it can ask for (sticky -> "uniform", range -> "range").
GROUP_CASES = [
    pytest.param("range", "classic", id="eager-range"),
    pytest.param("roundrobin", "classic", id="eager-roundrobin"),
    pytest.param("sticky", "classic", id="eager-sticky"),
    pytest.param("cooperative-sticky", "classic", id="cooperative-sticky"),
    pytest.param("sticky", "consumer", id="kip848-uniform"),
    pytest.param("range", "consumer", id="kip848-range"),
]


@pytest.mark.parametrize("balancer,protocol", GROUP_CASES)
def test_group_commit_restart_resume(gbroker, topic_name, tmp_path, balancer, protocol):
    """A member consumes part of the topic and commits exactly what it processed; a new member
    of the same group resumes at the committed offsets, including records produced meanwhile:
    every record once, none twice."""
    watch = LoopWatch(gbroker)
    parts, first, second, stop_after = 3, 6000, 3000, 2500
    group = "g-" + topic_name
    go_client.check("create-topic", gbroker.bootstrap, topic=topic_name, partitions=parts)
    go_client.check("produce", gbroker.bootstrap, topic=topic_name, count=first, partitions=parts)
    member = dict(topic=topic_name, group=group, balancer=balancer, group_protocol=protocol,
                  timeout_ms=60000)

    log1 = tmp_path / "run1.log"
    res1 = check_ok(watch, "group-member", gbroker.bootstrap, max_records=stop_after,
                    record_log=log1, **member)
    assert res1["protocol"] == protocol, res1  # franz-go falls back to classic silently
    assert res1["consumed"] == str(stop_after) and res1["bad"] == "0", res1
    assert res1["commit_errors"] == "0", res1
    committed = parse_offsets(res1["committed"])
    got = go_client.check("group-offsets", gbroker.bootstrap, group=group, topic=topic_name)
    assert parse_offsets(got["committed"]) == committed, (got, res1)
    run1 = offsets_of(go_client.read_record_log(log1))
    assert len(run1) == stop_after
    assert committed == {p: max(o for q, o in run1 if q == p) + 1 for p, _ in run1}

    # More records while no member runs, then the restart.
    go_client.check("produce", gbroker.bootstrap, topic=topic_name, count=second,
                    partitions=parts, start=first)
    log2 = tmp_path / "run2.log"
    res2 = check_ok(watch, "group-member", gbroker.bootstrap,
                    max_records=first + second - stop_after, record_log=log2, **member)
    assert res2["protocol"] == protocol and res2["bad"] == "0", res2
    run2 = offsets_of(go_client.read_record_log(log2))
    for p in range(parts):
        mine = [o for q, o in run2 if q == p]
        if mine:
            assert mine[0] == committed.get(p, 0), (
                f"p{p} resumed at {mine[0]}, committed {committed}")
    both = run1 + run2
    assert len(both) == len(set(both)), "a record was consumed twice across a clean restart"
    per_part = (first + second) // parts
    assert set(both) == {(p, o) for p in range(parts) for o in range(per_part)}
    got = go_client.check("group-offsets", gbroker.bootstrap, group=group, topic=topic_name)
    assert parse_offsets(got["committed"]) == {p: per_part for p in range(parts)}, got
    watch.check(res2)


def test_eager_group_members_join_and_leave_under_load(gbroker, topic_name, tmp_path):
    """Eager (range) group on 6 partitions while a producer writes 1000 records/s until the
    membership changes are done: member A alone, B joins, C joins, B leaves (LeaveGroup), C is
    SIGKILLed (session timeout), D joins. Every eager rebalance revokes all partitions, which
    resets franz-go's fetch sessions. After each change the members must own a complete,
    disjoint assignment and make progress; in the end every record was consumed (no loss, exact
    bytes) and duplicates can only be records of the killed member's last batch, whose commit it
    did not live to see acknowledged (members commit what they processed before every
    rebalance)."""
    watch = LoopWatch(gbroker)
    parts, rate = 6, 1000
    group = "g-" + topic_name
    go_client.check("create-topic", gbroker.bootstrap, topic=topic_name, partitions=parts)
    members: dict[str, go_client.Process] = {}
    producer = None

    def start(name):
        members[name] = go_client.Process(
            "group-member", gbroker.bootstrap, tmp_path / f"{name}.err", name=name,
            topic=topic_name, group=group, balancer="range", watch_stdin=True,
            record_log=tmp_path / f"{name}.log", session_timeout_ms=6000, heartbeat_ms=500,
            status_ms=250)
        return members[name]

    def check_loop():
        watch.check(*[m.status for m in members.values()])
        for m in members.values():
            if (not m.alive() and not m.killed and m.result is not None
                    and m.result.get("ok") is not True):
                watch.check(m.result)
                raise AssertionError(f"member {m.name} failed: {m.result}\n{m.stderr_tail()}")
        if producer is not None and not producer.alive() and producer.result is not None:
            assert producer.result.get("ok") is True, f"producer failed: {producer.result}"

    def settled(expected):
        """The expected members own a complete, disjoint assignment, each one nonempty."""
        sets = [members[x].assignment for x in expected]
        return (all(s for s in sets) and sum(len(s) for s in sets) == parts
                and set().union(*sets) == set(range(parts)))

    phases = []

    def consuming_since_change(x):
        """x processed records under its current assignment (its status line postdates its
        last "assigned=" line and counts records since then)."""
        m = members[x]
        return m.stat("changes") == m.assignments and m.stat("since_change") > 0

    def settle_and_progress(expected, what):
        t0 = time.monotonic()
        go_client.wait_for(lambda: settled(expected), 45, f"{what}: assignment over {expected}",
                           check_loop)
        go_client.wait_for(lambda: all(consuming_since_change(x) for x in expected), 30,
                           f"{what}: every member of {expected} consuming after the rebalance",
                           check_loop)
        phases.append(f"{what} {time.monotonic() - t0:.1f}s")

    try:
        producer = go_client.Process("produce", gbroker.bootstrap, tmp_path / "producer.err",
                                     name="producer", topic=topic_name, count=rate * 600,
                                     partitions=parts, rate=rate, timeout_ms=600000,
                                     watch_stdin=True)
        start("A")
        settle_and_progress(["A"], "A alone")
        start("B")
        settle_and_progress(["A", "B"], "B joined")
        start("C")
        settle_and_progress(["A", "B", "C"], "C joined")
        res_b = members["B"].close()
        assert res_b.get("ok") is True, res_b
        settle_and_progress(["A", "C"], "B left")
        members["C"].kill()
        settle_and_progress(["A"], "C killed")
        start("D")
        settle_and_progress(["A", "D"], "D joined")
        assert producer.alive(), f"the producer stopped: {producer.result}"
        time.sleep(2)
        res_p = producer.close(120)
        assert res_p.get("ok") is True and res_p["acked"] == res_p["sent"], res_p
        n = int(res_p["sent"])
        ends = {p: (n - p + parts - 1) // parts for p in range(parts)}  # record i: partition i % 6

        def all_committed():
            rc, got = go_client.run("group-offsets", gbroker.bootstrap, group=group,
                                    topic=topic_name)
            return rc == 0 and parse_offsets(got["committed"]) == ends

        go_client.wait_for(all_committed, 60, "every record consumed and committed", check_loop,
                           interval=1)
        results = {name: members[name].close() for name in ("A", "D")}
        results["B"] = res_b
        for name, res in results.items():
            assert res.get("ok") is True and res["bad"] == "0", (name, res)
            watch.check(res)
    finally:
        for m in list(members.values()) + ([producer] if producer else []):
            if m.alive():
                m.kill()

    # Every record, and within one assignment of one member each partition in order without a
    # gap (the members check the bytes and offset = seq themselves; recheck the order here,
    # C included).
    seen: dict[tuple[int, int], list[str]] = {}
    for name in members:
        last: dict[int, int] = {}
        for e in go_client.read_record_log(tmp_path / f"{name}.log"):
            if e[0] == "a":
                last = {p: o for p, o in last.items() if p in e[1]}
                continue
            _, p, o = e
            assert p not in last or o == last[p] + 1, f"{name}: p{p} offset {o} after {last[p]}"
            last[p] = o
            seen.setdefault((p, o), []).append(name)
    missing = [(p, o) for p in range(parts) for o in range(ends[p]) if (p, o) not in seen]
    assert not missing, f"{len(missing)} records never consumed, first {missing[:5]}"
    assert len(seen) == n, "consumed offsets beyond the produced records"
    dups = {k: v for k, v in seen.items() if len(v) > 1}
    print(f"{n} records, {len(dups)} consumed twice; phases: {', '.join(phases)}; "
          f"broker fetch session errors: {watch.count()}")
    commit_errors = sum(int(r.get("commit_errors", 0)) for r in results.values())
    if commit_errors == 0:
        # Only C's last batch (processed and logged, commit not acknowledged) may come again.
        assert all("C" in v for v in dups.values()), (
            f"records consumed twice without the killed member: {list(dups.items())[:5]}")
    assert len(dups) <= 2000, f"{len(dups)} records consumed more than once"
    watch.check()


def test_remove_topic_and_add_back(gbroker, topic_name):
    """PurgeTopicsFromConsuming + AddConsumeTopics on a direct consumer: the other topic keeps
    flowing while one is removed, and the removed one is consumed again from its start."""
    watch = LoopWatch(gbroker)
    n, parts = 2000, 2
    topic, other = topic_name + "-a", topic_name + "-b"
    for t in (topic, other):
        go_client.check("create-topic", gbroker.bootstrap, topic=t, partitions=parts)
        go_client.check("produce", gbroker.bootstrap, topic=t, count=n, partitions=parts)
    res = check_ok(watch, "readd-topic", gbroker.bootstrap, topic=topic, other=other,
                   partitions=parts, count=n, more=500, phase_timeout_ms=30000)
    assert res["phase"] == "done", res
    assert res["consumed_other"] == str(n + 500) and res["readded"] == str(n), res
    assert res["stray"] == "0" and res["bad"] == "0", res
    watch.check(res)


def test_seek_after_offset_out_of_range(gbroker, topic_name):
    """With NoResetOffset, a partition read past its end fails with OFFSET_OUT_OF_RANGE; a seek
    (SetOffsets) moves it to its start and it is consumed; a second seek rewinds the other
    partition, which is consumed again from there."""
    watch = LoopWatch(gbroker)
    n = 2000
    go_client.check("create-topic", gbroker.bootstrap, topic=topic_name, partitions=2)
    go_client.check("produce", gbroker.bootstrap, topic=topic_name, count=n, partitions=2)
    res = check_ok(watch, "seek-after-error", gbroker.bootstrap, topic=topic_name, count=n,
                   phase_timeout_ms=30000)
    assert res["phase"] == "done" and int(res["oor_errors"]) >= 1, res
    assert res["p0"] == res["p1"] == str(n // 2) and res["reread"] == str(n // 4), res
    assert res["bad"] == "0", res
    watch.check(res)
