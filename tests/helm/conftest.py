"""Fixtures of tests/helm.

  helm       Helm without a cluster (lint, template)
  kube       a real control plane (scripts/kube-local, via tests/e2e/kube_local.py), one per file
  kube_helm  Helm pointed at `kube`
  node_agent tests/e2e/node_agent.py with the chart's images mapped to local binaries
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from helm_cli import REPO, Helm, helm_path  # noqa: E402
from kube_local import KubeCluster, NodeAgent  # noqa: E402

# The image the tests install the chart with (image.repository=runnel, image.tag=dev): the node
# agent maps it to runnel-broker, its entrypoint.
IMAGE_REPOSITORY, IMAGE_TAG = "runnel", "dev"


def pytest_addoption(parser):
    parser.addoption("--broker-bin", default=os.environ.get(
        "RUNNEL_BROKER_BIN", str(REPO / "build" / "bin" / "runnel-broker")))
    parser.addoption("--operator-bin", default=os.environ.get(
        "RUNNEL_OPERATOR_BIN", str(REPO / "build" / "bin" / "runnel-operator")))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, "rep_" + rep.when, rep)
    return rep


@pytest.fixture(scope="session")
def helm_bin():
    return helm_path()


@pytest.fixture(scope="session")
def helm(helm_bin, tmp_path_factory):
    return Helm(helm_bin, home=tmp_path_factory.mktemp("helm-home"))


@pytest.fixture(scope="module")
def kube(tmp_path_factory):
    with KubeCluster.up(tmp_path_factory.mktemp("kube")) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def kube_helm(helm_bin, kube, tmp_path_factory):
    return Helm(helm_bin, kube.kubeconfig, home=tmp_path_factory.mktemp("helm-home"))


@pytest.fixture(scope="module")
def tool_dir(kube, request, tmp_path_factory):
    """A directory put first on the agent's PATH (so on every pod's): the image's own PATH under
    the node agent. The operator Deployment runs command `runnel-operator` in the runnel image;
    the cleanup hooks run /bin/sh with kubectl; the helm test runs /bin/sh with kcat."""
    d = tmp_path_factory.mktemp("pod-path")
    links = {"runnel-operator": request.config.getoption("--operator-bin"),
             "runnel-broker": request.config.getoption("--broker-bin"),
             "kubectl": kube.kubectl_bin}
    for name, target in links.items():
        (d / name).symlink_to(Path(target).resolve())
    return d


@pytest.fixture(scope="module")
def node_agent(kube, tool_dir, request, monkeypatch_module):
    monkeypatch_module.setenv("PATH", f"{tool_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    images = {IMAGE_REPOSITORY: request.config.getoption("--broker-bin")}
    with NodeAgent(kube, kube.dir / "agent", images).running() as agent:
        yield agent


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(autouse=True)
def _logs_on_failure(request):
    yield
    rep = getattr(request.node, "rep_call", None)
    if rep is None or not rep.failed:
        return
    if "node_agent" in request.fixturenames:
        print("\n----- node agent and pod logs -----\n"
              + request.getfixturevalue("node_agent").logs(40))
    if "kube" in request.fixturenames:
        print("\n----- control plane logs -----\n" + request.getfixturevalue("kube").logs(10))
