"""Runs the Java client CLI (tests/java, built by scripts/install-test-deps.sh)."""

import os
from pathlib import Path

from . import cli

REPO = Path(__file__).resolve().parents[3]
DEFAULT_JAR = REPO / "tests" / "java" / "target" / "runnel-itest-client.jar"


def jar() -> Path:
    path = Path(os.environ.get("RUNNEL_ITEST_CLIENT_JAR", DEFAULT_JAR))
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run scripts/install-test-deps.sh")
    return path


def command(subcommand: str, bootstrap: str, **opts) -> list[str]:
    return ["java", "-jar", str(jar()), subcommand, "--bootstrap", bootstrap] + cli.flags(opts)


def run(subcommand: str, bootstrap: str, timeout: float = 180, **opts) -> tuple[int, dict]:
    """Runs one subcommand; returns (exit code, parsed "key=value" result line)."""
    return cli.run(command(subcommand, bootstrap, **opts), timeout)


def check(subcommand: str, bootstrap: str, timeout: float = 180, **opts) -> dict:
    """run() that asserts success."""
    return cli.check(f"java {subcommand}", command(subcommand, bootstrap, **opts), timeout, want_ok=False)
