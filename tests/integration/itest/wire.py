"""A tiny raw Kafka wire codec for tests that must send exactly the bytes they choose.

Only non-flexible request versions are used (request header v1: api_key, api_version,
correlation_id, client_id), so no tagged fields are needed. Enough to probe readiness and to craft
malformed requests; real traffic goes through real clients.
"""

import socket
import struct

API_PRODUCE = 0
API_LIST_OFFSETS = 2
API_METADATA = 3
API_API_VERSIONS = 18
API_CREATE_TOPICS = 19


def i8(v: int) -> bytes:
    return struct.pack(">b", v)


def i16(v: int) -> bytes:
    return struct.pack(">h", v)


def i32(v: int) -> bytes:
    return struct.pack(">i", v)


def i64(v: int) -> bytes:
    return struct.pack(">q", v)


def string(s: str | None) -> bytes:
    if s is None:
        return i16(-1)
    b = s.encode()
    return i16(len(b)) + b


def nbytes(b: bytes | None) -> bytes:
    if b is None:
        return i32(-1)
    return i32(len(b)) + b


def array(items: list[bytes] | None) -> bytes:
    if items is None:
        return i32(-1)
    return i32(len(items)) + b"".join(items)


def request_header(api_key: int, version: int, correlation_id: int,
                   client_id: str | None = "runnel-itest") -> bytes:
    return i16(api_key) + i16(version) + i32(correlation_id) + string(client_id)


def request_header_v2(api_key: int, version: int, correlation_id: int,
                      client_id: str | None = "runnel-itest") -> bytes:
    """Flexible request header: v1 plus an empty tagged-field section."""
    return request_header(api_key, version, correlation_id, client_id) + b"\x00"


def frame(payload: bytes) -> bytes:
    return i32(len(payload)) + payload


class Reader:
    """Sequential big-endian reader over one response body."""

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def _take(self, fmt: str):
        (v,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return v

    def i8(self) -> int:
        return self._take(">b")

    def i16(self) -> int:
        return self._take(">h")

    def i32(self) -> int:
        return self._take(">i")

    def i64(self) -> int:
        return self._take(">q")

    def string(self) -> str | None:
        n = self.i16()
        if n < 0:
            return None
        s = self.data[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    def array(self, item) -> list | None:
        n = self.i32()
        if n < 0:
            return None
        return [item(self) for _ in range(n)]

    def remaining(self) -> int:
        return len(self.data) - self.pos


class Connection:
    """One blocking TCP connection to a broker with helpers for framed request/response."""

    def __init__(self, host: str, port: int, timeout: float = 10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.next_correlation = 1

    def close(self) -> None:
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def request(self, api_key: int, version: int, body: bytes) -> tuple[int, Reader]:
        """Sends one request; returns (correlation id echoed, reader positioned after it)."""
        corr = self.next_correlation
        self.next_correlation += 1
        self.send_raw(frame(request_header(api_key, version, corr) + body))
        resp = self.read_frame()
        if resp is None:
            raise ConnectionError("broker closed the connection instead of answering")
        r = Reader(resp)
        return r.i32(), r

    def read_frame(self) -> bytes | None:
        """Next response frame, or None if the broker closed the connection."""
        head = self._recv_exact(4)
        if head is None:
            return None
        (n,) = struct.unpack(">i", head)
        return self._recv_exact(n)

    def _recv_exact(self, n: int) -> bytes | None:
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except ConnectionResetError:
                return None
            if not chunk:
                return None
            buf += chunk
        return buf

    def closed_by_peer(self, timeout: float = 10.0) -> bool:
        """True if the broker closes the connection (EOF or reset) within timeout without sending
        anything; False if it sends data or stays open."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1)
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        return data == b""


def api_versions(conn: Connection, version: int = 0) -> tuple[int, int, dict[int, tuple[int, int]]]:
    """ApiVersions v0-v2 (all non-flexible). Returns (correlation, error_code, {key: (min, max)})."""
    corr, r = conn.request(API_API_VERSIONS, version, b"")
    err = r.i16()
    keys = r.array(lambda rr: (rr.i16(), rr.i16(), rr.i16()))
    return corr, err, {k: (lo, hi) for k, lo, hi in keys or []}
