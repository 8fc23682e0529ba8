"""pytest fixtures: a broker process per test module (or per test for crash tests).

The broker under test is Runnel's binary (--broker-bin or RUNNEL_BROKER_BIN; default
build/bin/runnel-broker) unless RUNNEL_ITEST_TARGET=kafka, which runs a real Apache Kafka via
bench/kafka/run-kafka.sh instead. Each broker gets a free loopback port and a fresh data dir.
"""

import os
import re
from pathlib import Path

import pytest

from itest.broker import REPO, BrokerProcess


def pytest_addoption(parser):
    parser.addoption("--broker-bin", default=os.environ.get(
        "RUNNEL_BROKER_BIN", str(REPO / "build" / "bin" / "runnel-broker")),
        help="path to the runnel-broker binary")


class BrokerFactory:
    """Makes brokers on demand and guarantees they are gone when the scope ends. A broker that
    died by itself (not via kill9/stop) fails the test: a crash on bad input is a bug."""

    def __init__(self, base: Path, binary: str):
        self.base = base
        self.binary = binary
        self.brokers: list[BrokerProcess] = []

    def __call__(self, overrides: dict[str, str] | None = None, start: bool = True):
        b = BrokerProcess(self.base / f"broker{len(self.brokers)}", self.binary, overrides)
        self.brokers.append(b)
        if start:
            b.start()
        return b

    def close(self) -> list[str]:
        problems = []
        for b in self.brokers:
            if b.proc is not None and not b.alive():
                problems.append(f"broker exited unexpectedly with {b.proc.returncode}\n"
                                + b.log_tail())
            b.stop()
        return problems


@pytest.fixture(scope="module")
def module_brokers(request, tmp_path_factory):
    f = BrokerFactory(tmp_path_factory.mktemp(request.module.__name__),
                      request.config.getoption("--broker-bin"))
    yield f
    problems = f.close()
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture(scope="module")
def broker(module_brokers) -> BrokerProcess:
    """One running broker shared by all tests of a module."""
    return module_brokers()


@pytest.fixture
def broker_factory(request, tmp_path):
    """Fresh brokers for a single test (crash/restart tests)."""
    f = BrokerFactory(tmp_path, request.config.getoption("--broker-bin"))
    yield f
    problems = f.close()
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture
def topic_name(request) -> str:
    """A topic name unique to the test (legal characters only)."""
    return re.sub(r"[^a-zA-Z0-9._-]", "_", request.node.name)[:200]


@pytest.fixture(autouse=True)
def broker_still_alive(request):
    """After every test that used the shared broker, it must still be running."""
    yield
    if "broker" in request.fixturenames:
        b = request.getfixturevalue("broker")
        assert b.alive(), "broker died during the test\n" + b.log_tail()
