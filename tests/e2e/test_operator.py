"""runnel-operator end to end on a real control plane: the operator runs outside the cluster with
a kubeconfig, the node agent runs the broker pods it creates, and every check looks at what a
user would look at: resource status, kubectl, kcat metadata and DescribeConfigs.

The tests run in file order and share one RunnelCluster, as a user's session would.
"""

import json
import time

import pytest

from kube_local import wait_for
from operator_process import (CRDS, OperatorProcess, create_topic_out_of_band, kcat_topics,
                              restart_apiserver, topic_configs)

CLUSTER = "demo"


@pytest.fixture(scope="module")
def crds(kube):
    kube.kubectl("apply", "--server-side", "-f", str(CRDS))
    for f in sorted(CRDS.glob("*.yaml")):
        kube.kubectl("wait", "--for", "condition=Established", "--timeout=60s", "-f", str(f))


@pytest.fixture(scope="module")
def operator(kube, crds, node_agent, request, tmp_path_factory):
    # A short resync so that drift correction is seen within the test.
    op = OperatorProcess(request.config.getoption("--operator-bin"), kube.kubeconfig,
                         tmp_path_factory.mktemp("operator"), ["--resync-period", "5"])
    op.start()
    yield op
    code = op.stop()
    assert code == 0, f"operator exit code {code} on SIGTERM\n{op.logs()}"


@pytest.fixture(autouse=True)
def dump_on_failure(request, kube, node_agent):
    yield
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        op = request.node.funcargs.get("operator")
        print("---- operator log ----\n" + (op.logs(80) if op else "(not started)"))
        print("---- node agent ----\n" + node_agent.logs(20))
        print("---- runnel resources ----\n"
              + kube.kubectl("get", "runnelclusters,runneltopics", "-o", "yaml", check=False))


def condition(obj, ctype):
    for c in (obj or {}).get("status", {}).get("conditions", []):
        if c["type"] == ctype:
            return c
    return None


def cluster(kube):
    return kube.get("runnelcluster", CLUSTER, check=False)


def bootstrap(kube):
    brokers = cluster(kube)["status"]["brokers"]
    return ",".join(b["address"] for b in brokers if b.get("ready"))


def cluster_ready(kube, replicas):
    c = cluster(kube)
    if not c:
        return False
    st = c.get("status", {})
    ready = condition(c, "Ready")
    return (st.get("observedGeneration") == c["metadata"]["generation"]
            and st.get("readyBrokers") == replicas and ready and ready["status"] == "True")


def topic_obj(name, partitions, config=None, topic_name=None, cluster_ref=CLUSTER):
    spec = {"clusterRef": cluster_ref, "partitions": partitions, "replicationFactor": 1,
            "config": config or {}}
    if topic_name:
        spec["topicName"] = topic_name
    return {"apiVersion": "runnel.dev/v1alpha1", "kind": "RunnelTopic",
            "metadata": {"name": name}, "spec": spec}


def cluster_obj(replicas, config):
    return {"apiVersion": "runnel.dev/v1alpha1", "kind": "RunnelCluster",
            "metadata": {"name": CLUSTER},
            "spec": {"replicas": replicas, "image": "runnel:dev", "config": config,
                     "storage": {"size": "1Gi"}, "terminationGracePeriodSeconds": 20}}


def topic_ready(kube, name):
    t = kube.get("runneltopic", name, check=False)
    c = condition(t, "Ready")
    return bool(c and c["status"] == "True"
                and t["status"].get("observedGeneration") == t["metadata"]["generation"])


def test_cluster_becomes_ready(kube, operator):
    kube.apply(cluster_obj(1, {"num.partitions": "1"}))
    wait_for(lambda: cluster_ready(kube, 1), 120, what="RunnelCluster Ready with 1 broker")

    st = cluster(kube)["status"]
    assert [b["id"] for b in st["brokers"]] == [0]
    assert st["brokers"][0]["pod"] == f"{CLUSTER}-0"
    assert st["bootstrap"].startswith(f"{CLUSTER}-bootstrap.default.svc")
    uid = cluster(kube)["metadata"]["uid"]
    for kind, name in [("configmap", f"{CLUSTER}-config"), ("service", f"{CLUSTER}-brokers"),
                       ("service", f"{CLUSTER}-bootstrap"), ("statefulset", CLUSTER),
                       ("poddisruptionbudget", CLUSTER)]:
        obj = kube.get(kind, name)
        owners = obj["metadata"].get("ownerReferences", [])
        assert any(o["uid"] == uid and o.get("controller") for o in owners), (kind, owners)
    sts = kube.get("statefulset", CLUSTER)
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    # The broker in the pod really serves Kafka at the address the status publishes.
    assert kcat_topics(bootstrap(kube)) is not None


