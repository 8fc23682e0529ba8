"""A three-voter metadata quorum on loopback for the quorum monitoring test: each node is a
broker+controller (process.roles=broker,controller) with its own Kafka, controller and admin
ports on 127.0.0.1, formatted for one cluster id first, as docs/cluster.md does by hand."""

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from exporters import free_port


class QuorumNode:
    def __init__(self, binary: str, workdir: Path, node_id: int):
        self.binary = binary
        self.node_id = node_id
        self.dir = workdir / f"n{node_id}"
        self.port, self.controller_port, self.admin_port = free_port(), free_port(), free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = workdir / f"n{node_id}.log"

    @property
    def voter(self) -> str:
        return f"{self.node_id}@127.0.0.1:{self.controller_port}"

    @property
    def admin_target(self) -> str:
        return f"127.0.0.1:{self.admin_port}"

    def configure(self, voters: str, cluster_id: str) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.properties = self.dir.parent / f"n{self.node_id}.properties"
        self.properties.write_text("\n".join([
            "process.roles=broker,controller",
            f"node.id={self.node_id}",
            f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            f"controller.quorum.voters={voters}",
            f"log.dirs={self.dir / 'logs'}",
            "runnel.cores=1",
            f"runnel.admin.listeners=http://{self.admin_target}",
            "offsets.topic.replication.factor=1",
        ]) + "\n")
        subprocess.run([self.binary, "format", "-t", cluster_id, "-c", str(self.properties)],
                       check=True, capture_output=True, timeout=30)

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([self.binary, "--config", str(self.properties)], stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)

    def get(self, path: str) -> str:
        with urllib.request.urlopen(f"http://{self.admin_target}{path}", timeout=5) as r:
            return r.read().decode()

    def cluster(self) -> dict:
        return json.loads(self.get("/v1/cluster"))

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if not self.alive():
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill9()

    def log_tail(self) -> str:
        try:
            return f"---- node {self.node_id} ----\n" + self.log_path.read_text(errors="replace")[-2000:]
        except FileNotFoundError:
            return ""


class Quorum:
    def __init__(self, binary: str, workdir: Path, size: int = 3):
        self.nodes = [QuorumNode(binary, workdir, i) for i in range(1, size + 1)]
        voters = ",".join(n.voter for n in self.nodes)
        self.cluster_id = subprocess.run([binary, "random-uuid"], check=True, capture_output=True,
                                         text=True, timeout=10).stdout.strip()
        for n in self.nodes:
            n.configure(voters, self.cluster_id)

    def start(self, timeout: float = 60) -> None:
        for n in self.nodes:
            n.start()
        self.wait_for_leader(timeout)

    def leader(self) -> QuorumNode | None:
        """The node every live node names as active controller, if they agree and it leads."""
        seen = set()
        for n in self.nodes:
            if not n.alive():
                continue
            try:
                seen.add(n.cluster()["active_controller"])
            except OSError:
                return None
        if len(seen) != 1 or None in seen:
            return None
        leader_id = seen.pop()
        return next(n for n in self.nodes if n.node_id == leader_id)

    def wait_for_leader(self, timeout: float) -> QuorumNode:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for n in self.nodes:
                assert n.proc.poll() is None, n.log_tail()
            leader = self.leader()
            if leader is not None:
                return leader
            time.sleep(0.2)
        raise TimeoutError("no agreed leader\n" + "\n".join(n.log_tail() for n in self.nodes))

    def stop(self) -> None:
        for n in self.nodes:
            n.stop()
