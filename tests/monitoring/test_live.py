"""Every PromQL expression of the dashboards and alert rules, evaluated by a real Prometheus that
scrapes a real broker under client traffic (fixtures in conftest.py):

  - each expression parses and evaluates without error;
  - each metric name it references is in the live /metrics output of the exporter that owns it
    (or is one Prometheus makes itself, like `up`), so no panel is silently empty;
  - each broker panel and variable actually returns series;
  - the operator's names are in its metric contract and, when it can run here (see
    exporters.py), in its live /metrics, and its panels return series too;
  - Prometheus loaded every alert rule and evaluates it without error; none fires on a healthy
    broker, and RunnelBrokerDown goes pending once the broker is gone (last test).

The broker here is a lone node without a metadata quorum: the runnel_quorum_* panels and rules
are checked on a three-voter quorum by test_quorum_live.py.
"""

import re
import time
import urllib.request

import pytest

from exporters import OPERATOR_METRICS, OPERATOR_SERIES_ON_FIRST_EVENT, QUORUM_PREFIX, SYNTHETIC
from promql_sources import RULES, all_expressions, rule_expressions

EXPRESSIONS = all_expressions()
# Variables that legitimately have no values outside Kubernetes (no namespace label here).
MAY_BE_EMPTY_HERE = {"namespace"}


def scrape(target: str) -> str:
    with urllib.request.urlopen(f"http://{target}/metrics", timeout=10) as r:
        return r.read().decode()


def scrape_names(target: str) -> set[str]:
    """Names that have at least one sample (a # TYPE line alone makes an empty panel)."""
    return {re.match(r"[a-zA-Z_:][\w:]*", line).group(0)
            for line in scrape(target).splitlines() if line and not line.startswith("#")}


def owner(stack, metric: str):
    for e in (stack["operator"], stack["broker"]):
        if e.owns(metric):
            return e
    return None


def test_there_is_something_to_check():
    kinds = {e.kind for e in EXPRESSIONS}
    assert kinds == {"panel", "variable", "rule"}
    assert len(EXPRESSIONS) > 80, len(EXPRESSIONS)


def test_every_expression_evaluates(stack):
    failures = stack["prometheus"].failures(EXPRESSIONS)
    assert not failures, "\n".join(failures)


def test_every_broker_metric_is_in_the_live_scrape(stack):
    broker = stack["broker"]
    live = scrape_names(broker.target)
    checked, missing, unowned = set(), [], []
    for e in EXPRESSIONS:
        for m in e.metrics:
            if m in SYNTHETIC or m.startswith(QUORUM_PREFIX):  # test_quorum_live.py
                continue
            o = owner(stack, m)
            if o is None:
                unowned.append(f"{e.source}: {m}")
            elif o is broker:
                checked.add(m)
                if m not in live:
                    missing.append(f"{e.source}: {m}")
    assert not unowned, "metrics no exporter owns:\n" + "\n".join(unowned)
    assert not missing, "not in the broker's /metrics:\n" + "\n".join(sorted(set(missing)))
    assert len(checked) >= 30, sorted(checked)  # the dashboards really read the broker


def test_synthetic_series_exist_for_the_broker_job(stack):
    used = {m for e in EXPRESSIONS for m in e.metrics} & SYNTHETIC
    assert used, "no dashboard uses up{}?"
    for m in used:
        result = stack["prometheus"].query(f'{m}{{job="{stack["broker"].job}"}}')["data"]["result"]
        assert result, m


