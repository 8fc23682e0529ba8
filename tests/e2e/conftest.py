"""Session-scoped fixtures: one real control plane (scripts/kube-local) and one node agent for
the whole pytest session, plus log dumps when a test fails.

  kube        KubeCluster: .kubectl(*args), .apply(*dicts), .get(kind, name), .kubeconfig
  node_agent  NodeAgent running pods of image runnel:dev as --broker-bin (.pod_log, .logs)
  wait_for    kube_local.wait_for(condition, timeout, interval, what)
"""

import os

import pytest

from kube_local import REPO, KubeCluster, NodeAgent, wait_for  # noqa: F401 (re-exported)


def pytest_addoption(parser):
    parser.addoption("--broker-bin", default=os.environ.get(
        "RUNNEL_BROKER_BIN", str(REPO / "build" / "bin" / "runnel-broker")),
        help="binary run for pods of image runnel (any tag)")
    parser.addoption("--operator-bin", default=os.environ.get(
        "RUNNEL_OPERATOR_BIN", str(REPO / "build" / "bin" / "runnel-operator")),
        help="binary run for pods of image runnel-operator (any tag)")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, "rep_" + rep.when, rep)
    return rep


@pytest.fixture(scope="session")
def kube(tmp_path_factory):
    with KubeCluster.up(tmp_path_factory.mktemp("kube")) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def node_agent(kube, request):
    images = {"runnel": request.config.getoption("--broker-bin"),
              "runnel-operator": request.config.getoption("--operator-bin")}
    with NodeAgent(kube, kube.dir / "agent", images).running() as agent:
        yield agent


@pytest.fixture(autouse=True)
def _logs_on_failure(request):
    """Prints the agent's, the pods' and the control plane's log tails after a failed test."""
    yield
    rep = getattr(request.node, "rep_call", None)
    if rep is None or not rep.failed:
        return
    if "node_agent" in request.fixturenames:
        print("\n----- node agent and pod logs -----\n" + request.getfixturevalue("node_agent").logs())
    if "kube" in request.fixturenames:
        print("\n----- control plane logs -----\n" + request.getfixturevalue("kube").logs(15))
