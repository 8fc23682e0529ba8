"""The KRaft metadata quorum on real processes: three (and five) combined broker+controller nodes,
each on its own loopback address 127.0.0.N (itest/cluster.py), formatted with one cluster id and
started with a static `controller.quorum.voters`.

What the nodes say is read two ways: Kafka's own `MetadataQuorumCommand` (`describe --status`,
`--replication`) from the reference Kafka's jars, which is the user-visible contract, and a raw
DescribeQuorum client for polls (a leader answers it itself, a follower forwards it to the
leader). Elections are timed by the new leader's quorum-state file (Kafka's JSON, written
before it announces itself), then the survivors must report the leader through DescribeQuorum
and the tool. The metadata log segments are compared batch by batch, parsed here and by
Kafka's `DumpLogSegments`. Measured times are printed as `[quorum] ...` lines.

Timeouts are Kafka's defaults: controller.quorum.fetch.timeout.ms 2000 (a follower stands for
election after that long without its leader), check-quorum after 1.5 fetch timeouts (3 s),
election timeout 1000 ms plus up to 100% jitter.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from itest.broker import target
from itest.cluster import (KafkaTools, QuorumView, QuorumWatch, RunnelCluster, parse_dump, parse_replication,
                           parse_status, random_uuid, read_batches, try_describe)

pytestmark = pytest.mark.skipif(target() == "kafka", reason="a cluster of runnel-broker processes")

FORMATION_S = 15.0      # a fresh quorum names one leader within this
FAILOVER_S = 10.0       # survivors name a new leader within this after the old one is killed
CHECK_QUORUM_S = 3.0    # a leader that no majority fetches from resigns after this
FETCH_TIMEOUT_S = 2.0   # controller.quorum.fetch.timeout.ms
CHECK_QUORUM_SLACK_S = 1.5
CATCH_UP_S = 15.0       # every voter's log end offset reaches the leader's
TOOL_S = 30.0           # MetadataQuorumCommand is retried this long (each run starts a JVM)
LEADER_CHANGE_KEY = b"\x00\x00\x00\x02"  # control record key: version 0, type 2 (LEADER_CHANGE)

MEASURED: dict[str, float] = {}
KILL9_ELECTED = "kill -9 of the leader: new leader elected"


# ---- fixtures -----------------------------------------------------------------------------------

@pytest.fixture
def make_cluster(request, tmp_path):
    """make_cluster(n) -> a RunnelCluster of n nodes under this test's tmp dir (not started). Every
    node is stopped at the end; a node that died on its own fails the test."""
    made: list[RunnelCluster] = []

    def make(n: int = 3, overrides: dict[str, str] | None = None) -> RunnelCluster:
        c = RunnelCluster(tmp_path / f"cluster{len(made)}", request.config.getoption("--broker-bin"), n, overrides)
        made.append(c)
        return c

    yield make
    problems = [p for c in made for p in c.close()]
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture(scope="module")
def tools(tmp_path_factory) -> KafkaTools:
    return KafkaTools(tmp_path_factory.mktemp("kafka-tools"))


# ---- helpers ------------------------------------------------------------------------------------

def report(request, name: str, seconds: float, detail: str = "") -> None:
    """A measured time: kept for later tests, in the junit properties, and on the terminal."""
    MEASURED[name] = seconds
    request.node.user_properties.append((name, f"{seconds:.3f}"))
    line = f"[quorum] {name}: {seconds:.2f} s {detail}".rstrip()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():  # shown even when the test passes
        reporter.write_line(line)


def poll(what: str, probe, timeout: float, cluster: RunnelCluster, interval: float = 0.05):
    """Calls probe() -> (done, seen) until done; returns (seen, seconds taken). Fails after
    `timeout` with the last thing seen and the tail of every node's log."""
    t0 = time.monotonic()
    while True:
        done, seen = probe()
        elapsed = time.monotonic() - t0
        if done:
            return seen, elapsed
        if elapsed > timeout:
            raise AssertionError(f"{what}: not within {timeout:.1f} s\nlast seen:\n{seen}\n{cluster.logs()}")
        time.sleep(interval)


