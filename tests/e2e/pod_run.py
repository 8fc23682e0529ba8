"""A pod on the node agent: its directory, volumes and mounts, init containers then
containers, termination on deletion, and the status it reports."""

import os
import shutil
import signal
import time

import pod_spec
from pod_runtime import Container, now_rfc3339

VOLUME_REFRESH_SECONDS = 30  # ConfigMap/Secret/token contents are re-read this often


class PodRun:
    def __init__(self, agent, pod, ip):
        meta = pod["metadata"]
        self.agent, self.pod, self.spec, self.ip = agent, pod, pod["spec"], ip
        self.ns, self.name, self.uid = meta.get("namespace", "default"), meta["name"], meta["uid"]
        self.key = f"{self.ns}_{self.name}_{self.uid[:8]}"
        self.dir = os.path.join(agent.dir, "pods", self.key)
        self.root = os.path.join(self.dir, "root")
        self.mounts = {}  # mount path -> local path
        self.volumes_ready = False
        self.volumes_at = 0.0
        self.volume_error = None
        self.start_time = now_rfc3339()
        self.init = [Container(self, c, init=True) for c in self.spec.get("initContainers", [])]
        self.containers = [Container(self, c) for c in self.spec["containers"]]
        self.terminating_since = None
        self.gone = False  # deleted from the API server: nothing to report any more

    def grace(self):
        g = self.pod["metadata"].get("deletionGracePeriodSeconds")
        return g if g is not None else self.spec.get("terminationGracePeriodSeconds", 30)

    # ---- volumes ----
    def volume_dir(self, vol):
        if "persistentVolumeClaim" in vol:
            return self.agent.claim_dir(self.ns, vol["persistentVolumeClaim"]["claimName"])
        if "hostPath" in vol:  # never the real host path: a directory of the agent's
            return os.path.join(self.agent.dir, "hostpath", vol["hostPath"]["path"].lstrip("/"))
        return os.path.join(self.dir, "volumes", vol["name"])

    def refresh_volumes(self):
        try:
            for vol in self.spec.get("volumes", []):
                path = self.volume_dir(vol)
                if "persistentVolumeClaim" in vol or "hostPath" in vol:
                    os.makedirs(path, exist_ok=True)
                else:
                    pod_spec.materialise(self.agent.kube, self.pod, vol, self.ip, path,
                                         self.agent.allocatable)
            if not self.volumes_ready:
                self._mount()
            self.volumes_ready, self.volume_error = True, None
        except Exception as e:  # noqa: BLE001 - retried; shown in container status
            self.volume_error = str(e)
        self.volumes_at = time.monotonic()

    def _mount(self):
        """Symlinks ROOT/<mountPath> to each volume (subPath included) for every container."""
        vols = {v["name"]: v for v in self.spec.get("volumes", [])}
        for c in self.spec.get("initContainers", []) + self.spec["containers"]:
            for m in c.get("volumeMounts", []):
                target = os.path.join(self.volume_dir(vols[m["name"]]), m.get("subPath", ""))
                os.makedirs(target, exist_ok=True)
                link = self.root + m["mountPath"].rstrip("/")
                os.makedirs(os.path.dirname(link), exist_ok=True)
                if os.path.islink(link):
                    os.unlink(link)
                if not os.path.exists(link):
                    os.symlink(target.rstrip("/"), link)
                self.mounts[m["mountPath"]] = link

    def container_env(self, spec):
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOSTNAME": self.name,
                "KUBERNETES_SERVICE_HOST": self.agent.api_host,
                "KUBERNETES_SERVICE_PORT": str(self.agent.api_port),
                "KUBERNETES_SERVICE_PORT_HTTPS": str(self.agent.api_port),
                **pod_spec.mounts_env(self.root, self.mounts)}
        # In-cluster clients read the token from a fixed path that is relocated here; the
        # runnel-operator takes the relocated directory from this variable.
        if pod_spec.SA_DIR in self.mounts:
            base["RUNNEL_SERVICEACCOUNT_DIR"] = self.mounts[pod_spec.SA_DIR]
        env = pod_spec.build_env(self.agent.kube, self.pod, spec, self.ip, base,
                                 self.agent.allocatable)
        return {k: pod_spec.rewrite_paths(v, self.mounts) for k, v in env.items()}

    # ---- one step of the agent's loop ----
    def sync(self, pod):
        self.pod = pod
        deleting = pod["metadata"].get("deletionTimestamp") is not None
        if deleting and self.terminating_since is None:
            self.terminating_since = time.monotonic()
            for c in self.init + self.containers:
                c.stop(self.grace())
        if not deleting and time.monotonic() - self.volumes_at > (
                VOLUME_REFRESH_SECONDS if self.volumes_ready else 2):
            self.refresh_volumes()
        if not self.volumes_ready:
            return
        pending_init = next((c for c in self.init if not (c.done and c.succeeded)), None)
        if pending_init is not None:
            pending_init.sync(deleting)
            if pending_init.done and not pending_init.succeeded and \
                    self.spec.get("restartPolicy", "Always") == "Never":
                for c in self.containers:  # pod failed: main containers never start
                    c.done = True
                    c.state = {"waiting": {"reason": "PodInitializing"}}
            return
        for c in self.containers:
            c.sync(deleting)

    def terminated(self):
        """True once deletion was requested and every process has exited."""
        return self.terminating_since is not None and \
            not any(c.running for c in self.init + self.containers)

    def kill(self):
        for c in self.init + self.containers:
            c.signal(signal.SIGKILL)
            if c.proc is not None:
                c.proc.wait()

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- status ----
    def status(self):
        init_done = all(c.done and c.succeeded for c in self.init)
        all_ready = init_done and all(c.ready for c in self.containers)
        conds = [("PodReadyToStartContainers", self.volumes_ready), ("Initialized", init_done),
                 ("ContainersReady", all_ready), ("Ready", all_ready), ("PodScheduled", True)]
        cs = [c.status() for c in self.containers]
        if self.volume_error:
            for s in cs:
                if "waiting" in s["state"]:
                    s["state"] = {"waiting": {"reason": "CreateContainerConfigError",
                                              "message": self.volume_error}}
        if all(c.done for c in self.containers) and (init_done or any(c.done for c in self.init)):
            phase = "Succeeded" if all(c.succeeded for c in self.containers) else "Failed"
        elif init_done and any(c.running or c.restart_count for c in self.containers):
            phase = "Running"
        else:
            phase = "Pending"
        prev = {c["type"]: c for c in (self.pod.get("status") or {}).get("conditions", [])}
        conditions = []
        for kind, ok in conds:
            value = "True" if ok else "False"
            old = prev.get(kind)
            since = old["lastTransitionTime"] if old and old.get("status") == value and \
                old.get("lastTransitionTime") else now_rfc3339()
            conditions.append({"type": kind, "status": value, "lastProbeTime": None,
                               "lastTransitionTime": since})
        status = {"phase": phase, "conditions": conditions, "hostIP": "127.0.0.1",
                  "hostIPs": [{"ip": "127.0.0.1"}], "podIP": self.ip, "podIPs": [{"ip": self.ip}],
                  "startTime": self.start_time, "containerStatuses": cs}
        if self.init:
            status["initContainerStatuses"] = [c.status() for c in self.init]
        return status
