"""Node.js client family: kafkajs 2.2.4 (tests/clients/node, driven through
itest/node_client.py) against the broker.

kafkajs speaks only the classic consumer group protocol, and only eagerly: JoinGroup/SyncGroup
with client-side assignment, every partition revoked at every rebalance. It ships one assigner,
RoundRobinAssigner; the CLI adds NodeRangeAssigner ("range"), a custom assigner written against
kafkajs's assigner API, so that members can offer several protocols in one JoinGroup. kafkajs has
no cooperative rebalancing and no KIP-848 (ConsumerGroupHeartbeat) support, so neither is tested
here.

Covered: CreateTopics through the kafkajs admin (a duplicate answers TOPIC_ALREADY_EXISTS, which
kafkajs reports as "not created"); an idempotent acks=all producer (InitProducerId, sequence
numbers checked on the consumed batches) read back byte-exact by kafkajs and librdkafka; a group
that commits, stops, restarts and resumes exactly at its committed offsets; the broker's choice of
the common protocol; and an eager group of three members joining and leaving (LeaveGroup, or
SIGKILL and session expiry) while a producer runs, with every record consumed and duplicates only
where a rebalance re-delivered uncommitted records.

The group broker runs with offsets.topic.replication.factor=1 (one broker) and a short
group.initial.rebalance.delay.ms, like test_consumer_groups.py.
"""

import time

import pytest

from itest import node_client, rdkafka
from itest.node_client import Background, offsets_map, ranges_map

GROUP_OVERRIDES = {"offsets.topic.replication.factor": "1", "group.initial.rebalance.delay.ms": "500"}
# Of the load test's members (the broker's group.min.session.timeout.ms is 6 s): a killed member is
# noticed after this long; live ones heartbeat every second.
SESSION_TIMEOUT_MS = 8000


@pytest.fixture(scope="module")
def gbroker(module_brokers):
    return module_brokers(GROUP_OVERRIDES)


def per_partition(count: int, partitions: int, first: int = 0) -> dict[int, int]:
    """Records per partition of records first..first+count-1 (record i goes to i % partitions)."""
    out = {p: 0 for p in range(partitions)}
    for i in range(first, first + count):
        out[i % partitions] += 1
    return out


def test_create_topic(gbroker, topic_name):
    res = node_client.check("create-topic", gbroker.bootstrap, topic=topic_name, partitions=4)
    assert res["created"] == "true" and res["partitions"] == "4" and res["led"] == "4", res
    rdkafka.wait_topic_ready(gbroker.bootstrap, topic_name, 4)
    # A second CreateTopics answers TOPIC_ALREADY_EXISTS (36): kafkajs returns false for that
    # error only (any other error code is thrown, and the CLI fails).
    res = node_client.check("create-topic", gbroker.bootstrap, topic=topic_name, partitions=4)
    assert res["created"] == "false" and res["partitions"] == "4", res


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_idempotent_produce_consume_byte_exact(gbroker, topic_name, compression):
    partitions, count = 3, 30000
    node_client.check("create-topic", gbroker.bootstrap, topic=topic_name, partitions=partitions)
    res = node_client.check("produce", gbroker.bootstrap, topic=topic_name, count=count,
                            partitions=partitions, idempotence=True, acks="all",
                            compression=compression, batch=1000)
    assert res["acked"] == str(count) and res["failed"] == "0", res
    ends = per_partition(count, partitions)
    # Offsets follow the records exactly: nothing written twice, nothing missing.
    assert offsets_map(res["next_offsets"]) == ends, res

    res = node_client.check("consume-group", gbroker.bootstrap, group="g-" + topic_name,
                            topic=topic_name, expected=count, check_sequences=True,
                            timeout_ms=120000)
    assert res["unique"] == str(count) and res["dups"] == "0", res
    assert ranges_map(res["ranges"]) == {p: [(0, n - 1)] for p, n in ends.items()}, res
    # One idempotent producer: a real producer id on every batch, sequence numbers == offsets.
    pids = res["producer_ids"].split(",")
    assert len(pids) == 1 and int(pids[0]) >= 0, res
    assert res["seq_mismatches"] == "0", res
    assert res["protocol"] == "RoundRobinAssigner", res
    # Another family reads the same bytes.
    rdkafka.consume_verify(gbroker.bootstrap, topic_name, count, partitions)