def describe_all(cluster: RunnelCluster, ids: list[int]) -> dict:
    """DescribeQuorum through each node's CONTROLLER port, in parallel: {id: QuorumView or why
    not}. (The PLAINTEXT port opens only once the node is unfenced as a broker.)"""
    with ThreadPoolExecutor(len(ids)) as ex:
        return dict(zip(ids, ex.map(lambda i: try_describe(cluster[i].host, cluster[i].controller_port, 1.5), ids)))


def show(views: dict) -> str:
    def one(v):
        if not isinstance(v, QuorumView):
            return v
        rows = ", ".join(f"{r.replica_id}@{r.log_end_offset}" for r in v.voters)
        return (f"error={v.error} {v.message or ''} leader={v.leader_id} epoch={v.leader_epoch} "
                f"hw={v.high_watermark} voters=[{rows}]")
    return "\n".join(f"  node {i}: {one(v)}" for i, v in views.items())


def agreement(cluster: RunnelCluster, ids: list[int], accept=lambda v: True):
    """Probe: every node of `ids` answers DescribeQuorum (on its CONTROLLER port) without error,
    all name the same leader and epoch, and accept(view) holds for each answer."""
    def probe():
        views = describe_all(cluster, ids)
        good = [v for v in views.values() if isinstance(v, QuorumView) and v.ok and accept(v)]
        if len(good) == len(ids) and len({(v.leader_id, v.leader_epoch) for v in good}) == 1:
            return True, good[0]
        return False, show(views)
    return probe


def caught_up(ids: list[int]):
    """accept() for agreement: every voter of `ids` has the leader's log end offset, and the
    high watermark is there too."""
    def accept(v: QuorumView) -> bool:
        leo = {r.replica_id: r.log_end_offset for r in v.voters}
        end = leo.get(v.leader_id, -1)
        return end >= 1 and v.high_watermark == end and all(leo.get(i) == end for i in ids)
    return accept


def wait_stable(cluster: RunnelCluster, ids: list[int] | None = None, timeout: float = FORMATION_S) -> QuorumView:
    """One leader named by every node of `ids`, whose logs all end where the leader's does."""
    ids = ids or cluster.ids
    view, _ = poll(f"nodes {ids} agree on one leader and are caught up",
                   agreement(cluster, ids, lambda v: v.voter_ids() == cluster.ids and caught_up(ids)(v)),
                   timeout, cluster)
    return view


def new_leader(cluster: RunnelCluster, survivors: list[int], old: QuorumView, what: str,
               timeout: float = FAILOVER_S) -> tuple[QuorumView, float]:
    """Waits until every survivor names one leader among the survivors in an epoch above `old`'s."""
    return poll(f"{what}: survivors {survivors} name a new leader above epoch {old.leader_epoch}",
                agreement(cluster, survivors,
                          lambda v: v.leader_id in survivors and v.leader_epoch > old.leader_epoch),
                timeout, cluster, interval=0.02)


def time_to_election(cluster: RunnelCluster, candidates: list[int], old: QuorumView, t0: float,
                     timeout: float = FAILOVER_S) -> tuple[int, float]:
    """(node, seconds since t0) of the first candidate whose quorum-state file names itself
    leader of an epoch above `old`'s: a new leader writes that before it announces itself, so
    this times the election to a few ms. (DescribeQuorum is no clock for it: a node that still
    forwards to a leader that is going away answers only 100-250 ms later.) Callers then check
    that the survivors report the leader through DescribeQuorum."""
    while True:
        for i in candidates:
            qs = cluster[i].quorum_state()
            if qs is not None and qs.get("leaderId") == i and qs.get("leaderEpoch", -1) > old.leader_epoch:
                return i, time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            states = {i: cluster[i].quorum_state() for i in candidates}
            raise AssertionError(f"none of {candidates} recorded itself leader above epoch {old.leader_epoch} "
                                 f"within {timeout:.1f} s: {states}\n{cluster.logs()}")
        time.sleep(0.003)


