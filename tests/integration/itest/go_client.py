"""Runs the Go client CLI (tests/clients/go: franz-go, built by scripts/install-test-deps.sh).

Every subcommand prints a final "key=value ... ok|error=..." line; run() parses it like
java_tool.run(). Long-running commands (group-member, a paced produce) run as a Process that reads
their "assigned=..." and "status key=value ..." lines while they run.
"""

import os
import subprocess
import threading
import time
from pathlib import Path

from . import cli

REPO = Path(__file__).resolve().parents[3]
DEFAULT_BIN = REPO / "tests" / "clients" / "go" / "bin" / "runnel-go-client"

# Every command gives up once it saw this many fetch session errors (error=fetch_session_loop):
# a broker stuck answering INVALID_FETCH_SESSION_EPOCH makes the client spin at wire speed, and
# a test should fail on that quickly instead of burning both cores until its deadline.
MAX_SESSION_ERRORS = 200


def binary() -> Path:
    path = Path(os.environ.get("RUNNEL_ITEST_GO_CLIENT", DEFAULT_BIN))
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run scripts/install-test-deps.sh")
    return path


def command(subcommand: str, bootstrap: str, **opts) -> list[str]:
    opts.setdefault("max_session_errors", MAX_SESSION_ERRORS)
    return [str(binary()), subcommand, "--bootstrap=" + bootstrap] + cli.flags(opts, joined=True)


def run(subcommand: str, bootstrap: str, timeout: float = 180, **opts) -> tuple[int, dict]:
    """Runs one subcommand to completion; returns (exit code, parsed result line)."""
    return cli.run(command(subcommand, bootstrap, **opts), timeout)


def check(subcommand: str, bootstrap: str, timeout: float = 180, **opts) -> dict:
    """run() that asserts success."""
    return cli.check(f"go {subcommand}", command(subcommand, bootstrap, **opts), timeout)


class Process:
    """A subcommand running in the background. Its stdout is read by a thread: `assignment`
    (the last "assigned=" line, as a set of partitions), `status` (the last "status" line) and
    `result` (the final line, once it exited). stderr goes to a file (no pipe to fill up)."""

    def __init__(self, subcommand: str, bootstrap: str, stderr_path: Path, name: str = "",
                 **opts):
        self.name = name or subcommand
        self.stderr_path = Path(stderr_path)
        self.assignment: set[int] | None = None
        self.assignments = 0
        self.status: dict = {}
        self.result: dict | None = None
        self.lines: list[str] = []
        self.killed = False
        self._lock = threading.Lock()
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(command(subcommand, bootstrap, **opts),
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=err, text=True, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        last = ""
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            with self._lock:
                self.lines.append(line)
                if line.startswith("assigned="):
                    v = line.partition("=")[2]
                    self.assignment = set() if v == "-" else {int(p) for p in v.split(",")}
                    self.assignments += 1
                elif line.startswith("status "):
                    self.status = cli.parse(line[len("status "):])
                else:
                    last = line
        self.proc.wait()
        with self._lock:
            self.result = cli.parse(last)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stat(self, key: str, default: int = 0) -> int:
        """An integer field of the latest status line (or of the result once it exited)."""
        with self._lock:
            src = self.result if self.result is not None else self.status
            try:
                return int(src.get(key, default))
            except (TypeError, ValueError):
                return default

    def close(self, timeout: float = 60) -> dict:
        """Asks a --watch-stdin=true process to close (stdin "close"), waits for its result."""
        if self.alive():
            try:
                self.proc.stdin.write("close\n")
                self.proc.stdin.flush()
                self.proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
        return self.wait(timeout)

    def wait(self, timeout: float = 120) -> dict:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.name} did not finish within {timeout}s; "
                                 f"last lines: {self.lines[-5:]}\n{self.stderr_tail()}")
        self._reader.join(timeout=10)
        return self.result or {}

    def kill(self) -> None:
        """SIGKILL: no LeaveGroup, no final line."""
        if self.alive():
            self.killed = True
            os.killpg(self.proc.pid, 9)
        self.proc.wait(timeout=30)
        self._reader.join(timeout=10)

    def stderr_tail(self, chars: int = 3000) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""


def read_record_log(path: Path) -> list[tuple]:
    """The events of a group-member --record-log: ("a", {partitions}) and ("r", p, offset)."""
    events = []
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return events
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "a":
            ps = set() if parts[1] == "-" else {int(p) for p in parts[1].split(",")}
            events.append(("a", ps))
        elif len(parts) == 3 and parts[0] == "r":
            events.append(("r", int(parts[1]), int(parts[2])))
    return events


def wait_for(cond, timeout: float, what: str, check=None, interval: float = 0.1) -> None:
    """Waits until cond() holds; check() runs every round and may raise to fail early."""
    deadline = time.monotonic() + timeout
    while True:
        if check is not None:
            check()
        if cond():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
