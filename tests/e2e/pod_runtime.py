"""One pod run as local processes: containers, restarts with backoff, probes, termination, and
the pod status a kubelet would report.

Driven by the agent's single loop thread (`sync` is non-blocking); processes are started from
that thread so PR_SET_PDEATHSIG ties them to the agent's life.
"""

import ctypes
import os
import shutil
import signal
import subprocess
import time

import pod_spec
from probes import Probe

_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphans if the agent is killed


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def image_name(image):
    """runnel:dev -> runnel; host:5000/x/runnel@sha256:.. -> host:5000/x/runnel."""
    image = image.split("@", 1)[0]
    slash = image.rfind("/")
    colon = image.rfind(":")
    return image[:colon] if colon > slash else image


class Container:
    def __init__(self, pod_run, spec, init=False):
        self.pod, self.spec, self.name, self.init = pod_run, spec, spec["name"], init
        self.proc = None
        self.restart_count = 0
        self.state = {"waiting": {"reason": "ContainerCreating"}}
        self.last_state = {}
        self.started_at = None  # monotonic
        self.stop_deadline = None  # SIGKILL after this (termination in progress)
        self.restart_at = 0.0
        self.done = False  # exited and will not be restarted
        self.succeeded = False
        self.env, self.cwd = {}, None
        self.ready_probe = Probe(spec["readinessProbe"], False) if "readinessProbe" in spec else None
        self.live_probe = Probe(spec["livenessProbe"], True) if "livenessProbe" in spec else None
        self.startup_probe = Probe(spec["startupProbe"], False) if "startupProbe" in spec else None

    # ---- process ----
    def argv(self):
        agent, spec = self.pod.agent, self.spec
        binary = agent.images.get(spec.get("image", "")) or agent.images.get(
            image_name(spec.get("image", "")))
        command, args = list(spec.get("command", [])), list(spec.get("args", []))
        if binary:
            keep = command and shutil.which(command[0]) and \
                os.path.basename(command[0]) != os.path.basename(binary)
            if not keep:  # the image's entrypoint is the mapped binary
                command = [binary] + command[1:]
        if not command:
            raise LookupError(f"image {spec.get('image')} is not mapped (--image) and has no command")
        return [pod_spec.rewrite_paths(pod_spec.expand(a, self.env), self.pod.mounts)
                for a in command + args]

    def start(self):
        self.env = self.pod.container_env(self.spec)
        argv = self.argv()
        self.cwd = self.pod.root
        # A pod without volumes (automountServiceAccountToken: false) has no root yet.
        os.makedirs(self.cwd, exist_ok=True)
        if self.spec.get("workingDir"):
            self.cwd = self.pod.root + self.spec["workingDir"]
            os.makedirs(self.cwd, exist_ok=True)
        log_path = self.pod.agent.log_path(self.pod.key, self.name)
        with open(log_path, "ab") as log:
            log.write(f"\n=== {now_rfc3339()} start #{self.restart_count}: {argv}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(argv, env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True, preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()
        self.state = {"running": {"startedAt": now_rfc3339()}}
        for probe, default in ((self.ready_probe, False), (self.live_probe, True),
                               (self.startup_probe, False)):
            if probe:
                probe.reset(self.started_at, default)
                if "exec" in probe.spec:  # exec probes see the same paths as the process
                    cmd = [pod_spec.rewrite_paths(pod_spec.expand(a, self.env), self.pod.mounts)
                           for a in probe.spec["exec"]["command"]]
                    probe.spec = {**probe.spec, "exec": {"command": cmd}}

    def signal(self, sig):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, grace):
        """Begins termination: SIGTERM now, SIGKILL once `grace` seconds have passed."""
        if self.proc and self.proc.poll() is None and self.stop_deadline is None:
            self.signal(signal.SIGTERM)
            self.stop_deadline = time.monotonic() + grace

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def started(self):
        return self.running and (self.startup_probe is None or self.startup_probe.ok)

    @property
    def ready(self):
        if not self.started:
            return False
        return self.ready_probe.ok if self.ready_probe else True

    # ---- one step of the agent's loop ----
    def sync(self, terminating):
        now = time.monotonic()
        if self.stop_deadline is not None and self.running and now >= self.stop_deadline:
            self.signal(signal.SIGKILL)
        if self.proc is not None and self.proc.poll() is not None:
            self._exited(terminating)
        if self.running:
            self._probe()
            return
        if terminating or self.done or now < self.restart_at:
            return
        try:
            self.start()
        except Exception as e:  # noqa: BLE001 - reported in status, retried
            self.state = {"waiting": {"reason": "CreateContainerConfigError", "message": str(e)}}
            self.restart_at = now + 2

    def _exited(self, terminating):
        code = self.proc.returncode
        code = 128 - code if code < 0 else code  # killed by signal N -> 128+N, as a runtime does
        ran = time.monotonic() - self.started_at
        self.proc, self.stop_deadline = None, None
        term = {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
                "startedAt": self.state.get("running", {}).get("startedAt", now_rfc3339()),
                "finishedAt": now_rfc3339(), "containerID": self.container_id()}
        policy = self.pod.spec.get("restartPolicy", "Always")
        restart = not terminating and (
            policy == "Always" and not self.init or
            (policy == "OnFailure" or self.init and policy == "Always") and code != 0)
        if not restart:
            self.state, self.done, self.succeeded = {"terminated": term}, True, code == 0
            return
        self.last_state = {"terminated": term}
        self.restart_count += 1
        # Kubelet-style exponential backoff, shorter so tests need not wait minutes; a
        # container that ran a while starts over from the smallest delay.
        exponent = 0 if ran > 60 else min(self.restart_count - 1, 10)
        delay = min(self.pod.agent.backoff_base * 2 ** exponent, self.pod.agent.backoff_cap)
        self.restart_at = time.monotonic() + delay
        self.state = {"waiting": {"reason": "CrashLoopBackOff",
                                  "message": f"back-off {delay:g}s restarting failed container"}}

    def _probe(self):
        pool, ip, args = self.pod.agent.pool, self.pod.ip, (self.spec, self.env, self.cwd)
        if self.startup_probe and not self.startup_probe.ok:
            self.startup_probe.tick(pool, ip, *args)
            if self.startup_probe.failures >= self.startup_probe.spec.get("failureThreshold", 3):
                self.stop(self.pod.grace())
            return
        if self.ready_probe:
            self.ready_probe.tick(pool, ip, *args)
        if self.live_probe and self.live_probe.tick(pool, ip, *args):
            self._log("liveness probe failed: restarting")
            self.stop(self.pod.grace())

    def _log(self, text):
        with open(self.pod.agent.log_path(self.pod.key, self.name), "a") as f:
            f.write(f"=== {now_rfc3339()} {text}\n")

    def container_id(self):
        return f"kube-local://{self.pod.key}/{self.name}/{self.restart_count}"

    def status(self):
        s = {"name": self.name, "image": self.spec.get("image", ""),
             "imageID": self.spec.get("image", ""), "containerID": self.container_id(),
             "ready": self.ready, "started": self.started, "restartCount": self.restart_count,
             "state": self.state}
        if self.last_state:
            s["lastState"] = self.last_state
        return s
