"""A real Prometheus (Debian's /usr/bin/prometheus) on loopback, scraping given targets every
second and loading the project's alert rules, queried through its HTTP API."""

import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


def http_get(url: str, timeout: float = 10.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Prometheus:
    def __init__(self, workdir: Path, port: int, jobs: dict[str, str | list[str]], rule_files: list[Path]):
        """jobs: job name -> host:port of a /metrics endpoint, or a list of them."""
        self.port = port
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        cfg = ["global:", "  scrape_interval: 1s", "  evaluation_interval: 1s", "rule_files:"]
        cfg += [f"  - {p}" for p in rule_files]
        cfg += ["scrape_configs:"]
        for job, target in jobs.items():
            targets = ", ".join(f"'{t}'" for t in ([target] if isinstance(target, str) else target))
            cfg += [f"  - job_name: {job}", "    scrape_interval: 1s",
                    "    static_configs:", f"      - targets: [{targets}]"]
        (self.dir / "prometheus.yml").write_text("\n".join(cfg) + "\n")
        self.log_path = self.dir / "prometheus.log"
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={self.dir / 'prometheus.yml'}",
             f"--storage.tsdb.path={self.dir / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, path: str, **params) -> tuple[int, dict]:
        status, body = http_get(f"{self.url}/api/v1/{path}?" + urllib.parse.urlencode(params))
        return status, json.loads(body)

    def query(self, promql: str) -> dict:
        """The full API answer (status, data or errorType/error); never raises on a bad query."""
        return self.api("query", query=promql)[1]

    def failures(self, expressions, need_series=lambda e: False) -> list[str]:
        """Expressions (promql_sources.Expression) that do not evaluate, or that return no
        series where need_series(e) says they must, each with why."""
        out = []
        for e in expressions:
            answer = self.query(e.promql)
            if answer.get("status") != "success":
                out.append(f"{e.source}: {answer.get('errorType')}: {answer.get('error')}\n    {e.promql}")
            elif need_series(e) and not answer["data"]["result"]:
                out.append(f"{e.source}: no series\n    {e.promql}")
        return out

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "prometheus exited:\n" + self.log_tail()
            try:
                if http_get(f"{self.url}/-/ready", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError("prometheus not ready\n" + self.log_tail())

    def wait_targets_up(self, jobs: list[str], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.api("targets")[1]["data"]["activeTargets"]
            health: dict[str, list[str]] = {}
            for t in last:
                health.setdefault(t["labels"]["job"], []).append(t["health"])
            if all(health.get(j) and set(health[j]) == {"up"} for j in jobs):
                return
            time.sleep(0.5)
        raise TimeoutError(f"targets not up: {last}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
