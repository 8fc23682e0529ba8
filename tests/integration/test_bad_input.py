"""Malformed and hostile framing on raw sockets. Kafka's observed answers are the contract:
framing, header and parse errors close the connection; an unsupported ApiVersions version gets
error 35. (Well-framed requests with bad content are in test_bad_produce_and_topics.py.) After
every case the broker must still serve a normal client (checked by serves_clients)."""

import time

import pytest

from itest import rdkafka
from itest.wire import (API_API_VERSIONS, API_METADATA, Connection, Reader, api_versions, frame,
                        i16, i32, request_header, request_header_v2)

SOCKET_REQUEST_MAX_BYTES = 104857600  # Kafka's default socket.request.max.bytes
UNSUPPORTED_VERSION = 35


@pytest.fixture
def serves_clients(broker):
    """Runs the test, then proves the broker still works for a real client."""
    yield
    assert broker.alive(), "broker died\n" + broker.log_tail()
    with Connection(broker.host, broker.port) as c:
        _, err, versions = api_versions(c)
        assert err == 0 and API_API_VERSIONS in versions
    topic = f"after-bad-input-{time.monotonic_ns()}"
    rdkafka.produce(broker.bootstrap, topic, 10, 1, acks="all")
    rdkafka.consume_verify(broker.bootstrap, topic, 10, 1, timeout=30)


def closes(broker, data: bytes) -> bool:
    with Connection(broker.host, broker.port) as c:
        c.send_raw(data)
        return c.closed_by_peer(timeout=10)


@pytest.mark.parametrize("length", [-1, -2147483648, 0])
def test_non_positive_length_closes(broker, serves_clients, length):
    assert closes(broker, i32(length) + b"\x00\x12\x00\x00\x00\x00\x00\x01\xff\xff")


def test_frame_over_socket_request_max_bytes_closes(broker, serves_clients):
    # Only the size prefix is sent: the broker must refuse before reading (or allocating) a body.
    assert closes(broker, i32(SOCKET_REQUEST_MAX_BYTES + 1))
    assert closes(broker, i32(2**31 - 1))


def test_frame_shorter_than_header_closes(broker, serves_clients):
    assert closes(broker, frame(b"\x00\x12\x00"))
    assert closes(broker, frame(i16(API_API_VERSIONS) + i16(0) + i32(7)))  # no client id


def test_truncated_body_closes(broker, serves_clients):
    # Metadata v1 announcing 5 topic names and carrying none.
    assert closes(broker, frame(request_header(API_METADATA, 1, 9) + i32(5)))
    # A string length running past the end of the frame.
    assert closes(broker, frame(request_header(API_METADATA, 1, 10) + i32(1) + i16(40) + b"ab"))


@pytest.mark.parametrize("api_key", [9999, 32767, -1])
def test_unknown_api_key_closes(broker, serves_clients, api_key):
    assert closes(broker, frame(request_header(api_key, 0, 11)))


def test_unsupported_version_of_known_api_closes(broker, serves_clients):
    assert closes(broker, frame(request_header(API_METADATA, 99, 12) + i32(0)))
    with Connection(broker.host, broker.port) as c:
        _, _, versions = api_versions(c)
    below = [(k, lo) for k, (lo, _) in versions.items() if lo > 0 and k != API_API_VERSIONS]
    for key, lo in below[:3]:
        assert closes(broker, frame(request_header(key, lo - 1, 13) + b"\x00" * 16)), key


@pytest.mark.parametrize("version", [99, 32767])
def test_api_versions_unsupported_version_gets_error_35(broker, serves_clients, version):
    """A client newer than the broker sends ApiVersions vN (flexible header); the broker answers
    in v0 format with UNSUPPORTED_VERSION and the ApiVersions range only, so the client can retry
    with a version both sides know."""
    with Connection(broker.host, broker.port) as c:
        c.send_raw(frame(request_header_v2(API_API_VERSIONS, version, 4242)
                         + b"\x04abc\x041.0\x00"))
        resp = c.read_frame()
        assert resp is not None, "connection closed instead of error 35"
        r = Reader(resp)
        assert r.i32() == 4242
        assert r.i16() == UNSUPPORTED_VERSION
        keys = r.array(lambda x: (x.i16(), x.i16(), x.i16()))
        assert r.remaining() == 0, "response must be ApiVersions v0 layout"
        assert len(keys) == 1 and keys[0][:2] == (API_API_VERSIONS, 0) and keys[0][2] >= 3, keys
        # The connection stays usable: the retry at v0 succeeds.
        _, err, versions = api_versions(c)
        assert err == 0 and API_API_VERSIONS in versions


def test_trailing_bytes_after_valid_body_are_ignored(broker, serves_clients):
    """Kafka parses the fields it knows and ignores the rest of the frame."""
    with Connection(broker.host, broker.port) as c:
        c.send_raw(frame(request_header(API_API_VERSIONS, 0, 15) + b"junk"))
        r = Reader(c.read_frame())
        assert r.i32() == 15 and r.i16() == 0


def test_partial_frames_and_pipelining(broker, serves_clients):
    with Connection(broker.host, broker.port) as c:
        req = frame(request_header(API_API_VERSIONS, 0, 21))
        for b in req:  # one byte per send
            c.send_raw(bytes([b]))
            time.sleep(0.002)
        assert Reader(c.read_frame()).i32() == 21
        # Three requests in one send: three answers, in order.
        c.send_raw(b"".join(frame(request_header(API_API_VERSIONS, 0, n)) for n in (31, 32, 33)))
        assert [Reader(c.read_frame()).i32() for _ in range(3)] == [31, 32, 33]
    # A client that vanishes mid-frame must not disturb the broker.
    with Connection(broker.host, broker.port) as c:
        c.send_raw(req[: len(req) // 2])


def test_null_client_id_is_accepted(broker, serves_clients):
    with Connection(broker.host, broker.port) as c:
        c.send_raw(frame(request_header(API_API_VERSIONS, 0, 17, client_id=None)))
        r = Reader(c.read_frame())
        assert r.i32() == 17 and r.i16() == 0


def test_close_reasons_are_counted(broker, serves_clients):
    """runnel_connections_closed_total{reason} tells a client leaving from one thrown out."""
    from itest.metrics import samples

    def by_reason():
        out: dict[str, float] = {}
        for labels, v in samples(broker.admin_url, "runnel_connections_closed_total"):
            out[labels["reason"]] = out.get(labels["reason"], 0) + v
        return out

    before = by_reason()
    assert closes(broker, i32(-1))  # a malformed frame
    assert closes(broker, frame(request_header(API_METADATA, 1, 9) + i32(5)))  # an undecodable request
    with Connection(broker.host, broker.port) as c:
        api_versions(c)  # then the client closes: peer_closed
    deadline = time.monotonic() + 10
    want = {"malformed_frame": 1, "bad_request": 1, "peer_closed": 1}
    while True:
        after = by_reason()
        grew = {k: after.get(k, 0) - before.get(k, 0) for k in want}
        if all(grew[k] >= n for k, n in want.items()) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert all(grew[k] >= n for k, n in want.items()), grew
    assert set(after) == {"peer_closed", "malformed_frame", "bad_request", "recv_failed", "send_failed", "shutdown"}
