"""Builds the container image with scripts/image-build (buildah, base images made locally with
debootstrap and cached) and runs the broker from the image's own root filesystem:

    buildah from runnel:itest -> buildah mount -> unshare --mount --pid --fork (new PID and
    mount namespaces, /proc and /dev mounted into the rootfs) -> chroot --userspec=<image User>
    <rootfs> <image Entrypoint> <loopback overrides>

so the broker is PID 1 of its namespace, runs as the image's non-root user with the image's
entrypoint and data directory, and links only against the libraries the runtime stage installed.
Then kcat produces and consumes through it and SIGTERM must stop it cleanly (exit 0).

Needs root, buildah, debootstrap and kcat (scripts/install-test-deps.sh). The first build
downloads Debian packages and compiles the broker inside the build (~10 min on 2 cores); later
builds reuse the cached base images, layers and ccache.
"""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("RUNNEL_ITEST_IMAGE", "runnel:itest")
CONTEXT = Path(os.environ.get("RUNNEL_IMAGE_CONTEXT", str(REPO)))
MAX_IMAGE_BYTES = 120_000_000
BUILDAH = ["buildah", "--storage-driver", "vfs"]


def bh(*args: str, **kw) -> str:
    return subprocess.run(BUILDAH + list(args), check=True, capture_output=True, text=True,
                          **kw).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def operator_target_defined() -> bool:
    for cm in (CONTEXT / "operator").rglob("CMakeLists.txt"):
        if "add_executable(runnel-operator" in cm.read_text():
            return True
    return False


def parse_size(text: str) -> float:
    """buildah images prints sizes like '88.9 MB' (decimal units)."""
    m = re.fullmatch(r"([\d.]+)\s*([kMG]?B)", text.strip())
    assert m, f"unexpected size {text!r}"
    return float(m.group(1)) * {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}[m.group(2)]


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.fail("the image test needs root (debootstrap, buildah vfs storage, chroot)")
    log = tmp_path_factory.mktemp("build") / "image-build.log"
    start = time.monotonic()
    with open(log, "w") as out:
        rc = subprocess.run([str(REPO / "scripts" / "image-build")], stdout=out,
                            stderr=subprocess.STDOUT,
                            env={**os.environ, "RUNNEL_IMAGE": IMAGE,
                                 "RUNNEL_IMAGE_CONTEXT": str(CONTEXT)}).returncode
    text = log.read_text(errors="replace")
    assert rc == 0, "scripts/image-build failed:\n" + text[-6000:]
    print(f"image built in {time.monotonic() - start:.0f} s")
    return IMAGE


@pytest.fixture(scope="module")
def config(image) -> dict:
    return json.loads(bh("inspect", "--type", "image", image))["OCIv1"]["config"]


@pytest.fixture(scope="module")
def rootfs(image):
    ctr = bh("from", "--pull-never", image)
    try:
        yield Path(bh("mount", ctr))
    finally:
        subprocess.run(BUILDAH + ["umount", ctr], capture_output=True)
        subprocess.run(BUILDAH + ["rm", ctr], capture_output=True)


def test_image_size_is_under_120_mb(image):
    listing = json.loads(bh("images", "--json", image))
    size = parse_size(listing[0]["size"])
    print(f"{image}: {size / 1e6:.1f} MB")
    assert 0 < size < MAX_IMAGE_BYTES


def test_image_config(config):
    assert config["User"] == "10001:10001"
    assert set(config["ExposedPorts"]) == {"9092/tcp", "9644/tcp"}
    assert config["Entrypoint"][0] == "/usr/local/bin/runnel-broker"
    assert "/var/lib/runnel/data" in config.get("Volumes", {})
    labels = config["Labels"]
    for key in ("title", "description", "version", "revision"):
        assert labels.get(f"org.opencontainers.image.{key}"), key


