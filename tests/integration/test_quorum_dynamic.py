"""A dynamic metadata quorum (KIP-853) on real processes, driven by Kafka's own tool.

Node 1 is formatted `--standalone` (a quorum of itself); nodes 2 and 3 are formatted
`--no-initial-controllers` and start with only `controller.quorum.bootstrap.servers`: they find
the leader through node 1, replicate the metadata log as observers, and serve as brokers. Then
`kafka-metadata-quorum add-controller` (Kafka's MetadataQuorumCommand, with each node's own
properties file, as an operator runs it) makes them voters one at a time; killing node 1 -9 then
leaves a quorum of two voters that elects one of them; `remove-controller` (through a broker
listener, forwarded) takes node 1 out of the voter set for good: the survivors keep it across a
restart, and node 1 rejoins as an observer. A broker-only node with only the bootstrap servers
joins as an observer and serves clients.
"""

import re
import time

import pytest

from itest.broker import target
from itest.cluster import KafkaTools, RunnelCluster, parse_status, run_storage

pytestmark = pytest.mark.skipif(target() == "kafka", reason="a cluster of runnel-broker processes")

TOOL_S = 60.0


@pytest.fixture
def make_cluster(request, tmp_path):
    """make_cluster(n) -> n nodes (not started, not formatted); every node is stopped at the end and
    one that died on its own fails the test."""
    made: list[RunnelCluster] = []

    def make(n: int) -> RunnelCluster:
        made.append(RunnelCluster(tmp_path / f"cluster{len(made)}", request.config.getoption("--broker-bin"), n))
        return made[-1]

    yield make
    problems = [p for c in made for p in c.close()]
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture(scope="module")
def tools(tmp_path_factory) -> KafkaTools:
    return KafkaTools(tmp_path_factory.mktemp("tools"))


def make_dynamic(node, bootstrap: str | None) -> None:
    """No controller.quorum.voters: the node's voters come from `format` and the log."""
    static = node.settings

    def settings():
        s = static()
        s.pop("controller.quorum.voters", None)
        if bootstrap:
            s["controller.quorum.bootstrap.servers"] = bootstrap
        return s

    node.settings = settings


def format_node(node, how: str) -> None:
    code, out = run_storage(node.cluster.binary, "format", "-t", node.cluster.cluster_id,
                            "-c", str(node.properties_file()), how)
    assert code == 0, f"format {how} of node {node.node_id}: {out}"


def directory_id(node) -> str:
    text = (node.log_dir / "meta.properties").read_text()
    return re.search(r"^directory\.id=(\S+)$", text, re.M).group(1)


def status(tools: KafkaTools, via: str) -> dict:
    run = tools.metadata_quorum("status", bootstrap_controller=via, timeout=TOOL_S)
    return parse_status(run.stdout) if run.rc == 0 else {}


