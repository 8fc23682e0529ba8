"""Runs the Java client CLI (tests/java, built by scripts/install-test-deps.sh)."""

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
DEFAULT_JAR = REPO / "tests" / "java" / "target" / "runnel-itest-client.jar"


def jar() -> Path:
    path = Path(os.environ.get("RUNNEL_ITEST_CLIENT_JAR", DEFAULT_JAR))
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run scripts/install-test-deps.sh")
    return path


def run(subcommand: str, bootstrap: str, timeout: float = 180, **opts) -> tuple[int, dict]:
    """Runs one subcommand; returns (exit code, parsed "key=value" result line)."""
    cmd = ["java", "-jar", str(jar()), subcommand, "--bootstrap", bootstrap]
    for k, v in opts.items():
        cmd += ["--" + k.replace("_", "-"), str(v).lower() if isinstance(v, bool) else str(v)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    lines = res.stdout.strip().splitlines()
    last = lines[-1] if lines else ""
    fields = {}
    for tok in last.split(" "):
        k, sep, v = tok.partition("=")
        fields[k] = v if sep else True
    fields["_stdout"] = res.stdout
    fields["_stderr"] = res.stderr[-4000:]
    return res.returncode, fields


def check(subcommand: str, bootstrap: str, **opts) -> dict:
    """run() that asserts success."""
    rc, fields = run(subcommand, bootstrap, **opts)
    assert rc == 0, f"java {subcommand} failed rc={rc}: {fields['_stdout']}\n{fields['_stderr']}"
    return fields
