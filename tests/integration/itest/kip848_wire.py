"""Raw KIP-848 requests for tests that need exact bytes and error codes: ConsumerGroupHeartbeat
v1, ConsumerGroupDescribe v0 and ListGroups v5 (flexible versions, request header v2), and a
classic JoinGroup v5. wire.py covers only non-flexible versions, so the compact encodings live here.
"""

import struct

from .wire import Connection, array, frame, i8, i32, nbytes, request_header, string

API_CONSUMER_GROUP_HEARTBEAT = 68
API_CONSUMER_GROUP_DESCRIBE = 69


def uvarint(n: int) -> bytes:
    out = b""
    while True:
        low, n = n & 0x7F, n >> 7
        if not n:
            return out + bytes([low])
        out += bytes([low | 0x80])


def cstr(s: str | None) -> bytes:
    if s is None:
        return b"\x00"
    b = s.encode()
    return uvarint(len(b) + 1) + b


def carr(items: list[bytes] | None) -> bytes:
    return b"\x00" if items is None else uvarint(len(items) + 1) + b"".join(items)


class Flex:
    def __init__(self, data: bytes):
        self.d, self.p = data, 0

    def take(self, n: int) -> bytes:
        v = self.d[self.p:self.p + n]
        self.p += n
        return v

    def i8(self): return struct.unpack(">b", self.take(1))[0]
    def i16(self): return struct.unpack(">h", self.take(2))[0]
    def i32(self): return struct.unpack(">i", self.take(4))[0]
    def i64(self): return struct.unpack(">q", self.take(8))[0]
    def uuid(self): return self.take(16)

    def uvarint(self) -> int:
        shift = out = 0
        while True:
            b = self.take(1)[0]
            out |= (b & 0x7F) << shift
            if not b & 0x80:
                return out
            shift += 7

    def cstr(self):
        n = self.uvarint()
        return None if n == 0 else self.take(n - 1).decode()

    def carr(self, item):
        n = self.uvarint()
        return None if n == 0 else [item(self) for _ in range(n - 1)]

    cstring = cstr
    carray = carr

    def tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


def flex_call(conn: Connection, api_key: int, version: int, body: bytes) -> Flex:
    conn.send_raw(frame(request_header(api_key, version, 11) + b"\x00" + body))
    data = conn.read_frame()
    assert data is not None, "broker closed the connection"
    r = Flex(data)
    assert r.i32() == 11
    r.tags()
    return r


def heartbeat(conn, group, member_id, epoch, topics=None, assignor=None, rebalance_timeout=30000,
              owned: list | None = None, regex=None):
    owned_bytes = None if owned is None else [
        tid + carr([i32(p) for p in ps]) + b"\x00" for tid, ps in owned]
    body = (cstr(group) + cstr(member_id) + i32(epoch) + cstr(None) + cstr(None) + i32(rebalance_timeout)
            + carr(None if topics is None else [cstr(t) for t in topics]) + cstr(regex) + cstr(assignor)
            + carr(owned_bytes) + b"\x00")
    r = flex_call(conn, API_CONSUMER_GROUP_HEARTBEAT, 1, body)
    out = {"throttle": r.i32(), "error": r.i16(), "message": r.cstr(), "member_id": r.cstr(),
           "epoch": r.i32(), "interval": r.i32(), "assignment": None}
    if r.i8() >= 0:
        def tp(x):
            tid = x.take(16)
            ps = x.carr(lambda y: y.i32())
            x.tags()
            return tid, ps
        out["assignment"] = r.carr(tp)
        r.tags()
    return out


def describe_group(host: str, port: int, group: str) -> dict:
    with Connection(host, port) as conn:
        r = flex_call(conn, API_CONSUMER_GROUP_DESCRIBE, 0, carr([cstr(group)]) + i8(0) + b"\x00")
        r.i32()

        def assignment(x):
            def tp(y):
                y.take(16)
                name, ps = y.cstr(), y.carr(lambda z: z.i32())
                y.tags()
                return name, ps
            a = x.carr(tp)
            x.tags()
            return a

        def member(x):
            m = {"id": x.cstr(), "instance": x.cstr(), "rack": x.cstr(), "epoch": x.i32(), "client_id": x.cstr(),
                 "host": x.cstr(), "topics": x.carr(lambda y: y.cstr()), "regex": x.cstr(),
                 "assignment": assignment(x), "target": assignment(x)}
            x.tags()
            return m

        def described(x):
            g = {"error": x.i16(), "message": x.cstr(), "group": x.cstr(), "state": x.cstr(),
                 "group_epoch": x.i32(), "assignment_epoch": x.i32(), "assignor": x.cstr(),
                 "members": x.carr(member), "ops": x.i32()}
            x.tags()
            return g

        return r.carr(described)[0]


def join_group_v5(conn, group: str) -> int:
    """A classic JoinGroup (v5, non-flexible); returns its error code."""
    protocols = array([string("range") + nbytes(b"")])
    body = string(group) + i32(10000) + i32(30000) + string("") + string(None) + string("consumer") + protocols
    _, r = conn.request(11, 5, body)
    r.i32()  # throttle
    return r.i16()


def list_groups_v5(conn, types: list[str]) -> dict:
    """ListGroups v5 with a type filter: {group: (protocol type, group type)}."""
    r = flex_call(conn, 16, 5, carr([]) + carr([cstr(t) for t in types]) + b"\x00")
    r.i32()
    assert r.i16() == 0

    def group(x):
        g = (x.cstr(), x.cstr(), x.cstr(), x.cstr())
        x.tags()
        return g
    return {g[0]: (g[1], g[3]) for g in r.carr(group)}
