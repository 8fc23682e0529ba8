"""Runs the Node.js client CLI (tests/clients/node/runnel-node-client.js over kafkajs, whose
node_modules scripts/install-test-deps.sh installs with `npm ci`)."""

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from . import cli

REPO = Path(__file__).resolve().parents[3]
NODE_DIR = REPO / "tests" / "clients" / "node"
CLI = NODE_DIR / "runnel-node-client.js"


def node() -> str:
    path = os.environ.get("RUNNEL_ITEST_NODE") or shutil.which("node")
    if not path:
        raise FileNotFoundError("node not on PATH (Node.js >= 18 is needed for the kafkajs tests)")
    return path


def command(subcommand: str, bootstrap: str, **opts) -> list[str]:
    if not (NODE_DIR / "node_modules" / "kafkajs" / "package.json").exists():
        raise FileNotFoundError(f"{NODE_DIR}/node_modules/kafkajs missing: "
                                "run scripts/install-test-deps.sh")
    return [node(), str(CLI), subcommand, "--bootstrap", bootstrap] + cli.flags(opts)


def run(subcommand: str, bootstrap: str, timeout: float = 180, **opts) -> tuple[int, dict]:
    """Runs one subcommand; returns (exit code, parsed "key=value" result line)."""
    return cli.run(command(subcommand, bootstrap, **opts), timeout)


def check(subcommand: str, bootstrap: str, timeout: float = 180, **opts) -> dict:
    """run() that asserts success."""
    return cli.check(f"node {subcommand}", command(subcommand, bootstrap, **opts), timeout)


def offsets_map(text: str) -> dict[int, int]:
    """'0:10,1:12' -> {0: 10, 1: 12}; '-' -> {}."""
    if not text or text == "-" or text is True:
        return {}
    return {int(p): int(o) for p, o in (item.split(":") for item in text.split(","))}


def ranges_map(text: str) -> dict[int, list[tuple[int, int]]]:
    """'0:0-9/20-29;1:0-5' -> {0: [(0, 9), (20, 29)], 1: [(0, 5)]}; '-' -> {}."""
    out: dict[int, list[tuple[int, int]]] = {}
    if not text or text == "-" or text is True:
        return out
    for part in text.split(";"):
        p, spans = part.split(":")
        out[int(p)] = [tuple(int(x) for x in s.split("-")) for s in spans.split("/")]
    return out


class Background:
    """A CLI subcommand running in the background whose stdout lines are collected (parsed, with
    the time they arrived) by a reader thread."""

    def __init__(self, subcommand: str, bootstrap: str, name: str = "", **opts):
        self.name = name or subcommand
        self.proc = subprocess.Popen(command(subcommand, bootstrap, **opts), text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        self.lines: list[dict] = []
        self._stderr: list[str] = []
        self._threads = [threading.Thread(target=self._read_stdout, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for t in self._threads:
            t.start()

    def _read_stdout(self):
        for line in self.proc.stdout:
            fields = cli.parse(line)
            fields["_line"] = line.rstrip("\n")
            self.lines.append(fields)

    def _read_stderr(self):
        for line in self.proc.stderr:
            self._stderr.append(line)
            del self._stderr[:-200]

    def stderr_tail(self) -> str:
        return "".join(self._stderr[-40:])

    def events(self, kind: str) -> list[dict]:
        return [f for f in list(self.lines) if f.get("_event") == kind]

    def close(self, timeout: float = 60) -> int:
        """Asks the process to finish ("close" on stdin, then EOF) and waits for it."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("close\n")
                self.proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            rc = self.proc.returncode
        for t in self._threads:
            t.join(timeout=10)
        return rc

    def wait(self, timeout: float) -> int:
        rc = self.proc.wait(timeout=timeout)
        for t in self._threads:
            t.join(timeout=10)
        return rc

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=30)

    def describe(self) -> str:
        return (f"---- {self.name} (rc={self.proc.poll()}) stdout tail ----\n"
                + "\n".join(f["_line"] for f in self.lines[-30:])
                + f"\n---- {self.name} stderr tail ----\n" + self.stderr_tail())