def tool_status(tools: KafkaTools, cluster: RunnelCluster, ids: list[int]) -> dict:
    """describe --status through each node's PLAINTEXT port, in parallel: {id: ToolRun}."""
    with ThreadPoolExecutor(len(ids)) as ex:
        runs = ex.map(lambda i: tools.metadata_quorum("status", bootstrap_server=cluster[i].bootstrap), ids)
        return dict(zip(ids, runs))


def tool_agreement(tools: KafkaTools, cluster: RunnelCluster, ids: list[int], accept):
    """Probe: `describe --status` succeeds through every node of `ids`, all print the same
    LeaderId and LeaderEpoch, and accept(status) holds for each."""
    def probe():
        runs = tool_status(tools, cluster, ids)
        st = {i: parse_status(r.stdout) if r.rc == 0 else None for i, r in runs.items()}
        if all(s is not None and accept(s) for s in st.values()) and \
                len({(s.get("LeaderId"), s.get("LeaderEpoch")) for s in st.values()}) == 1:
            return True, st[ids[0]]
        return False, "\n".join(str(r) for r in runs.values())
    return probe


def replication_caught_up(tools: KafkaTools, cluster: RunnelCluster, via: int, leader: int, ids: list[int]):
    """Probe: `describe --replication` through node `via` lists the voters `ids`, the leader's row
    says Leader, the others Follower, every LogEndOffset is the leader's and every Lag 0."""
    def probe():
        run = tools.metadata_quorum("replication", bootstrap_server=cluster[via].bootstrap)
        rows = {r["NodeId"]: r for r in parse_replication(run.stdout)} if run.rc == 0 else {}
        ok = (sorted(rows) == sorted(ids)
              and all(r["Status"] == ("Leader" if i == leader else "Follower") for i, r in rows.items())
              and all(r["Lag"] == 0 and r["LogEndOffset"] == rows[leader]["LogEndOffset"] for r in rows.values()))
        return ok, (rows if ok else str(run))
    return probe


def claims_leadership(cluster: RunnelCluster, node_id: int) -> str | None:
    """What makes `node_id` look like a leader right now (DescribeQuorum on either of its ports
    answering without error and naming itself), or None."""
    n = cluster[node_id]
    for name, port in (("PLAINTEXT", n.port), ("CONTROLLER", n.controller_port)):
        v = try_describe(n.host, port, 1.0)
        if isinstance(v, QuorumView) and v.ok and v.leader_id == node_id:
            return f"{name}: leader={v.leader_id} epoch={v.leader_epoch} hw={v.high_watermark}"
    return None


def records_of(batches) -> list[tuple]:
    """(offset, epoch, control, key, value) per record, over a node's batches."""
    return [(off, b.leader_epoch, b.is_control, key, value) for b in batches for off, key, value in b.records]


# ---- tests --------------------------------------------------------------------------------------

def test_three_nodes_elect_one_leader_and_replicate(request, make_cluster, tools):
    c = make_cluster(3)
    t0 = time.monotonic()
    c.start(wait=False)
    view, _ = poll("every node names the same leader (one of 1..3), epoch >= 1, high watermark >= 1, "
                   "voters [1, 2, 3]",
                   agreement(c, c.ids, lambda v: v.leader_id in c.ids and v.leader_epoch >= 1
                             and v.high_watermark >= 1 and v.voter_ids() == c.ids),
                   FORMATION_S - (time.monotonic() - t0), c)
    report(request, "3-node quorum formed", time.monotonic() - t0,
           f"(leader {view.leader_id}, epoch {view.leader_epoch})")
    c.wait_ready()
    report(request, "3 nodes unfenced, serving clients", time.monotonic() - t0)

    status, _ = poll("kafka-metadata-quorum describe --status through each node's PLAINTEXT port agrees",
                     tool_agreement(tools, c, c.ids, lambda s: s.get("LeaderId") in c.ids
                                    and s.get("LeaderEpoch", 0) >= 1 and s.get("HighWatermark", 0) >= 1
                                    and s.get("CurrentVoters") == c.ids),
                     TOOL_S, c, interval=0.5)
    assert status["LeaderEpoch"] >= view.leader_epoch and status["ClusterId"] == c.cluster_id, status

    leader = status["LeaderId"]
    rows, took = poll("describe --replication: three voter rows, all at the leader's log end offset (lag 0)",
                      replication_caught_up(tools, c, c.ids[0], leader, c.ids), CATCH_UP_S, c, interval=0.3)
    report(request, "followers caught up (tool)", took, str({i: r["LogEndOffset"] for i, r in rows.items()}))