def test_group_commit_restart_resume(gbroker, topic_name):
    partitions, first_run, second_run = 3, 6000, 3000
    group = "g-" + topic_name
    b = gbroker.bootstrap
    node_client.check("create-topic", b, topic=topic_name, partitions=partitions)
    node_client.check("produce", b, topic=topic_name, count=first_run, partitions=partitions)

    # First consumer: exactly 2500 records, each batch committed, then leave the group.
    res = node_client.check("consume-group", b, group=group, topic=topic_name, max=2500)
    assert res["consumed"] == "2500" and res["dups"] == "0", res
    committed = offsets_map(res["committed"])
    assert sum(committed.values()) == 2500, res
    assert ranges_map(res["ranges"]) == {p: [(0, c - 1)] for p, c in committed.items() if c}, res
    # The broker hands back what was committed.
    stored = offsets_map(node_client.check("committed", b, group=group, topic=topic_name)["offsets"])
    assert {p: o for p, o in stored.items() if o >= 0} == committed, stored

    # More records while no consumer runs (numbering continues, so seq == offset still holds).
    node_client.check("produce", b, topic=topic_name, count=second_run, first=first_run,
                      partitions=partitions)
    ends = per_partition(first_run + second_run, partitions)

    # Restarted consumer: starts exactly at the committed offsets, reads everything after them.
    remaining = first_run + second_run - 2500
    res = node_client.check("consume-group", b, group=group, topic=topic_name, expected=remaining,
                            timeout_ms=120000)
    assert res["unique"] == str(remaining) and res["dups"] == "0", res
    assert ranges_map(res["ranges"]) == {
        p: [(committed.get(p, 0), ends[p] - 1)] for p in range(partitions)}, res
    assert offsets_map(res["committed"]) == ends, res

    # A third start finds nothing left: committed records are not read again.
    res = node_client.check("consume-group", b, group=group, topic=topic_name, idle_ms=4000,
                            timeout_ms=60000)
    assert res["consumed"] == "0", res
    stored = offsets_map(node_client.check("committed", b, group=group, topic=topic_name)["offsets"])
    assert stored == ends, stored


def last_join(member: Background) -> dict | None:
    joins = member.events("joined")
    return joins[-1] if joins else None


def assignment_of(join: dict) -> set[int]:
    a = join["assignment"]
    return set() if a == "-" else {int(p) for p in a.split(",")}


def settled(members: list[Background], partitions: int) -> bool:
    """Every member's latest join is of the same generation and together they own each partition
    exactly once."""
    joins = [last_join(m) for m in members]
    if any(j is None for j in joins) or len({j["gen"] for j in joins}) != 1:
        return False
    sets = [assignment_of(j) for j in joins]
    return (sum(len(s) for s in sets) == partitions
            and set().union(*sets) == set(range(partitions)))


