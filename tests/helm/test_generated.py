"""Generated files stay in step with their single sources: charts/runnel/crds and manifests/
are what scripts/gen-manifests makes from operator/api/crds and the chart."""

import filecmp
import subprocess

from helm_cli import CHART, CRDS, REPO, docs, one

GEN = REPO / "scripts" / "gen-manifests"


def test_chart_crds_are_copies_of_the_source():
    src = sorted(p.name for p in CRDS.glob("*.yaml"))
    assert sorted(p.name for p in (CHART / "crds").glob("*.yaml")) == src
    for name in src:
        assert filecmp.cmp(CRDS / name, CHART / "crds" / name, shallow=False), \
            f"charts/runnel/crds/{name} differs from operator/api/crds: run scripts/gen-manifests"


def test_no_drift(helm_bin):
    r = subprocess.run([str(GEN), "--check"], capture_output=True, text=True,
                       env={"HELM": helm_bin, "PATH": "/usr/bin:/bin"}, timeout=120)
    assert r.returncode == 0, "manifests/ or charts/runnel/crds drifted; run scripts/gen-manifests\n" \
        + r.stdout[-4000:] + r.stderr[-2000:]


def test_check_detects_drift(helm_bin, tmp_path):
    """--check must fail when a generated file differs: regenerate elsewhere, edit, compare."""
    out = tmp_path / "gen"
    subprocess.run([str(GEN), "--out", str(out)], check=True, env={"HELM": helm_bin,
                   "PATH": "/usr/bin:/bin"}, timeout=120)
    assert filecmp.cmp(out / "manifests" / "03-operator.yaml", REPO / "manifests" / "03-operator.yaml",
                       shallow=False)
    edited = out / "manifests" / "03-operator.yaml"
    edited.write_text(edited.read_text().replace("replicas: 1", "replicas: 2"))
    r = subprocess.run(["diff", "-q", str(edited), str(REPO / "manifests" / "03-operator.yaml")],
                       capture_output=True)
    assert r.returncode == 1


def test_manifests_layout():
    names = sorted(p.name for p in (REPO / "manifests").glob("*.yaml"))
    assert names == ["00-crds.yaml", "01-namespace.yaml", "02-rbac.yaml", "03-operator.yaml"]
    crds = docs((REPO / "manifests" / "00-crds.yaml").read_text())
    assert sorted(c["metadata"]["name"] for c in crds) == \
        ["runnelclusters.runnel.dev", "runneltopics.runnel.dev"]
    dep = one(docs((REPO / "manifests" / "03-operator.yaml").read_text()), "Deployment")
    assert dep["metadata"]["namespace"] == "runnel-system"
    text = "".join(p.read_text() for p in (REPO / "manifests").rglob("*.yaml"))
    assert "helm.sh/" not in text and "managed-by: Helm" not in text
    cluster = one(docs((REPO / "manifests" / "samples" / "runnel-cluster.yaml").read_text()),
                  "RunnelCluster")
    assert cluster["spec"]["replicas"] == 3 and "namespace" not in cluster["metadata"]
    topics = docs((REPO / "manifests" / "samples" / "topics.yaml").read_text())
    assert len(topics) >= 3 and all(t["spec"]["clusterRef"] == "demo" for t in topics)
