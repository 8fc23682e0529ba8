"""Container probes (httpGet, tcpSocket, exec) with the kubelet's counting rules.

Each probe runs on a worker thread (a slow endpoint must not stall the agent's loop); the
agent's loop calls `tick` and reads `ok`.
"""

import http.client
import socket
import ssl
import subprocess
import time


def _port(port, container):
    if isinstance(port, int) or str(port).isdigit():
        return int(port)
    for p in container.get("ports", []):
        if p.get("name") == port:
            return int(p["containerPort"])
    raise ValueError(f"no container port named {port}")


def run_probe(spec, pod_ip, container, env, cwd):
    """Returns True when the probe succeeds; never raises."""
    timeout = spec.get("timeoutSeconds", 1)
    try:
        if "httpGet" in spec:
            g = spec["httpGet"]
            host, port = g.get("host") or pod_ip, _port(g["port"], container)
            if g.get("scheme", "HTTP").upper() == "HTTPS":
                conn = http.client.HTTPSConnection(
                    host, port, timeout=timeout, context=ssl._create_unverified_context())
            else:
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
            try:
                headers = {h["name"]: h["value"] for h in g.get("httpHeaders", [])}
                conn.request("GET", g.get("path", "/"), headers=headers)
                return 200 <= conn.getresponse().status < 400
            finally:
                conn.close()
        if "tcpSocket" in spec:
            t = spec["tcpSocket"]
            port = _port(t["port"], container)
            with socket.create_connection((t.get("host") or pod_ip, port), timeout=timeout):
                return True
        if "exec" in spec:
            r = subprocess.run(spec["exec"]["command"], env=env, cwd=cwd, timeout=timeout,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return r.returncode == 0
    except Exception:  # noqa: BLE001 - any failure to probe is a failed probe
        return False
    return False  # grpc and unknown handlers: not supported


class Probe:
    def __init__(self, spec, default_ok):
        self.spec = spec
        self.ok = default_ok
        self.successes = self.failures = 0
        self.next_at = None
        self.future = None

    def reset(self, started_at, default_ok):
        self.ok = default_ok
        self.successes = self.failures = 0
        self.next_at = started_at + self.spec.get("initialDelaySeconds", 0)
        self.future = None

    def tick(self, pool, pod_ip, container, env, cwd):
        """Collects a finished run and starts the next when due. Returns True when this tick
        flipped the result to failed (for liveness: time to restart)."""
        now = time.monotonic()
        flipped = False
        if self.future is not None and self.future.done():
            success = self.future.result()
            self.future = None
            if success:
                self.successes, self.failures = self.successes + 1, 0
                if self.successes >= self.spec.get("successThreshold", 1):
                    self.ok = True
            else:
                self.failures, self.successes = self.failures + 1, 0
                if self.failures >= self.spec.get("failureThreshold", 3) and self.ok is not False:
                    self.ok = False
                    flipped = True
        if self.future is None and self.next_at is not None and now >= self.next_at:
            self.next_at = now + self.spec.get("periodSeconds", 10)
            self.future = pool.submit(run_probe, self.spec, pod_ip, container, env, cwd)
        return flipped
