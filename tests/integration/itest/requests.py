"""Builders and parsers for the few raw requests the bad-input tests send (non-flexible versions:
Produce v7, Metadata v4, CreateTopics v4)."""

from .wire import (API_CREATE_TOPICS, API_METADATA, API_PRODUCE, Connection, array, i8, i16,
                   i32, nbytes, string)


def produce_v7(conn: Connection, topic: str, partition: int, batch: bytes,
               acks: int = -1) -> tuple[int, int]:
    """Returns (error_code, base_offset) of the single partition in the response."""
    body = string(None) + i16(acks) + i32(30000) + array([
        string(topic) + array([i32(partition) + nbytes(batch)])])
    _, r = conn.request(API_PRODUCE, 7, body)
    topics = r.array(lambda t: (t.string(), t.array(
        lambda p: (p.i32(), p.i16(), p.i64(), p.i64(), p.i64()))))
    (_, parts), = topics
    (_, err, base_offset, _, _), = parts
    return err, base_offset


def metadata_v4(conn: Connection, topics: list[str] | None,
                allow_auto_create: bool) -> dict[str, tuple[int, int]]:
    """Returns {topic: (error_code, partition_count)}."""
    body = array(None if topics is None else [string(t) for t in topics])
    body += i8(1 if allow_auto_create else 0)
    _, r = conn.request(API_METADATA, 4, body)
    r.i32()  # throttle_time_ms
    r.array(lambda b: (b.i32(), b.string(), b.i32(), b.string()))  # brokers
    r.string()  # cluster_id
    r.i32()  # controller_id

    def topic(t):
        err = t.i16()
        name = t.string()
        t.i8()  # is_internal
        parts = t.array(lambda p: (p.i16(), p.i32(), p.i32(), p.array(lambda x: x.i32()),
                                   p.array(lambda x: x.i32())))
        return name, err, len(parts or [])

    return {name: (err, n) for name, err, n in r.array(topic)}


def create_topics_v4(conn: Connection, name: str, partitions: int = 1,
                     replication: int = 1) -> tuple[int, str | None]:
    """Returns (error_code, error_message) for the one topic."""
    topic = string(name) + i32(partitions) + i16(replication) + array([]) + array([])
    body = array([topic]) + i32(30000) + i8(0)
    _, r = conn.request(API_CREATE_TOPICS, 4, body)
    r.i32()  # throttle_time_ms
    (_, err, msg), = r.array(lambda t: (t.string(), t.i16(), t.string()))
    return err, msg