def test_topics_appear_in_the_brokers(kube, operator):
    # The second topic's Kafka name is not a valid Kubernetes name.
    kube.apply(topic_obj("orders", 3, {"retention.ms": "3600000"}),
               topic_obj("orders-v1", 2, topic_name="Orders.V1_x"))
    for name in ("orders", "orders-v1"):
        wait_for(lambda n=name: topic_ready(kube, n), 60, what=f"RunnelTopic {name} Ready")

    topics = kcat_topics(bootstrap(kube))
    assert topics.get("orders") == 3 and topics.get("Orders.V1_x") == 2, topics
    assert topic_configs(bootstrap(kube), "orders")["retention.ms"][0] == "3600000"
    st = kube.get("runneltopic", "orders")["status"]
    assert st["partitions"] == 3 and st["topicId"] and st["config"]["retention.ms"] == "3600000"
    assert "runnel.dev/topic" in kube.get("runneltopic", "orders")["metadata"]["finalizers"]


def test_topic_changes_converge(kube, operator):
    boot = bootstrap(kube)
    # A key someone else set on the topic: the resource does not manage it, so it stays.
    from confluent_kafka.admin import AdminClient, ConfigResource
    admin = AdminClient({"bootstrap.servers": boot})
    res = ConfigResource(ConfigResource.Type.TOPIC, "orders",
                         incremental_configs=[_set("segment.ms", "7200000")])
    admin.incremental_alter_configs([res])[res].result(timeout=30)

    kube.apply(topic_obj("orders", 5, {"retention.ms": "7200000", "cleanup.policy": "delete"}))
    wait_for(lambda: kcat_topics(boot).get("orders") == 5, 60, what="orders grown to 5")
    wait_for(lambda: topic_configs(boot, "orders")["retention.ms"][0] == "7200000", 60,
             what="retention.ms altered")

    # Dropping a key from the resource removes the override in the brokers (back to default).
    kube.apply(topic_obj("orders", 5, {"cleanup.policy": "delete"}))
    wait_for(lambda: topic_configs(boot, "orders")["retention.ms"][0] == "604800000", 60,
             what="retention.ms back to the default")
    cfg = topic_configs(boot, "orders")
    assert cfg["segment.ms"][0] == "7200000", "a key the resource never managed was touched"
    wait_for(lambda: topic_ready(kube, "orders"), 60, what="orders Ready")


def test_drift_behind_the_operators_back_is_corrected(kube, operator):
    from confluent_kafka.admin import AdminClient, ConfigResource
    boot = bootstrap(kube)
    admin = AdminClient({"bootstrap.servers": boot})
    # Someone changes a managed key and deletes the topic outright.
    res = ConfigResource(ConfigResource.Type.TOPIC, "orders",
                         incremental_configs=[_set("cleanup.policy", "compact")])
    admin.incremental_alter_configs([res])[res].result(timeout=30)
    wait_for(lambda: topic_configs(boot, "orders")["cleanup.policy"][0] == "delete", 60,
             what="cleanup.policy restored by the resync")
    admin.delete_topics(["orders"])["orders"].result(timeout=30)
    wait_for(lambda: kcat_topics(boot).get("orders") == 5, 60, what="orders re-created")


def _set(key, value):
    from confluent_kafka.admin import AlterConfigOpType, ConfigEntry
    return ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)


def test_invalid_resources_are_rejected_by_the_schema(kube, operator):
    bad_topic = topic_obj("bad-partitions", 0)
    with pytest.raises(RuntimeError, match="partitions"):
        kube.apply(bad_topic)
    bad_cluster = cluster_obj(0, {})
    bad_cluster["metadata"]["name"] = "bad-replicas"
    with pytest.raises(RuntimeError, match="replicas"):
        kube.apply(bad_cluster)
    # Lowering partitions on an existing resource is refused as well.
    with pytest.raises(RuntimeError):
        kube.apply(topic_obj("orders", 2, {"cleanup.policy": "delete"}))


def test_partition_decrease_is_refused_with_a_condition(kube, operator):
    # The topic already has more partitions in the brokers than the new resource asks for.
    create_topic_out_of_band(bootstrap(kube), "preexisting", 4)
    kube.apply(topic_obj("preexisting", 2))

    def refused():
        c = condition(kube.get("runneltopic", "preexisting", check=False), "Ready")
        return c and c["status"] == "False" and c["reason"] == "PartitionDecreaseNotSupported"
    wait_for(refused, 60, what="PartitionDecreaseNotSupported condition")
    assert kcat_topics(bootstrap(kube))["preexisting"] == 4


def test_missing_cluster_gives_a_condition(kube, operator):
    kube.apply(topic_obj("orphan", 1, cluster_ref="no-such-cluster"))

    def not_found():
        c = condition(kube.get("runneltopic", "orphan", check=False), "Ready")
        return c and c["status"] == "False" and c["reason"] == "ClusterNotFound"
    wait_for(not_found, 60, what="ClusterNotFound condition")
    kube.kubectl("delete", "runneltopic", "orphan", "--timeout=60s")