def test_an_idle_quorum_appends_no_op_records(make_cluster):
    """metadata.max.idle.interval.ms (500 ms by default): with nothing else to write, the active
    controller appends a NoOpRecord, so the committed offset of an idle cluster keeps moving (as
    Kafka's does) and every node follows it."""
    c = make_cluster(3)
    c.start()
    view = wait_stable(c)
    time.sleep(2.5)
    later = wait_stable(c)
    assert later.leader_id == view.leader_id
    assert later.high_watermark >= view.high_watermark + 3, (view.high_watermark, later.high_watermark)


def test_describe_quorum_with_bootstrap_controller(make_cluster, tools):
    """kafka-metadata-quorum --bootstrap-controller: Kafka's admin client talks to the CONTROLLER
    listener directly (ApiVersions, DescribeCluster with EndpointType 2 to find the controllers,
    then DescribeQuorum)."""
    c = make_cluster(3)
    c.start()
    view = wait_stable(c)
    for target_ in (c[1].bootstrap_controller, c.bootstrap_controllers):
        run = tools.metadata_quorum("status", bootstrap_controller=target_)
        if run.rc != 0 and "MismatchedEndpointTypeException" in run.stderr:
            pytest.xfail("known gap: DescribeCluster with EndpointType 2 (CONTROLLER) on the controller listener "
                         "answers MISMATCHED_ENDPOINT_TYPE 'The request was sent to an endpoint of type BROKER, "
                         "but we wanted an endpoint of type CONTROLLER' (handlers/describe_cluster.cc), so the "
                         "admin client never gets to DescribeQuorum")
        assert run.rc == 0, f"{run}\n{c.logs()}"
        st = parse_status(run.stdout)
        assert st.get("LeaderId") == view.leader_id and st.get("LeaderEpoch", -1) >= view.leader_epoch \
            and st.get("CurrentVoters") == c.ids, run
    run = tools.metadata_quorum("replication", bootstrap_controller=c[2].bootstrap_controller)
    assert run.rc == 0 and sorted(r["NodeId"] for r in parse_replication(run.stdout)) == c.ids, run