def test_operator_metrics(stack):
    op = stack["operator"]
    referenced = {m for e in EXPRESSIONS for m in e.metrics if op.owns(m)}
    assert referenced, "the operator dashboard references no operator metric"
    # Always: every name must be one the operator publishes.
    unknown = referenced - OPERATOR_METRICS
    assert not unknown, f"not in the operator's metric contract: {sorted(unknown)}"
    if op.skip_reason:
        pytest.skip(f"operator not running ({op.skip_reason}); names checked against its "
                    f"contract only: {sorted(referenced)}")
    live = scrape_names(op.target)
    must_have_samples = referenced - OPERATOR_SERIES_ON_FIRST_EVENT
    assert must_have_samples <= live, \
        f"no samples in the operator's /metrics: {sorted(must_have_samples - live)}"
    # prometheus-cpp leaves families without series out of /metrics entirely, so these are
    # checked against the contract only (above) until the operator creates them at zero.
    print("operator series that appear on first event only:",
          sorted((referenced & OPERATOR_SERIES_ON_FIRST_EVENT) - live))
    # Operator panels and variables must then return series too (the lazy ones may be empty).
    prom = stack["prometheus"]
    empty = []
    for e in EXPRESSIONS:
        if e.kind == "rule" or broker_only(e) or e.metrics & OPERATOR_SERIES_ON_FIRST_EVENT:
            continue
        if e.kind == "variable" and e.source.rsplit("$", 1)[1] in MAY_BE_EMPTY_HERE:
            continue
        if not prom.query(e.promql).get("data", {}).get("result"):
            empty.append(f"{e.source}: {e.promql}")
    assert not empty, "operator expressions without series:\n" + "\n".join(empty)


def broker_only(e) -> bool:
    """True when every series the expression reads comes from the broker (or is `up`)."""
    return not any(m.startswith("runnel_operator_") for m in e.metrics)


def quorum_only(e) -> bool:
    """Reads metadata quorum series, which a lone broker has not: test_quorum_live.py checks it."""
    return any(m.startswith(QUORUM_PREFIX) for m in e.metrics)


@pytest.mark.parametrize("kind", ["panel", "variable"])
def test_broker_panels_and_variables_return_series(stack, kind):
    prom = stack["prometheus"]
    empty = []
    for e in EXPRESSIONS:
        if e.kind != kind or not broker_only(e) or quorum_only(e):
            continue
        if kind == "variable" and e.source.rsplit("$", 1)[1] in MAY_BE_EMPTY_HERE:
            continue
        answer = prom.query(e.promql)
        if not answer.get("data", {}).get("result"):
            empty.append(f"{e.source}: {answer.get('error', '')} {e.promql}")
    assert not empty, "no series:\n" + "\n".join(empty)


def rules_by_name(prom) -> dict:
    groups = prom.api("rules")[1]["data"]["groups"]
    return {r["name"]: r for g in groups for r in g["rules"]}


def test_prometheus_loaded_and_evaluates_every_rule(stack):
    prom = stack["prometheus"]
    want = {e.source.rsplit("/", 1)[1] for p in sorted(RULES.glob("*.yaml"))
            for e in rule_expressions(p)}
    deadline = time.monotonic() + 20
    while True:
        loaded = rules_by_name(prom)
        # Never-evaluated rules report lastEvaluation 0001-01-01T00:00:00Z.
        evaluated = {n for n, r in loaded.items() if not r["lastEvaluation"].startswith("0001")}
        if want <= evaluated or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert want <= set(loaded), f"not loaded: {want - set(loaded)}"
    bad = {n: r.get("lastError") for n, r in loaded.items() if r["health"] != "ok"}
    assert not bad, bad
    # A healthy single broker: nothing about it may fire or be pending.
    quiet = ["RunnelBrokerDown", "RunnelOfflinePartitions", "RunnelUnderReplicatedPartitions",
             "RunnelProduceLatencyHigh"]
    if not stack["operator"].skip_reason:
        quiet += ["RunnelOperatorNoLeader", "RunnelOperatorReconcileFailing"]
    for name in quiet:
        assert loaded[name]["state"] == "inactive", (name, loaded[name]["alerts"])


def test_broker_down_alert_goes_pending_when_the_broker_stops(stack):
    """Runs last in this module: stops the broker."""
    prom, broker = stack["prometheus"], stack["broker"]
    stack["traffic"].stop()
    assert broker.broker.stop() == 0
    deadline = time.monotonic() + 30
    state = None
    while time.monotonic() < deadline:
        r = rules_by_name(prom)["RunnelBrokerDown"]
        state = r["state"]
        if state in ("pending", "firing"):
            assert r["alerts"][0]["labels"]["job"] == broker.job
            return
        time.sleep(0.5)
    pytest.fail(f"RunnelBrokerDown stayed {state} after the broker stopped")
