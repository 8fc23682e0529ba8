"""KIP-848 consumer groups (group.protocol=consumer) with Kafka's Java 4.x consumer: server-side
assignment, incremental reconciliation, member expiry, regex subscriptions, persistence across a
restart; and raw ConsumerGroupHeartbeat/ConsumerGroupDescribe requests for the error cases.

The broker runs with short consumer-group timeouts (--override) so that expiry is observable.
Each Java member is a `group-member` process of the test client (tests/java) that prints a line
per assignment change and leaves the group when its stdin says "close".
"""

import os
import signal
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

from itest import java_tool
from itest.kip848_wire import (API_CONSUMER_GROUP_DESCRIBE, API_CONSUMER_GROUP_HEARTBEAT, heartbeat,
                               join_group_v5, list_groups_v5)
from itest.kip848_wire import describe_group as describe_raw
from itest.wire import Connection, i8, string

SESSION_MS = 6000
OVERRIDES = {
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "4",
    "group.consumer.session.timeout.ms": str(SESSION_MS),
    "group.consumer.min.session.timeout.ms": "1000",
    "group.consumer.heartbeat.interval.ms": "500",
    "group.consumer.min.heartbeat.interval.ms": "100",
}

UNKNOWN_MEMBER_ID = 25
INVALID_REQUEST = 42
GROUP_ID_NOT_FOUND = 69
INCONSISTENT_GROUP_PROTOCOL = 23
FENCED_MEMBER_EPOCH = 110
UNSUPPORTED_ASSIGNOR = 112


@pytest.fixture(scope="module")
def cbroker(module_brokers):
    return module_brokers(OVERRIDES)