def test_logs_match_across_nodes_after_sigterm(request, make_cluster, tools):
    """Log matching on disk: after three leaderships and a clean stop, every node's metadata log
    is a prefix of the longest one, batch for batch, and holds everything up to the last high
    watermark the tool reported."""
    c = make_cluster(3)
    c.start()
    view = wait_stable(c)
    for _ in range(2):  # two more epochs: the resigning leader comes back as a follower
        old = view
        c[old.leader_id].sigterm()
        assert c[old.leader_id].wait_exit() == 0, c[old.leader_id].log_tail()
        new_leader(c, [i for i in c.ids if i != old.leader_id], old, "graceful resignation")
        c[old.leader_id].launch()  # back in the quorum; serving clients again is not this test's
        view = wait_stable(c, timeout=CATCH_UP_S)
        assert view.leader_epoch > old.leader_epoch

    status, _ = poll("describe --status through the leader",
                     tool_agreement(tools, c, [view.leader_id], lambda s: s.get("HighWatermark", 0) >= 1),
                     TOOL_S, c, interval=0.5)
    hw = status["HighWatermark"]
    codes = c.stop_all()
    assert all(code == 0 for code in codes.values()), f"exit codes {codes}\n{c.logs()}"

    logs = {}
    for i in c.ids:
        seg = c[i].segment
        assert seg.exists(), f"node {i} has no {seg}: " + str(sorted(p.name for p in c[i].log_dir.rglob('*')))
        batches, used, size = read_batches(seg)
        assert used == size, f"node {i}: {size - used} bytes after the last whole batch of {seg} after a clean stop"
        bad = [b for b in batches if not b.crc_ok]
        assert not bad, f"node {i}: batches with a bad CRC: {bad}"
        logs[i] = batches

    # Kafka reads the same batches, each valid.
    dump = tools.dump_log_segments([c[i].segment for i in c.ids])
    assert dump.rc == 0, str(dump)
    dumped = parse_dump(dump.stdout)
    for i in c.ids:
        assert dumped.get(str(c[i].segment)) == [b.header() + (True,) for b in logs[i]], \
            f"node {i}: DumpLogSegments disagrees with the parsed batches\n{dump}"

    longest = max(logs.values(), key=lambda bs: bs[-1].last_offset if bs else -1)
    reencoded = {}  # node -> how its batches differ from the longest log's, records being the same
    table = "\n".join(f"  node {i}: " + " ".join(f"[{b.base_offset}-{b.last_offset} e{b.leader_epoch} "
                                                   f"crc{b.crc:08x}]" for b in bs) for i, bs in logs.items())
    for i, bs in logs.items():
        end = bs[-1].last_offset + 1 if bs else 0
        assert end >= hw, f"node {i} ends at {end}, below the high watermark {hw} the tool reported\n{table}"
        recs, ref = records_of(bs), records_of(longest)
        assert recs == ref[:len(recs)], f"node {i}'s records are not a prefix of the longest log\n{table}"
        if [b.header() for b in bs] != [b.header() for b in longest[:len(bs)]]:
            same_bounds = [b.header()[:4] for b in bs] == [b.header()[:4] for b in longest[:len(bs)]]
            reencoded[i] = "CRCs" if same_bounds else "batch bounds"

    # Every epoch starts with its leader's LEADER_CHANGE control record; epochs only grow.
    recs = records_of(longest)
    epochs = [r[1] for r in recs]
    assert epochs == sorted(epochs), table
    firsts = {}
    for r in recs:
        firsts.setdefault(r[1], r)
    assert len(firsts) >= 3, f"expected at least three leader epochs in the log\n{table}"
    assert all(r[2] and r[3] == LEADER_CHANGE_KEY for r in firsts.values()), \
        f"an epoch does not start with a LEADER_CHANGE control record\n{table}"
    for i in c.ids:
        qs = c[i].quorum_state()
        assert qs is not None and qs["leaderEpoch"] >= (logs[i][-1].leader_epoch if logs[i] else 0), (i, qs)
    print(f"high watermark {hw}; logs:\n{table}")
    if reencoded:
        # Kafka's followers append the leader's batches as they came: the copies are the same bytes.
        pytest.xfail(f"known broker defect: the nodes hold the same records, but their batches differ ({reencoded}): "
                     "every node encodes the entries anew when it persists them, with its own clock as "
                     "CreateTime (quorum_persist.cc: log_->append(files_, entries, wall_ms())) and its own "
                     f"grouping into batches, so no two copies are byte-identical\n{table}")


