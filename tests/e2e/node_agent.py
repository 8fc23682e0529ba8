#!/usr/bin/env python3
"""Node agent: plays the kubelet for a `scripts/kube-local` cluster, running pods as local
processes on per-pod loopback addresses. See README.md for what it supports.

  node_agent.py --kubeconfig DIR/kubeconfig --dir AGENT_DIR \
      --image runnel:dev=/work/main/build/bin/runnel-broker [--node-name kube-local-node]
"""

import argparse
import concurrent.futures
import os
import signal
import sys
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kube_client import Kube, KubeError  # noqa: E402
from pod_run import PodRun  # noqa: E402
from pod_runtime import image_name, now_rfc3339  # noqa: E402

HEARTBEAT_SECONDS = 10
LEASE_SECONDS = 40


def micro_time():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z"


class Agent:
    def __init__(self, args):
        self.kube = Kube(args.kubeconfig)
        url = urllib.parse.urlparse(self.kube.server)
        self.api_host, self.api_port = url.hostname, url.port or 443
        self.node = args.node_name
        self.dir = os.path.abspath(args.dir)
        self.images = {}
        for m in args.image:
            name, _, path = m.partition("=")
            self.images[name] = self.images[image_name(name)] = os.path.abspath(path)
        self.allocatable = {"cpu": args.cpu, "memory": args.memory, "pods": str(args.pods),
                            "ephemeral-storage": "100Gi"}
        self.backoff_base, self.backoff_cap = args.backoff_base, args.backoff_cap
        prefix = args.pod_subnet.rstrip(".")
        if prefix.count(".") != 2:  # a /24 as 127.a.b: pods get 127.a.b.2 .. 127.a.b.254
            raise SystemExit("--pod-subnet must be like 127.0.10")
        self.free_ips = [f"{prefix}.{i}" for i in range(2, 255)]
        self.pool = concurrent.futures.ThreadPoolExecutor(8, thread_name_prefix="probe")
        self.pods = {}  # uid -> PodRun
        self.reported = {}  # uid -> last status sent
        self.next_heartbeat = 0.0
        self.stopping = False
        for sub in ("pods", "logs", "pv"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)

    def log_path(self, pod_key, container):
        ns, name, _ = pod_key.split("_", 2)
        return os.path.join(self.dir, "logs", f"{ns}_{name}_{container}.log")

    def claim_dir(self, ns, claim):
        """Data of a PVC: keyed by namespace and claim name, so it outlives its pods."""
        return os.path.join(self.dir, "pv", ns, claim)

    # ---- node registration and heartbeats ----
    def register(self):
        node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": self.node, "labels": {
            "kubernetes.io/hostname": self.node, "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64", "node.kubernetes.io/instance-type": "kube-local"}}}
        try:
            self.kube.post("/api/v1/nodes", node)
        except KubeError as e:
            if e.status != 409:
                raise
        self.heartbeat()

    def heartbeat(self):
        now = now_rfc3339()
        conds = [(t, "False", r) for t, r in (("MemoryPressure", "KubeletHasSufficientMemory"),
                                               ("DiskPressure", "KubeletHasNoDiskPressure"),
                                               ("PIDPressure", "KubeletHasSufficientPID"))]
        conds.append(("Ready", "True", "KubeletReady"))
        status = {
            "capacity": self.allocatable, "allocatable": self.allocatable,
            "conditions": [{"type": t, "status": s, "reason": r, "message": r,
                            "lastHeartbeatTime": now, "lastTransitionTime": self.started}
                           for t, s, r in conds],
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"},
                          {"type": "Hostname", "address": self.node}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 0}},
            "nodeInfo": {"machineID": self.node, "systemUUID": self.node, "bootID": self.started,
                         "kernelVersion": os.uname().release, "osImage": "kube-local node agent",
                         "containerRuntimeVersion": "kube-local://1", "kubeletVersion": "v1.37.2",
                         "kubeProxyVersion": "", "operatingSystem": "linux",
                         "architecture": "amd64"}}
        try:
            self.kube.merge_patch(f"/api/v1/nodes/{self.node}/status", {"status": status})
        except KubeError as e:
            if e.status != 404:
                raise
            return self.register()  # the Node was deleted: register again
        path = f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{self.node}"
        spec = {"holderIdentity": self.node, "leaseDurationSeconds": LEASE_SECONDS,
                "renewTime": micro_time()}
        if self.kube.get_or_none(path) is None:
            self.kube.post("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", {
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": self.node, "namespace": "kube-node-lease"}, "spec": spec})
        else:
            self.kube.merge_patch(path, {"spec": spec})
        self.next_heartbeat = time.monotonic() + HEARTBEAT_SECONDS

    # ---- persistent volumes ----
    def provision(self):
        """Pre-binds a hostPath PV (a directory of the agent's) to every pending PVC, so the
        real PV controller binds them and the scheduler can place pods that use them."""
        for pvc in self.kube.get("/api/v1/persistentvolumeclaims")["items"]:
            meta, spec = pvc["metadata"], pvc["spec"]
            if spec.get("volumeName") or (pvc.get("status") or {}).get("phase") == "Bound" or \
                    meta.get("deletionTimestamp"):
                continue
            path = self.claim_dir(meta["namespace"], meta["name"])
            os.makedirs(path, exist_ok=True)
            size = spec.get("resources", {}).get("requests", {}).get("storage", "1Gi")
            pv = {"apiVersion": "v1", "kind": "PersistentVolume",
                  "metadata": {"name": f"kube-local-{meta['uid']}",
                               "labels": {"kube-local/node": self.node}},
                  "spec": {"capacity": {"storage": size},
                           "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
                           "persistentVolumeReclaimPolicy": "Retain",
                           "storageClassName": spec.get("storageClassName") or "",
                           "volumeMode": spec.get("volumeMode", "Filesystem"),
                           "hostPath": {"path": path, "type": "DirectoryOrCreate"},
                           "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                                        "namespace": meta["namespace"], "name": meta["name"],
                                        "uid": meta["uid"]}}}
            try:
                self.kube.post("/api/v1/persistentvolumes", pv)
            except KubeError as e:
                if e.status != 409:
                    raise

    # ---- pods ----
    def sync_pods(self):
        selector = f"spec.nodeName={self.node}"
        pods = self.kube.get("/api/v1/pods", fieldSelector=selector)["items"]
        seen = set()
        for pod in pods:
            uid = pod["metadata"]["uid"]
            seen.add(uid)
            run = self.pods.get(uid)
            if run is None:
                if pod["metadata"].get("deletionTimestamp") is not None or \
                        (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                    self.finish_deleted(pod)
                    continue
                run = self.pods[uid] = PodRun(self, pod, self.free_ips.pop(0))
            run.sync(pod)
            if run.terminated():
                self.finish_deleted(pod)
                self.forget(uid)
                continue
            status = run.status()
            if status != self.reported.get(uid):
                self.report(run, status)
        for uid in [u for u in self.pods if u not in seen]:  # force-deleted or rescheduled
            self.pods[uid].kill()
            self.forget(uid)

    def report(self, run, status):
        try:
            self.kube.merge_patch(f"/api/v1/namespaces/{run.ns}/pods/{run.name}/status",
                                  {"status": status})
            self.reported[run.uid] = status
        except KubeError as e:  # e.g. 422: say why, but keep the other pods going
            if e.status not in (404, 409):
                print(f"[node-agent] {now_rfc3339()} status of {run.ns}/{run.name}: {e}",
                      file=sys.stderr, flush=True)

    def finish_deleted(self, pod):
        """Removes a terminated pod's object (grace 0) so controllers can replace it."""
        if pod["metadata"].get("deletionTimestamp") is None:
            return
        meta = pod["metadata"]
        try:
            self.kube.delete(f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}", {
                "apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0,
                "preconditions": {"uid": meta["uid"]}})
        except KubeError as e:
            if e.status not in (404, 409):
                raise

    def forget(self, uid):
        run = self.pods.pop(uid)
        self.reported.pop(uid, None)
        run.cleanup()
        self.free_ips.append(run.ip)  # to the back: a new pod gets an address not just used

    # ---- main loop ----
    def run(self):
        self.started = now_rfc3339()
        self.register()
        while not self.stopping:
            try:
                if time.monotonic() >= self.next_heartbeat:
                    self.heartbeat()
                self.provision()
                self.sync_pods()
            except Exception:  # noqa: BLE001 - keep serving the other pods; retried next loop
                print(f"[node-agent] {now_rfc3339()} error:\n{traceback.format_exc()}",
                      file=sys.stderr, flush=True)
                time.sleep(1)
            time.sleep(0.3)
        self.shutdown()

    def shutdown(self):
        """Stops every pod's processes: SIGTERM, a short grace, SIGKILL."""
        for run in self.pods.values():
            for c in run.init + run.containers:
                c.signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(
                c.running for r in self.pods.values() for c in r.init + r.containers):
            time.sleep(0.1)
        for run in self.pods.values():
            run.kill()
        self.pool.shutdown(wait=False, cancel_futures=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--dir", required=True, help="pods, PVC data and logs go here")
    p.add_argument("--node-name", default="kube-local-node")
    p.add_argument("--image", action="append", default=[], metavar="IMAGE=BINARY",
                   help="run pods of IMAGE (tag optional) as BINARY; repeatable")
    p.add_argument("--pod-subnet", default="127.0.10", help="pods get 127.a.b.2 .. .254")
    p.add_argument("--cpu", default="8")
    p.add_argument("--memory", default="32Gi")
    p.add_argument("--pods", type=int, default=110)
    p.add_argument("--backoff-base", type=float, default=1.0)
    p.add_argument("--backoff-cap", type=float, default=20.0)
    agent = Agent(p.parse_args())

    def stop(*_):
        agent.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    agent.run()


if __name__ == "__main__":
    main()
