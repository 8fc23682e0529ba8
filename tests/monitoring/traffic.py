"""Client traffic that makes every broker series the dashboards read exist and move: acks=all
produce (fsync, group commit), a live consumer group that consumes and commits continuously
(Stable, members > 0), a group that consumed part of the topic and left (Empty, lag > 0), and one
request that fails (TOPIC_ALREADY_EXISTS) so the error panels have a series. Bounded: it stops
when told to, or after max_seconds."""

import threading
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

TOPIC = "monitoring-orders"
LIVE_GROUP = "monitoring-live"
STOPPED_GROUP = "monitoring-stopped"
PARTITIONS = 3


class Traffic:
    def __init__(self, bootstrap: str, max_seconds: float = 600):
        self.bootstrap = bootstrap
        self.max_seconds = max_seconds
        self.stop_event = threading.Event()
        self.errors: list[str] = []
        self.produced = 0
        self.consumed = 0
        self.threads: list[threading.Thread] = []

    def setup(self) -> None:
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        admin.create_topics([NewTopic(TOPIC, PARTITIONS, 1)])[TOPIC].result(timeout=30)
        # The same again: answered TOPIC_ALREADY_EXISTS, counted in runnel_requests_total{error}.
        try:
            admin.create_topics([NewTopic(TOPIC, PARTITIONS, 1)])[TOPIC].result(timeout=30)
            self.errors.append("second CreateTopics did not fail")
        except Exception:
            pass
        self._produce_batch(2000)
        self._consume_and_leave(STOPPED_GROUP, 600)

    def _produce_batch(self, count: int) -> None:
        p = Producer({"bootstrap.servers": self.bootstrap, "acks": "all", "linger.ms": 2})
        for i in range(count):
            p.produce(TOPIC, key=str(i % 17).encode(), value=b"v" * 200)
            if i % 500 == 0:
                p.poll(0)
        assert p.flush(30) == 0, "produce did not complete"
        self.produced += count

    def _consume_and_leave(self, group: str, count: int) -> None:
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": group,
                      "auto.offset.reset": "earliest", "enable.auto.commit": False})
        c.subscribe([TOPIC])
        got = 0
        deadline = time.monotonic() + 60
        while got < count and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                got += 1
        assert got >= count, f"group {group} consumed only {got}"
        c.commit(asynchronous=False)
        c.close()

    def start(self) -> None:
        self.threads = [threading.Thread(target=self._guard, args=(f,), daemon=True)
                        for f in (self._produce_steadily, self._consume_steadily)]
        for t in self.threads:
            t.start()

    def _guard(self, fn) -> None:
        try:
            fn()
        except Exception as e:  # reported by the test, not lost in a thread
            self.errors.append(f"{fn.__name__}: {e!r}")

    def _running(self, started: float) -> bool:
        return not self.stop_event.is_set() and time.monotonic() - started < self.max_seconds

    def _produce_steadily(self) -> None:
        p = Producer({"bootstrap.servers": self.bootstrap, "acks": "all", "linger.ms": 5})
        started = time.monotonic()
        i = 0
        while self._running(started):
            for _ in range(50):
                p.produce(TOPIC, key=str(i % 17).encode(), value=b"w" * 300)
                i += 1
            p.poll(0)
            time.sleep(0.1)  # ~500 records/s
        p.flush(30)
        self.produced += i

    def _consume_steadily(self) -> None:
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": LIVE_GROUP,
                      "auto.offset.reset": "earliest", "enable.auto.commit": False})
        c.subscribe([TOPIC])
        started = time.monotonic()
        last_commit = time.monotonic()
        pending = False  # committing with nothing new consumed fails with _NO_OFFSET
        while self._running(started):
            m = c.poll(0.2)
            if m is not None and not m.error():
                self.consumed += 1
                pending = True
            if pending and time.monotonic() - last_commit > 0.5:
                c.commit(asynchronous=False)
                pending = False
                last_commit = time.monotonic()
            # Consume slower than the producer so this group's lag is never 0 for long.
            time.sleep(0.004)
        c.close()

    def stop(self) -> None:
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=60)
