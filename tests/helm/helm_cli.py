"""Helm and chart helpers for tests/helm: the cached helm binary, rendering scenarios, parsing
the rendered YAML stream."""

import os
import subprocess
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CHART = REPO / "charts" / "runnel"
CI_VALUES = sorted((CHART / "ci").glob("*-values.yaml"))
CRDS = REPO / "operator" / "api" / "crds"
MONITORING_API = "monitoring.coreos.com/v1"


def helm_path():
    """scripts/helm-local builds helm once per machine (install-test-deps.sh does it first)."""
    if os.environ.get("HELM"):
        return os.environ["HELM"]
    r = subprocess.run([str(REPO / "scripts" / "helm-local"), "path"], capture_output=True,
                       text=True, check=True)
    return r.stdout.strip()


class Helm:
    def __init__(self, binary, kubeconfig=None, home=None):
        self.binary, self.kubeconfig = binary, kubeconfig
        self.env = dict(os.environ)
        if kubeconfig:
            self.env["KUBECONFIG"] = str(kubeconfig)
        if home:  # keep helm's cache/config/data out of $HOME
            for var, sub in (("HELM_CACHE_HOME", "cache"), ("HELM_CONFIG_HOME", "config"),
                             ("HELM_DATA_HOME", "data")):
                self.env[var] = str(Path(home) / sub)

    def run(self, *args, check=True, timeout=600):
        r = subprocess.run([self.binary, *map(str, args)], capture_output=True, text=True,
                           env=self.env, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError(f"helm {' '.join(map(str, args))} failed ({r.returncode}):\n"
                               f"{r.stdout}\n{r.stderr}")
        return r

    def template(self, *args, release="rel", namespace="runnel-test", monitoring=False):
        extra = ["--api-versions", MONITORING_API] if monitoring else []
        return self.run("template", release, CHART, "--namespace", namespace, *extra,
                        *args).stdout


def docs(text):
    return [d for d in yaml.safe_load_all(text) if d]


def by_kind(objects, kind):
    return [o for o in objects if o["kind"] == kind]


def one(objects, kind, name=None):
    found = [o for o in by_kind(objects, kind) if name is None or o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name or ''}, got {len(found)}"
    return found[0]


def is_hook(obj):
    return "helm.sh/hook" in (obj["metadata"].get("annotations") or {})