def test_binaries_present_and_fully_linked(rootfs):
    expected = ["runnel-broker"] + (["runnel-operator"] if operator_target_defined() else [])
    present = sorted(p.name for p in (rootfs / "usr/local/bin").iterdir())
    assert present == sorted(expected)
    for name in expected:
        out = subprocess.run(["chroot", str(rootfs), "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                              "--list", f"/usr/local/bin/{name}"],
                             capture_output=True, text=True)
        assert out.returncode == 0 and "not found" not in out.stdout, out.stdout + out.stderr
        version = subprocess.run(["chroot", str(rootfs), f"/usr/local/bin/{name}", "--version"],
                                 capture_output=True, text=True, timeout=30)
        assert version.returncode == 0, version.stderr
    # No compiler or headers leaked into the runtime stage.
    assert not (rootfs / "usr/bin/g++").exists()
    assert not (rootfs / "usr/include/liburing.h").exists()


def test_data_dir_writable_only_by_runtime_user(rootfs, config):
    data = rootfs / "var/lib/runnel/data"
    st = data.stat()
    uid, gid = (int(x) for x in config["User"].split(":"))
    assert (st.st_uid, st.st_gid) == (uid, gid)


def wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "broker exited during startup:\n" + log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError("broker in the image never became ready:\n" + log.read_text()[-3000:])


def ns_pid(host_pid: int) -> list[int]:
    for line in Path(f"/proc/{host_pid}/status").read_text().splitlines():
        if line.startswith("NSpid:"):
            return [int(x) for x in line.split()[1:]]
    return []


def test_broker_runs_from_the_image_rootfs(rootfs, config, tmp_path):
    port, admin = free_port(), free_port()
    args = config["Entrypoint"] + [
        "--override", f"listeners=PLAINTEXT://127.0.0.1:{port}",
        "--override", f"runnel.admin.listeners=http://127.0.0.1:{admin}",
        "--override", "offsets.topic.replication.factor=1",
    ]
    workdir = config.get("WorkingDir", "/")
    script = (f'mount --rbind /dev "{rootfs}/dev" && cd "{rootfs}{workdir}" && '
              f'exec chroot --userspec={config["User"]} "{rootfs}" ' + " ".join(args))
    log = tmp_path / "broker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["unshare", "--mount", "--pid", "--fork", "--kill-child",
                                 f"--mount-proc={rootfs}/proc", "sh", "-c", script],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    try:
        wait_ready(f"http://127.0.0.1:{admin}/readyz", proc, log)
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                  text=True).stdout.split()
        assert len(children) == 1, children
        broker_pid = int(children[0])
        status = Path(f"/proc/{broker_pid}/status").read_text()
        assert re.search(r"^Uid:\s+10001\s", status, re.M), status
        assert ns_pid(broker_pid)[-1] == 1, "broker is not PID 1 of its namespace"
        assert Path(f"/proc/{broker_pid}/exe").resolve() == rootfs / "usr/local/bin/runnel-broker"

        bootstrap = f"127.0.0.1:{port}"
        records = [f"key{i}:value-{i}" for i in range(5)]
        subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "image-test", "-K", ":",
                        "-X", "acks=all"], input="\n".join(records) + "\n", text=True,
                       check=True, timeout=30)
        got = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "image-test", "-o", "beginning",
                              "-c", str(len(records)), "-e", "-f", "%k:%s\n"],
                             capture_output=True, text=True, check=True, timeout=30).stdout
        assert got.splitlines() == records
        # The data landed in the image's data directory, written as the runtime user.
        part = rootfs / "var/lib/runnel/data/image-test-0"
        assert part.is_dir() and part.stat().st_uid == 10001

        os.kill(broker_pid, signal.SIGTERM)
        rc = proc.wait(timeout=30)
        text = log.read_text(errors="replace")
        assert rc == 0, f"exit {rc} after SIGTERM\n{text[-3000:]}"
        assert "received signal 15" in text and "runnel-broker stopped" in text, text[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()  # kills the namespace's init, hence the broker
            proc.wait(timeout=30)