def test_kill9_leader_then_rejoin(request, make_cluster, tools):
    c = make_cluster(3)
    c.start()
    old = wait_stable(c)
    survivors = [i for i in c.ids if i != old.leader_id]
    with QuorumWatch(c) as watch:
        t0 = time.monotonic()
        c[old.leader_id].kill9()
        elected_node, elected = time_to_election(c, survivors, old, t0)
        view, _ = new_leader(c, survivors, old, f"kill -9 of leader {old.leader_id}")
        named = time.monotonic() - t0
        report(request, KILL9_ELECTED, elected, f"(leader {old.leader_id} epoch {old.leader_epoch} -> "
               f"leader {elected_node})")
        report(request, "kill -9 of the leader: both survivors name the new leader", named,
               f"(leader {view.leader_id} epoch {view.leader_epoch})")
        assert named <= FAILOVER_S
        # The survivors' reconnects to the dead leader are refused (nothing listens on its port),
        # so they stand at once instead of after the 2 s fetch timeout (Replica::peer_unreachable).
        assert elected < FETCH_TIMEOUT_S / 2, f"kill -9 election took {elected:.2f} s\n{c.logs()}"

        status, _ = poll("describe --status through both survivors names the new leader",
                         tool_agreement(tools, c, survivors, lambda s: s.get("LeaderId") == view.leader_id
                                        and s.get("LeaderEpoch", -1) >= view.leader_epoch),
                         TOOL_S, c, interval=0.5)

        t1 = time.monotonic()
        c[old.leader_id].launch()
        rows, _ = poll(f"restarted node {old.leader_id} is a Follower at lag 0 (describe --replication)",
                       replication_caught_up(tools, c, view.leader_id, view.leader_id, c.ids),
                       CATCH_UP_S, c, interval=0.3)
        report(request, "killed leader restarted and caught up", time.monotonic() - t1)
        c[old.leader_id].wait_ready(CATCH_UP_S)
        report(request, "killed leader serves clients again (unfenced)", time.monotonic() - t1)
        after = wait_stable(c)
        assert after.leader_id != old.leader_id or after.leader_epoch > view.leader_epoch
        time.sleep(0.3)  # a few more samples of the settled quorum
    backwards = watch.epochs_backwards()
    assert not backwards, "an epoch went backwards:\n" + "\n".join(backwards)
    two = {e: ls for e, ls in watch.leaders_per_epoch().items() if len(ls) > 1}
    assert not two, f"two leaders named for one epoch: {two}"
    qs = c[old.leader_id].quorum_state()
    assert qs is not None and qs["leaderEpoch"] >= view.leader_epoch, qs


def test_sigterm_leader_hands_over_faster_than_a_crash(request, make_cluster):
    """A leader stopped with SIGTERM resigns (EndQuorumEpoch) and a successor stands at once,
    without waiting for the fetch timeout."""
    c = make_cluster(3)
    c.start()
    old = wait_stable(c)
    survivors = [i for i in c.ids if i != old.leader_id]
    t0 = time.monotonic()
    c[old.leader_id].sigterm()
    elected_node, graceful = time_to_election(c, survivors, old, t0)
    view, _ = new_leader(c, survivors, old, f"SIGTERM of leader {old.leader_id}")
    named = time.monotonic() - t0
    report(request, "SIGTERM of the leader: new leader elected", graceful,
           f"(leader {old.leader_id} epoch {old.leader_epoch} -> leader {elected_node})")
    report(request, "SIGTERM of the leader: both survivors name the new leader", named,
           f"(leader {view.leader_id} epoch {view.leader_epoch})")
    assert c[old.leader_id].wait_exit() == 0, c[old.leader_id].log_tail()

    crash = MEASURED.get(KILL9_ELECTED)
    if crash is None:  # run alone: measure a crash on this cluster
        c[old.leader_id].launch()
        before = wait_stable(c, timeout=CATCH_UP_S)
        t1 = time.monotonic()
        c[before.leader_id].kill9()
        _, crash = time_to_election(c, [i for i in c.ids if i != before.leader_id], before, t1)
        report(request, KILL9_ELECTED, crash)
    # Both are well below the fetch timeout: SIGTERM by EndQuorumEpoch, kill -9 by the refused
    # reconnects to the dead leader's port.
    assert graceful < FETCH_TIMEOUT_S / 2, f"SIGTERM election {graceful:.2f} s (kill -9: {crash:.2f} s)"


def test_majority_loss_leader_resigns_then_recovers(request, make_cluster):
    c = make_cluster(3)
    c.start()
    old = wait_stable(c)
    alone = old.leader_id
    followers = [i for i in c.ids if i != alone]
    t0 = time.monotonic()
    for i in followers:
        c[i].kill9()

    def probe():
        claim = claims_leadership(c, alone)
        return claim is None, claim
    _, _ = poll(f"node {alone}, alone, stops calling itself leader (check-quorum)", probe,
                CHECK_QUORUM_S + CHECK_QUORUM_SLACK_S, c, interval=0.05)
    resigned = time.monotonic() - t0
    report(request, "lone leader resigned after losing the majority", resigned)
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:  # and it does not come back as leader on its own
        claim = claims_leadership(c, alone)
        assert claim is None, f"node {alone} claims leadership again without a majority: {claim}\n{c.logs()}"
        time.sleep(0.1)
    assert c[alone].alive(), c[alone].log_tail()

    t1 = time.monotonic()
    c[followers[0]].launch()
    elected_node, elected = time_to_election(c, [alone, followers[0]], old, t1)
    report(request, "majority back: leader elected after the restart", elected, f"(leader {elected_node})")
    view, _ = poll(f"after restarting node {followers[0]}, nodes {[alone, followers[0]]} name a leader above "
                   f"epoch {old.leader_epoch}",
                   agreement(c, [alone, followers[0]], lambda v: v.leader_id in (alone, followers[0])
                             and v.leader_epoch > old.leader_epoch),
                   FAILOVER_S, c)
    report(request, "majority back: both nodes name the leader", time.monotonic() - t1,
           f"(leader {view.leader_id}, epoch {view.leader_epoch})")
    c[followers[0]].wait_ready(CATCH_UP_S)  # and it serves clients again