def wait_for(cond, seconds: float, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


class Member:
    """One Java consumer (group-member command) in its own process group."""

    def __init__(self, bootstrap: str, group: str, topics: list[str] | None = None, regex: str | None = None,
                 assignor: str | None = None, instance_id: str | None = None):
        cmd = ["java", "-jar", str(java_tool.jar()), "group-member", "--bootstrap", bootstrap, "--group", group]
        if topics:
            cmd += ["--topics", ",".join(topics)]
        if regex:
            cmd += ["--regex", regex]
        if assignor:
            cmd += ["--assignor", assignor]
        if instance_id:
            cmd += ["--instance-id", instance_id]
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                     text=True, start_new_session=True)
        self.lines: list[str] = []
        self.assignment: set[str] = set()
        self.consumed = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            self.lines.append(line)
            if line.startswith("assignment="):
                value = line.split("=", 1)[1]
                self.assignment = set(value.split(",")) if value else set()
            elif line.startswith("consumed="):
                self.consumed = int(line.split("=", 1)[1])

    def close(self, timeout: float = 60) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("close\n")
                self.proc.stdin.flush()
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.reader.join(timeout=5)

    def kill9(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def log(self) -> str:
        self.stderr.seek(0)
        return "\n".join(self.lines[-20:]) + "\n" + self.stderr.read()[-3000:]


def describe_group(broker, group: str) -> dict:
    """ConsumerGroupDescribe, retried while the coordinator is still loading the group's offsets
    partition (COORDINATOR_LOAD_IN_PROGRESS, 14, after a restart), as Kafka's admin client does."""
    deadline = time.monotonic() + 30
    while True:
        answer = describe_raw(broker.host, broker.port, group)
        if answer["error"] != 14 or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def partitions(topic: str, n: int) -> set[str]:
    return {f"{topic}-{p}" for p in range(n)}


def complete_and_disjoint(members: list[Member], expected: set[str]) -> bool:
    sets = [m.assignment for m in members]
    return all(sets) and sum(len(s) for s in sets) == len(expected) and set().union(*sets) == expected


def members_log(members: list[Member]) -> str:
    return "\n---\n".join(f"{sorted(m.assignment)}\n{m.log()}" for m in members)


def test_members_join_leave_and_rejoin_with_disjoint_complete_assignment(cbroker, topic_name):
    java_tool.check("create-topic", cbroker.bootstrap, topic=topic_name, partitions=6)
    group = "kip848-" + topic_name
    everything = partitions(topic_name, 6)
    members = [Member(cbroker.bootstrap, group, [topic_name]) for _ in range(3)]
    try:
        # Reconciliation is incremental: complete and disjoint all along, balanced at the end.
        assert wait_for(lambda: complete_and_disjoint(members, everything)
                        and all(len(m.assignment) == 2 for m in members), 60), members_log(members)
        # One leaves cleanly: the other two take over its partitions.
        members[0].close()
        rest = members[1:]
        assert wait_for(lambda: complete_and_disjoint(rest, everything), 30), members_log(rest)
        # A new one joins: it gets a share without anything being owned twice.
        members.append(Member(cbroker.bootstrap, group, [topic_name]))
        rest = members[1:]
        assert wait_for(lambda: complete_and_disjoint(rest, everything)
                        and all(len(m.assignment) == 2 for m in rest), 60), members_log(rest)
        time.sleep(2)
        assert complete_and_disjoint(rest, everything), "assignment must stay put: " + members_log(rest)
        described = describe_group(cbroker, group)
        assert described["error"] == 0 and described["state"] == "Stable", described
        assert described["assignor"] == "uniform"
        assert len(described["members"]) == 3
    finally:
        for m in members:
            m.close()


def test_killed_member_expires_after_session_timeout(cbroker, topic_name):
    java_tool.check("create-topic", cbroker.bootstrap, topic=topic_name, partitions=6)
    group = "kip848-kill-" + topic_name
    everything = partitions(topic_name, 6)
    a, b = Member(cbroker.bootstrap, group, [topic_name]), Member(cbroker.bootstrap, group, [topic_name])
    try:
        assert wait_for(lambda: complete_and_disjoint([a, b], everything), 60), members_log([a, b])
        b.kill9()  # no leave: only the session timeout can tell
        killed_at = time.monotonic()
        assert wait_for(lambda: a.assignment == everything, SESSION_MS / 1000 + 20), members_log([a])
        assert time.monotonic() - killed_at >= SESSION_MS / 1000 - 1.5, "taken over before the session expired"
    finally:
        a.close()
        b.kill9()


def test_static_member_restart_keeps_its_partitions(cbroker, topic_name):
    java_tool.check("create-topic", cbroker.bootstrap, topic=topic_name, partitions=6)
    group = "kip848-static-" + topic_name
    everything = partitions(topic_name, 6)
    a = Member(cbroker.bootstrap, group, [topic_name], instance_id="instance-a")
    b = Member(cbroker.bootstrap, group, [topic_name])
    again = None
    try:
        assert wait_for(lambda: complete_and_disjoint([a, b], everything)
                        and len(a.assignment) == 3, 60), members_log([a, b])
        owned_by_a, epoch = set(a.assignment), describe_group(cbroker, group)["group_epoch"]
        a.close()  # a static member leaves with epoch -2: its partitions wait for it
        time.sleep(1)
        assert len(b.assignment) == 3, members_log([b])
        again = Member(cbroker.bootstrap, group, [topic_name], instance_id="instance-a")
        assert wait_for(lambda: again.assignment == owned_by_a, 30), members_log([again, b])
        described = describe_group(cbroker, group)
        assert described["group_epoch"] == epoch, "a returning static member causes no rebalance"
        assert {m["instance"] for m in described["members"]} == {"instance-a", None}, described
    finally:
        for m in (a, b, again):
            if m is not None:
                m.close()


def test_regex_member_next_to_a_topic_list_member(cbroker, topic_name):
    plain = topic_name + "-plain"
    java_tool.check("create-topic", cbroker.bootstrap, topic=plain, partitions=4)
    java_tool.check("create-topic", cbroker.bootstrap, topic=topic_name + "-rx-a", partitions=2)
    group = "kip848-rx-" + topic_name
    by_name = Member(cbroker.bootstrap, group, [plain])
    by_regex = Member(cbroker.bootstrap, group, regex=topic_name + "-rx-.*")
    try:
        assert wait_for(lambda: by_name.assignment == partitions(plain, 4)
                        and by_regex.assignment == partitions(topic_name + "-rx-a", 2), 60), \
            members_log([by_name, by_regex])
        # A topic created later that matches joins the regex member's subscription.
        java_tool.check("create-topic", cbroker.bootstrap, topic=topic_name + "-rx-b", partitions=3)
        want = partitions(topic_name + "-rx-a", 2) | partitions(topic_name + "-rx-b", 3)
        assert wait_for(lambda: by_regex.assignment == want, 60), members_log([by_name, by_regex])
        assert by_name.assignment == partitions(plain, 4)
        described = describe_group(cbroker, group)
        regexes = {m["regex"] for m in described["members"]}
        assert topic_name + "-rx-.*" in regexes, described
    finally:
        by_name.close()
        by_regex.close()


def test_range_assignor_co_partitions(cbroker, topic_name):
    left, right = topic_name + "-l", topic_name + "-r"
    for t in (left, right):
        java_tool.check("create-topic", cbroker.bootstrap, topic=t, partitions=4)
    group = "kip848-range-" + topic_name
    members = [Member(cbroker.bootstrap, group, [left, right], assignor="range") for _ in range(2)]
    everything = partitions(left, 4) | partitions(right, 4)
    try:
        assert wait_for(lambda: complete_and_disjoint(members, everything), 60), members_log(members)
        for m in members:
            numbers = {t: {p.rsplit("-", 1)[1] for p in m.assignment if p.rsplit("-", 1)[0] == t} for t in (left, right)}
            assert numbers[left] == numbers[right] and len(numbers[left]) == 2, members_log(members)
        assert describe_group(cbroker, group)["assignor"] == "range"
    finally:
        for m in members:
            m.close()


def test_committed_offsets_and_group_survive_restart(module_brokers, topic_name):
    broker = module_brokers(OVERRIDES)
    java_tool.check("create-topic", broker.bootstrap, topic=topic_name, partitions=6)
    java_tool.check("produce", broker.bootstrap, topic=topic_name, count=60, partitions=6)
    group = "kip848-restart-" + topic_name
    m = Member(broker.bootstrap, group, [topic_name])
    try:
        assert wait_for(lambda: m.consumed == 60, 60), m.log()
    finally:
        m.close()
    before = describe_group(broker, group)
    assert before["error"] == 0 and before["state"] == "Empty", before
    broker.restart()
    after = describe_group(broker, group)
    assert after["error"] == 0, after
    assert after["group_epoch"] == before["group_epoch"], (before, after)
    java_tool.check("produce", broker.bootstrap, topic=topic_name, count=12, partitions=6)
    m = Member(broker.bootstrap, group, [topic_name])
    try:
        # Resumes from the committed offsets: only the 12 new records.
        assert wait_for(lambda: m.consumed == 12 and m.assignment == partitions(topic_name, 6), 60), m.log()
        time.sleep(1.5)
        assert m.consumed == 12, m.log()
    finally:
        m.close()


def test_classic_consume_group_option_still_works(cbroker, topic_name):
    java_tool.check("create-topic", cbroker.bootstrap, topic=topic_name, partitions=3)
    java_tool.check("produce", cbroker.bootstrap, topic=topic_name, count=30, partitions=3)
    for protocol in ("consumer", "classic"):
        fields = java_tool.check("consume-group", cbroker.bootstrap, group=f"cg-{protocol}-{topic_name}",
                                 topic=topic_name, expected=30, group_protocol=protocol)
        assert fields["consumed"] == "30" and fields["committed_partitions"] == "3", fields


def test_raw_heartbeat_errors(cbroker, topic_name):
    java_tool.check("create-topic", cbroker.bootstrap, topic=topic_name, partitions=2)
    group = "raw-" + topic_name
    member = str(uuid.uuid4())
    with Connection(cbroker.host, cbroker.port) as conn:
        # FindCoordinator first, as clients do: it creates __consumer_offsets, and until that
        # is loaded heartbeats answer NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS.
        conn.request(10, 1, string(group) + i8(0))
        joined = {}
        assert wait_for(lambda: joined.update(heartbeat(conn, group, member, 0, topics=[topic_name], owned=[]))
                        or joined["error"] not in (14, 15, 16), 30), joined
        assert joined["error"] == 0, joined
        assert joined["member_id"] == member and joined["epoch"] >= 1
        assert joined["interval"] == 500
        assert joined["assignment"] is not None and sorted(joined["assignment"][0][1]) == [0, 1]
        epoch = joined["epoch"]

        assert heartbeat(conn, group, "no-such-member", 1)["error"] == UNKNOWN_MEMBER_ID
        fenced = heartbeat(conn, group, member, epoch + 5)
        assert fenced["error"] == FENCED_MEMBER_EPOCH, fenced
        bad = heartbeat(conn, group, str(uuid.uuid4()), 0, topics=[topic_name], assignor="sticky", owned=[])
        assert bad["error"] == UNSUPPORTED_ASSIGNOR, bad
        invalid = heartbeat(conn, group, str(uuid.uuid4()), 0, topics=[topic_name], rebalance_timeout=-1, owned=[])
        assert invalid["error"] == INVALID_REQUEST and "RebalanceTimeoutMs" in invalid["message"], invalid
        assert heartbeat(conn, group, "", 0, topics=[topic_name], owned=[])["error"] == INVALID_REQUEST
        assert heartbeat(conn, group, str(uuid.uuid4()), 0, regex="(", owned=[])["error"] == INVALID_REQUEST

        ok = heartbeat(conn, group, member, epoch)
        assert ok["error"] == 0 and ok["epoch"] == epoch and ok["assignment"] is None, ok

        # The classic protocol must not take over a consumer group in use.
        assert join_group_v5(conn, group) == INCONSISTENT_GROUP_PROTOCOL
        listed = list_groups_v5(conn, ["consumer"])
        assert listed.get(group) == ("consumer", "consumer"), listed
        assert group not in list_groups_v5(conn, ["classic"])
        left = heartbeat(conn, group, member, -1)
        assert left["error"] == 0 and left["epoch"] == -1, left
        assert heartbeat(conn, group, member, epoch)["error"] == UNKNOWN_MEMBER_ID

    described = describe_group(cbroker, group)
    assert described["state"] == "Empty" and described["members"] == [], described
    missing = describe_group(cbroker, "never-existed-" + topic_name)
    assert missing["error"] == GROUP_ID_NOT_FOUND, missing


def test_api_versions_advertise_kip848(cbroker):
    from itest.wire import api_versions
    with Connection(cbroker.host, cbroker.port) as conn:
        _, err, versions = api_versions(conn, 2)
    assert err == 0
    assert versions[API_CONSUMER_GROUP_HEARTBEAT] == (0, 1)
    assert versions[API_CONSUMER_GROUP_DESCRIBE] == (0, 0)
