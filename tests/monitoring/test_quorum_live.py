"""The quorum's dashboard panels and alert rules on a real three-voter metadata quorum
(quorum_nodes.py), scraped by a real Prometheus every second:

  - every expression that reads a runnel_quorum_* metric evaluates and returns series, and each
    such metric is in some node's live /metrics (follower_* only on the leader);
  - /v1/cluster agrees on every node, the leader reports each voter's lag, and every node lists
    the three brokers of the committed metadata image, unfenced;
  - with a healthy quorum RunnelNoActiveController and RunnelQuorumMemberFailed are quiet;
  - after two of the three nodes are killed, RunnelNoActiveController goes pending and fires.

Prometheus loads a copy of the rules in which the quorum group's `for:` is 5 s instead of 1 m,
so that firing is reached in seconds; the expressions are the chart's own.
"""

import time
import urllib.request

import pytest
import yaml

from exporters import QUORUM_PREFIX, free_port
from prometheus import Prometheus
from promql_sources import RULES, all_expressions
from quorum_nodes import Quorum

JOB = "runnel-quorum"
SHORT_FOR = "5s"
QUORUM_EXPRESSIONS = [e for e in all_expressions() if any(m.startswith(QUORUM_PREFIX) for m in e.metrics)]


def rules_with_short_for(workdir):
    """The chart's rule files, the quorum group's `for:` shortened; other groups as they are."""
    out = []
    for path in sorted(RULES.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for group in doc["groups"]:
            if group["name"] == "runnel-quorum":
                for rule in group["rules"]:
                    rule["for"] = SHORT_FOR
        copy = workdir / path.name
        copy.write_text(yaml.safe_dump(doc, sort_keys=False))
        out.append(copy)
    return out


@pytest.fixture(scope="module")
def quorum(request, tmp_path_factory):
    work = tmp_path_factory.mktemp("quorum")
    q = Quorum(request.config.getoption("--broker-bin"), work)
    prom = None
    try:
        q.start()
        prom = Prometheus(work / "prometheus", free_port(), {JOB: [n.admin_target for n in q.nodes]},
                          rules_with_short_for(work))
        prom.wait_ready()
        prom.wait_targets_up([JOB])
        wait_until(prom, "count(runnel_quorum_role == 1) == 3", "every voter's role")
        wait_until(prom, "count(count_over_time(runnel_quorum_follower_lag_records[1m]) >= 3) == 3",
                   "the leader's view of its voters")
        yield {"quorum": q, "prometheus": prom}
    finally:
        if prom:
            prom.stop()
        q.stop()


def wait_until(prom: Prometheus, promql: str, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if prom.query(promql).get("data", {}).get("result"):
            return
        time.sleep(0.5)
    pytest.fail(f"Prometheus never saw {what}: {promql}")


def rules_by_name(prom) -> dict:
    groups = prom.api("rules")[1]["data"]["groups"]
    return {r["name"]: r for g in groups for r in g["rules"]}


def test_there_are_quorum_panels_and_rules():
    kinds = {e.kind for e in QUORUM_EXPRESSIONS}
    assert kinds == {"panel", "rule"}, kinds
    assert len(QUORUM_EXPRESSIONS) >= 12


def test_quorum_expressions_evaluate_and_return_series(quorum):
    failures = quorum["prometheus"].failures(QUORUM_EXPRESSIONS, need_series=lambda e: e.kind == "panel")
    assert not failures, "\n".join(failures)


def test_every_quorum_metric_is_in_a_live_scrape(quorum):
    live = set()
    for n in quorum["quorum"].nodes:
        with urllib.request.urlopen(f"http://{n.admin_target}/metrics", timeout=10) as r:
            live |= {line.split("{")[0].split(" ")[0] for line in r.read().decode().splitlines()
                     if line.startswith(QUORUM_PREFIX)}
    referenced = {m for e in QUORUM_EXPRESSIONS for m in e.metrics if m.startswith(QUORUM_PREFIX)}
    assert referenced <= live, f"not in any node's /metrics: {sorted(referenced - live)}"


def test_v1_cluster_agrees_on_every_node(quorum):
    q = quorum["quorum"]
    leader = q.wait_for_leader(30)
    for n in q.nodes:
        c = n.cluster()
        assert c["cluster_id"] == q.cluster_id and c["node_id"] == n.node_id
        assert c["active_controller"] == leader.node_id
        assert [v["node_id"] for v in c["quorum"]["voters"]] == [1, 2, 3]
        assert [v["port"] for v in c["quorum"]["voters"]] == [m.controller_port for m in q.nodes]
        assert c["quorum"]["role"] == ("leader" if n is leader else "follower")
        assert c["quorum"]["failed"] is False
        assert c["quorum"]["voter"] is True and c["quorum"]["observers"] == []
    voters = leader.cluster()["quorum"]["voters"]
    assert all(v["lag"] is not None and v["lag"] >= 0 for v in voters), voters


def test_v1_cluster_lists_every_registered_broker(quorum):
    """Once the committed image has them: all three, unfenced, each node marking itself."""
    q = quorum["quorum"]
    deadline = time.monotonic() + 60
    while True:
        views = {n.node_id: n.cluster()["brokers"] for n in q.nodes}
        if all([(b["node_id"], b["state"]) for b in v] == [(1, "unfenced"), (2, "unfenced"), (3, "unfenced")]
               for v in views.values()):
            break
        assert time.monotonic() < deadline, views
        time.sleep(0.5)
    for node_id, brokers in views.items():
        assert [b["node_id"] for b in brokers if b["self"]] == [node_id]
        assert all(b["epoch"] is not None and b["endpoints"] for b in brokers), brokers


def test_healthy_quorum_alerts_are_quiet(quorum):
    prom = quorum["prometheus"]
    deadline = time.monotonic() + 20
    while True:
        rules = rules_by_name(prom)
        names = ("RunnelNoActiveController", "RunnelQuorumMemberFailed")
        if all(not rules[n]["lastEvaluation"].startswith("0001") for n in names) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    for name in names:
        assert rules[name]["health"] == "ok", rules[name]
    assert rules["RunnelQuorumMemberFailed"]["state"] == "inactive", rules["RunnelQuorumMemberFailed"]["alerts"]
    # Never firing. Pending only if an election really happened meanwhile (a starved machine can
    # miss a fetch timeout): then the epoch moved.
    r = rules["RunnelNoActiveController"]
    assert r["state"] != "firing", r["alerts"]
    if r["state"] == "pending":
        assert prom.query(f'changes(max(runnel_quorum_epoch{{job="{JOB}"}})[1m:1s]) > 0')["data"]["result"], r
    else:
        assert prom.query(f'sum(runnel_quorum_active_controller{{job="{JOB}"}}) == 1')["data"]["result"]


def test_no_active_controller_fires_when_two_of_three_are_gone(quorum):
    """Runs last: kills the leader and one follower."""
    q, prom = quorum["quorum"], quorum["prometheus"]
    leader = q.wait_for_leader(30)
    follower = next(n for n in q.nodes if n is not leader)
    survivor = next(n for n in q.nodes if n is not leader and n is not follower)
    leader.kill9()
    follower.kill9()
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r = rules_by_name(prom)["RunnelNoActiveController"]
        if not seen or seen[-1] != r["state"]:
            seen.append(r["state"])
        if r["state"] == "firing":
            assert r["alerts"][0]["labels"]["cluster_id"] == q.cluster_id
            assert r["alerts"][0]["labels"]["job"] == JOB
            break
        time.sleep(0.25)
    assert seen[-1] == "firing", f"RunnelNoActiveController went {seen}, never firing"
    assert "pending" in seen, seen
    c = survivor.cluster()
    assert c["active_controller"] is None, c["quorum"]
    assert c["quorum"]["role"] in ("unattached", "prospective", "candidate"), c["quorum"]
