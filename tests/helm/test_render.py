"""The chart without a cluster: `helm lint --strict` and `helm template` of every scenario in
charts/runnel/ci, and what each rendered object must say."""

import json
import subprocess

import pytest
import yaml

from helm_cli import CHART, CI_VALUES, by_kind, docs, is_hook, one

SCENARIOS = {p.name.removesuffix("-values.yaml"): p for p in CI_VALUES}


def test_every_required_scenario_exists():
    assert {"default", "with-cluster-and-topics", "watch-namespaces", "monitoring"} <= set(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_lint_strict(helm, name):
    r = helm.run("lint", "--strict", CHART, "-f", SCENARIOS[name], "--namespace", "runnel-test",
                 check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 chart(s) failed" in r.stdout


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_template_renders_operator(helm, name):
    objs = docs(helm.template("-f", SCENARIOS[name], monitoring=(name == "monitoring")))
    dep = one(objs, "Deployment")
    pod = dep["spec"]["template"]["spec"]
    c = pod["containers"][0]
    assert c["command"] == ["runnel-operator"]
    assert "--leader-elect" in c["args"]
    assert "--leader-election-namespace=runnel-test" in c["args"]
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["resources"]["requests"] and c["resources"]["limits"]
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    sa = one(objs, "ServiceAccount", pod["serviceAccountName"])
    assert sa["metadata"]["namespace"] == "runnel-test"
    # Selector labels are a subset of the pod's labels.
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert dep["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_replicas_configurable(helm):
    objs = docs(helm.template("--set", "operator.replicas=3"))
    assert one(objs, "Deployment")["spec"]["replicas"] == 3


def test_all_namespaces_uses_cluster_role(helm):
    objs = docs(helm.template("-f", SCENARIOS["default"]))
    role = one(objs, "ClusterRole")
    binding = one(objs, "ClusterRoleBinding")
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert binding["subjects"][0]["namespace"] == "runnel-test"
    args = one(objs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["args"]
    assert not [a for a in args if a.startswith("--namespace")]
    # Least privilege: no wildcards, no secrets, nothing cluster-scoped beyond the listed kinds.
    for rule in role["rules"]:
        assert "*" not in rule["verbs"] and "*" not in rule["resources"]
        assert "secrets" not in rule["resources"]
    # Only the Lease lives in a namespaced Role, in the release namespace.
    le = one(objs, "Role")
    assert le["metadata"]["namespace"] == "runnel-test"
    assert {r for rule in le["rules"] for r in rule["resources"]} == {"leases", "events"}


def test_watch_namespaces_uses_roles_only(helm):
    objs = docs(helm.template("-f", SCENARIOS["watch-namespaces"]))
    assert not by_kind(objs, "ClusterRole") and not by_kind(objs, "ClusterRoleBinding")
    operator_roles = {r["metadata"]["namespace"] for r in by_kind(objs, "Role")
                      if not is_hook(r) and not r["metadata"]["name"].endswith("leader-election")}
    assert operator_roles == {"runnel-test", "runnel-team-a"}
    bindings = {b["metadata"]["namespace"] for b in by_kind(objs, "RoleBinding") if not is_hook(b)}
    assert {"runnel-test", "runnel-team-a"} <= bindings
    args = one(objs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["args"]
    assert [a for a in args if a.startswith("--namespace")] == \
        ["--namespace=runnel-test", "--namespace=runnel-team-a"]


def test_watch_namespaces_must_include_the_cluster_namespace(helm):
    r = helm.run("template", "rel", CHART, "--namespace", "elsewhere", "-f",
                 SCENARIOS["with-cluster-and-topics"], "--set", "operator.watchNamespaces={a,b}",
                 check=False)
    assert r.returncode != 0 and "does not include" in r.stderr


def test_cluster_and_topics(helm):
    objs = docs(helm.template("-f", SCENARIOS["with-cluster-and-topics"]))
    cluster = one(objs, "RunnelCluster")
    assert cluster["metadata"]["name"] == "rel-runnel"
    assert cluster["spec"]["replicas"] == 3
    assert cluster["spec"]["config"] == {"log.retention.ms": "86400000"}
    topics = {t["metadata"]["name"]: t["spec"] for t in by_kind(objs, "RunnelTopic")}
    assert topics["orders"] == {"clusterRef": "rel-runnel", "partitions": 3,
                                "replicationFactor": 1, "config": {"retention.ms": "3600000"}}
    assert topics["audit-log"]["topicName"] == "audit_log"
    # Uninstall hooks exist and the test pod targets the bootstrap Service and the first topic.
    jobs = {j["metadata"]["annotations"]["helm.sh/hook"] for j in by_kind(objs, "Job")}
    assert jobs == {"pre-delete", "post-delete"}
    test_pod = one(objs, "Pod")
    assert test_pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    env = {e["name"]: e.get("value") for e in test_pod["spec"]["containers"][0]["env"]}
    assert env["BOOTSTRAP"] == "rel-runnel-bootstrap.runnel-test.svc:9092"
    assert env["TOPIC"] == "orders"


def test_no_cluster_no_hooks(helm):
    objs = docs(helm.template("-f", SCENARIOS["default"]))
    assert not by_kind(objs, "RunnelCluster") and not by_kind(objs, "Job")
    assert not [o for o in objs if is_hook(o)]


def test_topics_need_a_cluster(helm):
    r = helm.run("template", "rel", CHART, "--set", "topics[0].name=t", check=False)
    assert r.returncode != 0 and "clusterRef" in r.stderr


def test_monitoring_only_with_prometheus_operator(helm):
    without = docs(helm.template("-f", SCENARIOS["monitoring"]))
    assert not by_kind(without, "PodMonitor") and not by_kind(without, "PrometheusRule")
    objs = docs(helm.template("-f", SCENARIOS["monitoring"], monitoring=True))
    monitors = {m["metadata"]["name"]: m for m in by_kind(objs, "PodMonitor")}
    assert set(monitors) == {"rel-runnel-brokers", "rel-runnel-operator"}
    # The rules select broker jobs by job=~".*runnel.*", job!~".*operator.*"; the Prometheus
    # Operator names a PodMonitor's job "<namespace>/<name>".
    assert "operator" not in monitors["rel-runnel-brokers"]["metadata"]["name"]
    assert monitors["rel-runnel-brokers"]["spec"]["podMetricsEndpoints"][0]["port"] == "admin"
    rule = one(objs, "PrometheusRule")
    source = yaml.safe_load((CHART / "files" / "rules" / "runnel.rules.yaml").read_text())
    assert rule["spec"]["groups"] == source["groups"]


def test_prometheus_rule_passes_promtool(helm, tmp_path):
    rule = one(docs(helm.template("-f", SCENARIOS["monitoring"], monitoring=True)),
               "PrometheusRule")
    f = tmp_path / "rules.yaml"
    f.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    r = subprocess.run(["promtool", "check", "rules", str(f)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_dashboards_config_map(helm):
    objs = docs(helm.template("-f", SCENARIOS["monitoring"]))
    cm = one(objs, "ConfigMap")
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    files = sorted(p.name for p in (CHART / "files" / "dashboards").glob("*.json"))
    assert sorted(cm["data"]) == files
    for name in files:
        assert json.loads(cm["data"][name]) == \
            json.loads((CHART / "files" / "dashboards" / name).read_text())


def test_schema_rejects_bad_values(helm):
    for bad in (["--set", "operator.replicas=-1"], ["--set", "unknownKey=1"],
                ["--set", "cluster.name=Bad_Name"], ["--set", "topics[0].partitions=0"],
                ["--set", "operator.watchNamespaces=x"]):
        r = helm.run("template", "rel", CHART, *bad, check=False)
        assert r.returncode != 0 and "schema" in r.stderr, (bad, r.stderr)
