"""Deterministic record contents shared by every client family.

Mirrors tests/java/src/main/java/dev/runnel/itest/Payloads.java, so a record written by one client
can be verified byte for byte by any other:
    key   = "k<partition>:<seq>"
    value = "p<partition>:s<seq>:" repeated and cut to exactly value_size bytes
where seq is the record's position within its partition. A producer run sends record i to
partition i % P with seq i // P.
"""

DEFAULT_VALUE_SIZE = 100


def key(partition: int, seq: int) -> bytes:
    return b"k%d:%d" % (partition, seq)


def value(partition: int, seq: int, size: int = DEFAULT_VALUE_SIZE) -> bytes:
    unit = b"p%d:s%d:" % (partition, seq)
    return (unit * (size // len(unit) + 1))[:size]


def placement(i: int, partitions: int) -> tuple[int, int]:
    """(partition, seq) of the i-th record of a produce run."""
    return i % partitions, i // partitions


class Verifier:
    """Checks consumed records: per partition, seq 0, 1, 2, ... in increasing offset order, with
    exact key and value bytes. Raises AssertionError naming the first bad record."""

    def __init__(self, partitions: int, value_size: int = DEFAULT_VALUE_SIZE):
        self.value_size = value_size
        self.next_seq = [0] * partitions
        self.last_offset = [-1] * partitions
        self.total = 0

    def check(self, partition: int, offset: int, k: bytes | None, v: bytes | None) -> None:
        assert 0 <= partition < len(self.next_seq), f"unexpected partition {partition}"
        assert offset > self.last_offset[partition], (
            f"p{partition}: offset {offset} after {self.last_offset[partition]}")
        self.last_offset[partition] = offset
        seq = self.next_seq[partition]
        assert k == key(partition, seq), f"p{partition}@{offset}: key {k!r} != seq {seq}"
        assert v == value(partition, seq, self.value_size), (
            f"p{partition}@{offset}: value mismatch for seq {seq}: {v[:40]!r}...")
        self.next_seq[partition] = seq + 1
        self.total += 1