def poll_status(tools, via: str, accept, what: str, cluster, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    last: dict = {}
    while time.monotonic() < deadline:
        last = status(tools, via)
        if last and accept(last):
            return last
        time.sleep(0.5)
    pytest.fail(f"{what}: last describe --status {last}\n{cluster.logs()}")


def quorum_tool(tools: KafkaTools, via: str, node, *args: str):
    """MetadataQuorumCommand with `node`'s own properties file as --command-config."""
    return tools.java("org.apache.kafka.tools.MetadataQuorumCommand", "--bootstrap-controller", via,
                      "--command-config", str(node.properties_file()), *args, timeout=TOOL_S)


def test_controllers_join_with_add_controller_and_leave_with_remove_controller(make_cluster, tools):
    cluster = make_cluster(3)
    one, two, three = cluster[1], cluster[2], cluster[3]
    make_dynamic(one, None)
    for n in (two, three):
        make_dynamic(n, one.bootstrap_controller)
    format_node(one, "--standalone")
    for n in (two, three):
        format_node(n, "--no-initial-controllers")
    one.start()
    two.launch()
    three.launch()
    two.wait_ready(60)
    three.wait_ready(60)

    # Nodes 2 and 3 follow the log as observers of node 1's quorum.
    s = poll_status(tools, one.bootstrap_controller,
                    lambda s: s.get("CurrentVoters") == [1] and {2, 3} <= set(s.get("CurrentObservers", [])),
                    "nodes 2 and 3 observe the standalone quorum", cluster)
    assert s["LeaderId"] == 1

    # add-controller, as an operator runs it on each new controller.
    for n, voters in ((two, [1, 2]), (three, [1, 2, 3])):
        deadline = time.monotonic() + TOOL_S
        while True:
            run = quorum_tool(tools, one.bootstrap_controller, n, "add-controller")
            if run.rc == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)  # e.g. REQUEST_TIMED_OUT while the previous change commits
        assert run.rc == 0, f"add-controller {n.node_id}: {run.stdout}\n{run.stderr}\n{cluster.logs()}"
        poll_status(tools, one.bootstrap_controller, lambda s, v=voters: s.get("CurrentVoters") == v,
                    f"voters become {voters}", cluster)

    # Adding a voter twice is Kafka's DUPLICATE_VOTER.
    again = quorum_tool(tools, one.bootstrap_controller, two, "add-controller")
    assert again.rc != 0 and "DuplicateVoter" in (again.stdout + again.stderr), again.stdout + again.stderr

    # Node 1 dies: nodes 2 and 3 are real voters now and elect one of them.
    one.kill9()
    survivors = f"{two.bootstrap_controller},{three.bootstrap_controller}"
    s = poll_status(tools, survivors, lambda s: s.get("LeaderId") in (2, 3), "a new leader among 2 and 3", cluster)
    assert s["CurrentVoters"] == [1, 2, 3]

    # remove-controller takes node 1 out (by id and directory id). Sent to a broker listener
    # (--bootstrap-server), it is forwarded to the active controller, as in Kafka.
    brokers = f"{two.bootstrap},{three.bootstrap}"
    deadline = time.monotonic() + TOOL_S
    while True:
        run = tools.java("org.apache.kafka.tools.MetadataQuorumCommand", "--bootstrap-server", brokers,
                         "remove-controller", "--controller-id", "1", "--controller-directory-id", directory_id(one),
                         timeout=TOOL_S)
        if run.rc == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)  # the new leader commits in its epoch first
    assert run.rc == 0, f"remove-controller: {run.stdout}\n{run.stderr}\n{cluster.logs()}"
    poll_status(tools, survivors, lambda s: s.get("CurrentVoters") == [2, 3], "voters become [2, 3]", cluster)

    # The voter set is in the log: both survivors restart and keep it; node 1, whose own log still
    # names it a voter, comes back as an observer once it learns of its removal.
    two.sigterm()
    three.sigterm()
    assert two.wait_exit() == 0 and three.wait_exit() == 0
    two.launch()
    three.launch()
    one.launch()
    for n in (two, three, one):
        n.wait_ready(60)
    poll_status(tools, survivors,
                lambda s: s.get("CurrentVoters") == [2, 3] and 1 in s.get("CurrentObservers", []),
                "voters [2, 3] after a restart, node 1 an observer", cluster)


def test_a_broker_only_node_joins_through_the_bootstrap_servers(make_cluster, tools):
    """A broker (process.roles=broker) of a dynamic quorum knows only controller.quorum.bootstrap.servers:
    it finds the leader there, follows the metadata log as an observer, registers with the active
    controller and serves clients."""
    c = make_cluster(2)
    one, two = c[1], c[2]
    make_dynamic(one, None)
    make_dynamic(two, one.bootstrap_controller)
    dynamic = two.settings

    def broker_only():
        s = dynamic()
        s["process.roles"] = "broker"
        s["listeners"] = f"PLAINTEXT://{two.host}:{two.port}"
        return s

    two.settings = broker_only
    format_node(one, "--standalone")
    code, out = run_storage(c.binary, "format", "-t", c.cluster_id, "-c", str(two.properties_file()))
    assert code == 0, out
    one.start()
    two.start()  # serves clients once the active controller has unfenced it
    s = poll_status(tools, one.bootstrap_controller,
                    lambda s: s.get("CurrentVoters") == [1] and 2 in s.get("CurrentObservers", []),
                    "the broker observes the quorum", c)
    assert s["LeaderId"] == 1