def wait_settled(members: list[Background], partitions: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not settled(members, partitions):
        for m in members:
            assert m.proc.poll() is None, "member exited\n" + m.describe()
        assert time.monotonic() < deadline, (
            "group did not settle\n" + "\n".join(m.describe() for m in members))
        time.sleep(0.2)


@pytest.mark.parametrize("offers,chosen", [
    (("range,roundrobin", "roundrobin"), "RoundRobinAssigner"),
    (("range,roundrobin", "range,roundrobin"), "NodeRangeAssigner"),
], ids=["common-roundrobin", "preferred-range"])
def test_group_protocol_choice(gbroker, topic_name, offers, chosen):
    """JoinGroup with several protocols: the broker picks one every member supports, by the
    members' preference order, and the leader's assignment follows it."""
    partitions = 4
    node_client.check("create-topic", gbroker.bootstrap, topic=topic_name, partitions=partitions)
    members = []
    try:
        for i, offer in enumerate(offers):
            members.append(Background("group-member", gbroker.bootstrap, name=f"m{i}",
                                      group="g-" + topic_name, topic=topic_name, assigners=offer))
            wait_settled(members, partitions)
        joins = [last_join(m) for m in members]
        assert {j["protocol"] for j in joins} == {chosen}, [j["_line"] for j in joins]
        sets = sorted(sorted(assignment_of(j)) for j in joins)
        if chosen == "NodeRangeAssigner":
            assert sets == [[0, 1], [2, 3]], sets
        else:
            assert sets == [[0, 2], [1, 3]], sets
    finally:
        rcs = [m.close() for m in members]
    assert rcs == [0] * len(members), "\n".join(m.describe() for m in members)


def check_member_history(members: list[Background], partitions: int, ends: dict[int, int]) -> int:
    """Checks what the members consumed; returns the number of duplicate deliveries.

    - Every produced record (offset < ends[p]) was consumed by some member: no loss.
    - Within one membership session (the lines between two joins of a member) no record twice.
    - A session's first batch of a partition starts at or after every offset committed (and
      acknowledged) for it before that batch: only records not yet committed when a rebalance
      moved the partition are delivered again.
    """
    seen: dict[int, set[int]] = {p: set() for p in range(partitions)}
    deliveries = 0
    commits = []  # (t, partition, offset) of every acknowledged commit
    for m in members:
        for f in m.lines:
            if f.get("_event") == "commit":
                commits.append((int(f["t"]), int(f["p"]), int(f["offset"])))
    for m in members:
        session_seen: dict[int, set[int]] = {}
        for f in m.lines:
            ev = f.get("_event")
            if ev == "joined":
                session_seen = {}
            elif ev == "batch":
                p, lo, hi, n, t = (int(f[k]) for k in ("p", "first", "last", "n", "t"))
                assert n == hi - lo + 1, f["_line"]
                assert p in assignment_of(last_before(m, f)), (
                    f"{m.name} consumed p{p} outside its assignment: {f['_line']}")
                if p not in session_seen:
                    done = max((o for ct, cp, o in commits if cp == p and ct < t), default=0)
                    assert lo >= done, (
                        f"{m.name} re-read committed records of p{p}: batch {lo}-{hi} after a "
                        f"commit of {done}\n" + m.describe())
                    session_seen[p] = set()
                offs = set(range(lo, hi + 1))
                assert not offs & session_seen[p], f"{m.name}: p{p} twice in a session: {f['_line']}"
                session_seen[p] |= offs
                seen[p] |= offs
                deliveries += n
    for p in range(partitions):
        missing = set(range(ends[p])) - seen[p]
        assert not missing, f"p{p}: {len(missing)} records never consumed, first {min(missing)}"
    return deliveries - sum(ends.values())


def last_before(member: Background, line: dict) -> dict:
    """The member's latest join before the given line."""
    join = None
    for f in member.lines:
        if f is line:
            return join
        if f.get("_event") == "joined":
            join = f
    raise AssertionError("line not found")


def test_eager_group_three_members_join_and_leave_under_load(gbroker, topic_name):
    """Three kafkajs members on 6 partitions while a producer writes 24k records over ~20 s:
    members join, leave (LeaveGroup) and die (SIGKILL, expired after the session timeout) during
    the run, every rebalance revokes everything (eager), and in the end every record was consumed
    and everything is committed."""
    partitions, count = 6, 24000
    b = gbroker.bootstrap
    group = "g-" + topic_name
    node_client.check("create-topic", b, topic=topic_name, partitions=partitions)
    all_members: list[Background] = []
    live: list[Background] = []

    def start(name):
        m = Background("group-member", b, name=name, group=group, topic=topic_name,
                       session_timeout_ms=SESSION_TIMEOUT_MS)
        all_members.append(m)
        live.append(m)
        wait_settled(live, partitions)

    def leave(m):
        live.remove(m)
        assert m.close() == 0, m.describe()
        assert m.events("closed") and m.events("closed")[-1].get("ok") is True, m.describe()
        wait_settled(live, partitions)

    def crash(m):
        # SIGKILL: no LeaveGroup, the broker expires the member after its session timeout.
        live.remove(m)
        m.kill()
        wait_settled(live, partitions)

    producer = None
    try:
        start("a")
        producer = Background("produce", b, name="producer", topic=topic_name, count=count,
                              partitions=partitions, batch=100, rate=1200, progress=True)
        time.sleep(2)
        start("b")
        time.sleep(1)
        start("c")                 # three members
        time.sleep(3)
        leave(all_members[0])      # a leaves: b, c
        time.sleep(2)
        start("d")                 # three again: b, c, d
        time.sleep(2)
        crash(all_members[1])      # b is killed: c, d once its session expired
        start("e")                 # c, d, e
        assert producer.wait(timeout=150) == 0, producer.describe()
        res = producer.lines[-1]
        assert res.get("ok") is True and res["acked"] == str(count), producer.describe()
        ends = per_partition(count, partitions)
        assert offsets_map(res["next_offsets"]) == ends, res

        # Everything gets consumed and committed by the members still in the group.
        deadline = time.monotonic() + 90
        while True:
            top = {p: 0 for p in range(partitions)}
            for m in all_members:
                for f in m.events("commit"):
                    top[int(f["p"])] = max(top[int(f["p"])], int(f["offset"]))
            if top == ends:
                break
            assert time.monotonic() < deadline, (
                f"committed {top} of {ends}\n" + "\n".join(m.describe() for m in all_members))
            time.sleep(0.3)
        assert settled(live, partitions), "\n".join(m.describe() for m in live)
        gens = {j["gen"] for m in all_members for j in m.events("joined")}
        assert len(gens) >= 7, gens  # one generation per join and leave at least
        # The group changed while records were being produced, not only afterwards.
        produced_until = int(producer.events("progress")[-1]["t"])
        under_load = {j["gen"] for m in all_members for j in m.events("joined")
                      if int(j["t"]) < produced_until}
        assert len(under_load) >= 4, (under_load, produced_until)
        for m in list(live):
            live.remove(m)
            assert m.close() == 0, m.describe()
            assert m.events("closed")[-1].get("ok") is True, m.describe()
        dups = check_member_history(all_members, partitions, ends)
        print(f"{len(gens)} generations, {dups} records delivered twice across rebalances")
        stored = offsets_map(node_client.check("committed", b, group=group, topic=topic_name)["offsets"])
        assert stored == ends, stored
    finally:
        for m in all_members + ([producer] if producer else []):
            m.kill()
