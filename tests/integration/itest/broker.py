"""Starts and stops the broker under test: Runnel's binary, or a real Apache Kafka when
RUNNEL_ITEST_TARGET=kafka (used to prove that the tests encode Kafka's real behaviour).

Runnel is started as
    runnel-broker --override listeners=PLAINTEXT://127.0.0.1:PORT --override log.dirs=DIR
                  --override node.id=1 --override runnel.admin.listeners=http://127.0.0.1:APORT
                  [--override key=value ...]
(its own free admin port, so that brokers of parallel tests never clash on the default 9644).
Kafka is started through bench/kafka/run-kafka.sh DIR PORT CONTROLLER_PORT [--override ...].
"""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from .wire import Connection, api_versions

REPO = Path(__file__).resolve().parents[3]
KAFKA_SCRIPT = REPO / "bench" / "kafka" / "run-kafka.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def target() -> str:
    t = os.environ.get("RUNNEL_ITEST_TARGET", "runnel")
    if t not in ("runnel", "kafka"):
        raise ValueError(f"RUNNEL_ITEST_TARGET must be runnel or kafka, not {t!r}")
    return t


class BrokerProcess:
    """One broker process on 127.0.0.1 with its own data directory. restart() and kill9() keep
    the port and the directory, so data must survive them."""

    def __init__(self, data_dir: Path, binary: str | None = None,
                 overrides: dict[str, str] | None = None):
        self.kind = target()
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.binary = binary
        self.overrides = dict(overrides or {})
        self.port = free_port()
        self.controller_port = free_port()
        self.admin_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = self.data_dir.parent / (self.data_dir.name + ".log")
        self.starts = 0

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def admin_url(self) -> str:
        """Base URL of the admin HTTP API (/metrics, /healthz, /readyz, /v1/...)."""
        return f"http://127.0.0.1:{self.admin_port}"

    def command(self) -> list[str]:
        extra = []
        for k, v in self.overrides.items():
            extra += ["--override", f"{k}={v}"]
        if self.kind == "kafka":
            return [str(KAFKA_SCRIPT), str(self.data_dir), str(self.port),
                    str(self.controller_port)] + extra
        if not self.binary or not Path(self.binary).exists():
            raise FileNotFoundError(f"broker binary not found: {self.binary!r} "
                                    "(pass --broker-bin or set RUNNEL_BROKER_BIN)")
        admin = []
        if not {"runnel.admin.listeners", "admin.listeners"} & self.overrides.keys():
            admin = ["--override", f"runnel.admin.listeners=http://127.0.0.1:{self.admin_port}"]
        return [self.binary,
                "--override", f"listeners=PLAINTEXT://127.0.0.1:{self.port}",
                "--override", f"log.dirs={self.data_dir / 'logs'}",
                "--override", "node.id=1"] + admin + extra

    def start(self, timeout: float = 60.0) -> None:
        assert self.proc is None, "already running"
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(f"\n===== start #{self.starts}: {' '.join(self.command())}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop(timeout=5)  # failed start: leave nothing running, report it once
            raise

    def wait_ready(self, timeout: float) -> None:
        """Ready = the port accepts and ApiVersions v0 answers with error 0."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"broker exited with {self.proc.returncode} during startup\n"
                                   + self.log_tail())
            try:
                with Connection(self.host, self.port, timeout=2.0) as c:
                    _, err, versions = api_versions(c)
                    if err == 0 and versions:
                        return
                    last = f"ApiVersions error {err}"
            except OSError as e:
                last = repr(e)
            time.sleep(0.1)
        raise TimeoutError(f"broker not ready after {timeout}s ({last})\n" + self.log_tail())

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        """SIGKILL, no chance to flush or clean up: what a crash looks like."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM and wait; SIGKILL if it does not exit. Returns the exit code."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
            except ProcessLookupError:
                pass
        return proc.returncode

    def restart(self, timeout: float = 120.0) -> None:
        self.stop()
        self.start(timeout)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "(no broker log)"
        return "---- broker log tail ----\n" + "\n".join(text[-lines:])
