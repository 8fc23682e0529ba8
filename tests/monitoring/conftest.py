"""Fixtures for the live monitoring test: the exporters (a real broker, and the operator when it
can run), client traffic, and a real Prometheus scraping them every second with the project's
alert rules loaded."""

import time

import pytest

from exporters import BrokerExporter, OperatorExporter, default_binary, free_port
from prometheus import Prometheus
from promql_sources import RULES
from traffic import LIVE_GROUP, STOPPED_GROUP, Traffic


def pytest_addoption(parser):
    parser.addoption("--broker-bin", default=default_binary("runnel-broker"),
                     help="path to the runnel-broker binary")
    parser.addoption("--operator-bin", default=default_binary("runnel-operator"),
                     help="path to the runnel-operator binary (used when present)")


@pytest.fixture(scope="module")
def stack(request, tmp_path_factory):
    """Everything running, with at least a few seconds of scraped traffic in Prometheus."""
    work = tmp_path_factory.mktemp("monitoring")
    broker = BrokerExporter(request.config.getoption("--broker-bin"))
    operator = OperatorExporter(request.config.getoption("--operator-bin"))
    exporters = [broker, operator]
    traffic = None
    prom = None
    try:
        for e in exporters:
            e.start(work)
        traffic = Traffic(broker.broker.bootstrap)
        traffic.setup()
        traffic.start()
        running = [e for e in exporters if e.target]
        prom = Prometheus(work / "prometheus", free_port(), {e.job: e.target for e in running},
                          sorted(RULES.glob("*.yaml")))
        prom.wait_ready()
        prom.wait_targets_up([e.job for e in running])
        wait_for_data(prom)
        yield {"broker": broker, "operator": operator, "prometheus": prom, "traffic": traffic}
    finally:
        if traffic:
            traffic.stop()
        if prom:
            prom.stop()
        for e in exporters:
            e.stop()
    assert not traffic.errors, traffic.errors


def wait_for_data(prom: Prometheus, timeout: float = 60) -> None:
    """Until rates, lag of both groups and the error counter are all visible."""
    checks = [
        "sum(rate(runnel_topic_records_in_total[1m])) > 0",
        "sum(rate(runnel_topic_bytes_out_total[1m])) > 0",
        f'sum(runnel_consumer_group_lag{{group="{STOPPED_GROUP}"}}) > 0',
        f'sum(runnel_consumer_group_members{{group="{LIVE_GROUP}"}}) > 0',
        'runnel_requests_total{error="TOPIC_ALREADY_EXISTS"}',
        "sum(rate(runnel_storage_fsync_seconds_count[1m])) > 0",
        "count(count_over_time(runnel_consumer_group_lag[1m]) >= 3) > 0",
    ]
    deadline = time.monotonic() + timeout
    pending = list(checks)
    while pending and time.monotonic() < deadline:
        pending = [c for c in pending if not prom.query(c).get("data", {}).get("result")]
        time.sleep(0.5)
    assert not pending, f"Prometheus never saw: {pending}"