def test_five_nodes_survive_losing_the_leader_and_another(request, make_cluster):
    c = make_cluster(5)
    c.start()
    old = wait_stable(c)
    other = min(i for i in c.ids if i != old.leader_id)
    rest = [i for i in c.ids if i not in (old.leader_id, other)]
    t0 = time.monotonic()
    c[old.leader_id].kill9()
    c[other].kill9()
    elected_node, elected = time_to_election(c, rest, old, t0)
    view, _ = new_leader(c, rest, old, f"kill -9 of leader {old.leader_id} and node {other}")
    report(request, "5 nodes, kill -9 of the leader and a follower: new leader elected", elected,
           f"(leader {old.leader_id} -> {elected_node})")
    report(request, "5 nodes, kill -9 of the leader and a follower: the three survivors name it",
           time.monotonic() - t0, f"(leader {view.leader_id}, epoch {view.leader_epoch})")
    # The new leader commits in its epoch with three of five.
    poll("the three survivors are caught up with the new leader",
         agreement(c, rest, lambda v: v.leader_epoch == view.leader_epoch and caught_up(rest)(v)), CATCH_UP_S, c)


def test_node_of_another_cluster_cannot_join(request, make_cluster, tools):
    """Node 3 is formatted with another cluster id but configured with the same voters: the
    quorum of nodes 1 and 2 goes on under the original id, node 3 never receives its records,
    never leads and never serves clients, and it says why (INCONSISTENT_CLUSTER_ID) or refuses
    to run."""
    c = make_cluster(3)
    other_id = random_uuid(c.binary)
    c[3].format(other_id)
    c.format()  # nodes 1 and 2 with the cluster's id
    c[3].expect_exit = True
    c[3].launch()  # it may refuse to start, or never be unfenced
    c.start([1, 2])
    view, _ = poll("nodes 1 and 2 agree on a leader among themselves",
                   agreement(c, [1, 2], lambda v: v.leader_id in (1, 2) and v.high_watermark >= 1
                             and v.voter_ids() == c.ids),
                   FORMATION_S, c)
    status, _ = poll("describe --status through nodes 1 and 2 shows the original cluster",
                     tool_agreement(tools, c, [1, 2], lambda s: s.get("ClusterId") == c.cluster_id
                                    and s.get("LeaderId") in (1, 2) and s.get("CurrentVoters") == c.ids),
                     TOOL_S, c, interval=0.5)
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        if c[3].alive():
            claim = claims_leadership(c, 3)
            assert claim is None, f"node 3 of another cluster claims leadership: {claim}\n{c.logs()}"
        time.sleep(0.2)
    final = describe_all(c, [view.leader_id])[view.leader_id]
    assert isinstance(final, QuorumView) and final.ok, show({view.leader_id: final})
    leo = {r.replica_id: r.log_end_offset for r in final.voters}
    assert leo.get(3, -1) < leo[view.leader_id], f"node 3 counted as a follower: {show({view.leader_id: final})}"
    if c[3].segment.exists():
        batches, _, _ = read_batches(c[3].segment)
        assert not batches, f"node 3 took the other cluster's records: {batches}"
    if c[3].alive():  # never registered, never unfenced: its client listener stays shut
        with pytest.raises(TimeoutError):
            c[3].wait_ready(timeout=2.0)
    log = c[3].log_text()
    if not c[3].alive():
        assert other_id in log or "INCONSISTENT_CLUSTER_ID" in log, c[3].log_tail()
    elif "INCONSISTENT_CLUSTER_ID" not in log:
        # Kafka's KafkaRaftClient logs "Unexpected error INCONSISTENT_CLUSTER_ID in VOTE response".
        pytest.xfail("known broker defect: node 3, formatted for another cluster, runs on and never joins, and "
                     "no line of its log (nor of nodes 1 and 2) says why (no INCONSISTENT_CLUSTER_ID)\n"
                     + c[3].log_tail())