def test_kubectl_scale_is_followed(kube, operator):
    kube.kubectl("scale", f"runnelcluster/{CLUSTER}", "--replicas=2")
    wait_for(lambda: kube.get("statefulset", CLUSTER)["spec"]["replicas"] == 2, 60,
             what="StatefulSet replicas 2")
    wait_for(lambda: cluster_ready(kube, 2), 120, what="2 brokers Ready")
    assert sorted(b["id"] for b in cluster(kube)["status"]["brokers"]) == [0, 1]


def pods(kube):
    items = kube.get("pods", namespace="default")["items"]
    return {p["metadata"]["name"]: p for p in items
            if p["metadata"].get("labels", {}).get("app.kubernetes.io/instance") == CLUSTER}


def pod_ready(p):
    return (not p["metadata"].get("deletionTimestamp")
            and any(c["type"] == "Ready" and c["status"] == "True"
                    for c in p.get("status", {}).get("conditions", [])))


def test_cluster_config_change_rolls_pods_one_at_a_time(kube, operator):
    before = {n: p["metadata"]["uid"] for n, p in pods(kube).items()}
    assert len(before) == 2
    kube.apply(cluster_obj(2, {"num.partitions": "1", "log.retention.hours": "100"}))
    want_hash = None
    worst_unavailable = 0
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        now = pods(kube)
        unavailable = 2 - sum(1 for p in now.values() if pod_ready(p))
        worst_unavailable = max(worst_unavailable, unavailable)
        st = cluster(kube).get("status", {})
        want_hash = st.get("configHash")
        rolled = all(n in now and now[n]["metadata"]["uid"] != uid for n, uid in before.items())
        if rolled and unavailable == 0 and cluster_ready(kube, 2):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"pods did not roll: {json.dumps(cluster(kube).get('status'), indent=1)}")
    assert worst_unavailable <= 1, "two brokers were down at once during the roll"
    for p in pods(kube).values():
        assert p["metadata"]["annotations"]["runnel.dev/config-hash"] == want_hash
    props = kube.get("configmap", f"{CLUSTER}-config")["data"]["server.properties"]
    assert "log.retention.hours=100" in props


def test_kubectl_scale_down_is_followed(kube, operator):
    # Until brokers form one cluster each broker has its own topics: the topic tests that follow
    # run against the one broker that holds them, as before the scale-up.
    kube.kubectl("scale", f"runnelcluster/{CLUSTER}", "--replicas=1")
    wait_for(lambda: kube.get("statefulset", CLUSTER)["spec"]["replicas"] == 1, 60,
             what="StatefulSet replicas 1")
    wait_for(lambda: cluster_ready(kube, 1) and len(pods(kube)) == 1, 120,
             what="back to 1 broker")
    assert [b["id"] for b in cluster(kube)["status"]["brokers"]] == [0]


def test_operator_survives_an_apiserver_restart(kube, operator):
    restart_apiserver(kube)
    # A change made after the restart must still be acted on: the watches came back.
    kube.apply(topic_obj("after-restart", 2))
    wait_for(lambda: topic_ready(kube, "after-restart"), 120,
             what="topic created after the apiserver restart")
    assert kcat_topics(bootstrap(kube)).get("after-restart") == 2
    assert operator.proc.poll() is None


def test_deleting_a_topic_resource_deletes_the_topic(kube, operator):
    boot = bootstrap(kube)
    kube.kubectl("delete", "runneltopic", "orders-v1", "--timeout=60s")
    wait_for(lambda: "Orders.V1_x" not in kcat_topics(boot), 60, what="Orders.V1_x deleted")
    # Topics no resource owns are left alone.
    create_topic_out_of_band(boot, "unowned", 1)
    time.sleep(2)
    assert "unowned" in kcat_topics(boot)


def test_operator_metrics(kube, operator):
    text = operator.metrics()
    ok = [line for line in text.splitlines()
          if line.startswith("runnel_operator_reconcile_total")
          and 'controller="runneltopic"' in line and 'result="success"' in line]
    assert ok and float(ok[0].split()[-1]) > 0, text[:2000]
    assert "runnel_operator_leader 1" in text


def test_deleting_the_cluster_never_hangs_a_finalizer(kube, operator):
    kube.kubectl("delete", "runnelcluster", CLUSTER, "--timeout=120s")
    # Topic resources whose cluster is gone release their finalizer instead of hanging.
    kube.kubectl("delete", "runneltopic", "--all", "--timeout=90s")
    assert kube.get("runneltopics")["items"] == []
    wait_for(lambda: not pods(kube), 120, what="broker pods gone with the cluster")
    wait_for(lambda: not kube.get("statefulset", CLUSTER, check=False), 60,
             what="StatefulSet garbage-collected")