def metadata_dir(node) -> "Path":
    return node.log_dir / "__cluster_metadata-0"


def snapshot_files(node) -> list[str]:
    return sorted(p.name for p in metadata_dir(node).glob("*.checkpoint"))


def segment_files(node) -> list[str]:
    return sorted(p.name for p in metadata_dir(node).glob("*.log"))


def sees_topics(node, names: list[str]):
    """probe: the node's own Metadata answer lists every topic of `names`."""
    from itest.cluster_ops import ClusterMeta, try_metadata

    def probe():
        m = try_metadata(node.host, node.port, names)
        ok = isinstance(m, ClusterMeta) and all(
            (t := m.topic(n)) is not None and t.error == 0 and t.partitions for n in names)
        return ok, m
    return probe


def test_snapshots_trim_the_log_and_catch_up_a_node_that_was_down(request, make_cluster):
    """With metadata.log.max.record.bytes.between.snapshots small, topic creations make the nodes
    write snapshots (`<end offset>-<epoch>.checkpoint`) and roll their segment past the old one.
    A node that was down meanwhile is behind the leader's log start when it comes back: it catches
    up through FetchSnapshot and then serves every topic; a node restarted from snapshot + log
    serves every topic too."""
    from confluent_kafka.admin import AdminClient, NewTopic

    c = make_cluster(3, {"metadata.log.max.record.bytes.between.snapshots": "1024"})
    c.start()
    view = wait_stable(c)
    down = next(i for i in c.ids if i != view.leader_id)
    up = [i for i in c.ids if i != down]
    c[down].sigterm()
    assert c[down].wait_exit() == 0

    names = [f"snap-{k:03d}" for k in range(100)]
    admin = AdminClient({"bootstrap.servers": c[view.leader_id].bootstrap})
    t0 = time.monotonic()
    for k in range(0, len(names), 10):
        futures = admin.create_topics([NewTopic(n, 1, 1) for n in names[k:k + 10]], request_timeout=30)
        for f in futures.values():
            f.result(30)
    report(request, f"{len(names)} topics created with small snapshot intervals", time.monotonic() - t0)

    def trimmed():
        files = {i: (snapshot_files(c[i]), segment_files(c[i])) for i in up}
        ok = all(snaps and "00000000000000000000.log" not in segs and len(snaps) <= 2 for snaps, segs in files.values())
        return ok, files
    files, _ = poll("the running nodes wrote snapshots and rolled their segment", trimmed, CATCH_UP_S, c)

    t1 = time.monotonic()
    c[down].launch()
    c[down].wait_ready(60)
    poll(f"node {down}, down while the log was trimmed, serves every topic", sees_topics(c[down], names),
         CATCH_UP_S, c, interval=0.2)
    report(request, "a node behind the log start caught up through FetchSnapshot", time.monotonic() - t1)
    assert "installed the leader's snapshot" in c[down].log_text(), c[down].log_tail()
    assert snapshot_files(c[down]), "the installed snapshot is on the node's disk"

    # A restart from snapshot + log: every topic again.
    other = next(i for i in up if i != view.leader_id)
    c[other].sigterm()
    assert c[other].wait_exit() == 0
    c[other].launch()
    c[other].wait_ready(60)
    poll(f"node {other}, restarted from its snapshot, serves every topic", sees_topics(c[other], names),
         CATCH_UP_S, c, interval=0.2)
    assert "loaded snapshot" in c[other].log_text(), c[other].log_tail()
