"""Encodes a Kafka RecordBatch (magic 2, uncompressed) so a test can send a valid batch or one
with a deliberately wrong CRC. Layout per Kafka's protocol docs ("Record Batch")."""

import struct


def _crc32c_table() -> list[int]:
    poly = 0x82F63B78  # Castagnoli, reflected.
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def varint(v: int) -> bytes:
    """Zig-zag varint, as used inside records."""
    z = (v << 1) ^ (v >> 63)
    out = bytearray()
    while True:
        b = z & 0x7F
        z >>= 7
        if z:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _record(offset_delta: int, ts_delta: int, key: bytes | None, value: bytes | None) -> bytes:
    body = b"\x00" + varint(ts_delta) + varint(offset_delta)
    body += varint(-1) if key is None else varint(len(key)) + key
    body += varint(-1) if value is None else varint(len(value)) + value
    body += varint(0)  # no headers
    return varint(len(body)) + body


def encode_batch(records: list[tuple[bytes | None, bytes | None]], base_timestamp: int,
                 corrupt_crc: bool = False, ts_deltas: list[int] | None = None,
                 max_timestamp: int | None = None) -> bytes:
    """One uncompressed batch with base offset 0 and no producer id. With corrupt_crc the stored
    CRC is off by one, everything else stays valid. Record i has timestamp base + ts_deltas[i]
    (0 by default); the header's max_timestamp is max_timestamp if given (even a wrong one),
    else base_timestamp."""
    deltas = ts_deltas or [0] * len(records)
    recs = b"".join(_record(i, deltas[i], k, v) for i, (k, v) in enumerate(records))
    header_max = base_timestamp if max_timestamp is None else max_timestamp
    after_crc = struct.pack(">hiqqqhi", 0, len(records) - 1, base_timestamp, header_max,
                            -1, -1, -1) + struct.pack(">i", len(records)) + recs
    crc = crc32c(after_crc)
    if corrupt_crc:
        crc ^= 1
    # batchLength counts from partitionLeaderEpoch to the end.
    tail = struct.pack(">ibI", -1, 2, crc) + after_crc
    return struct.pack(">qi", 0, len(tail)) + tail


class Header:
    """The fields of a stored batch's header a test checks, and whether its CRC holds."""

    def __init__(self, batch: bytes):
        (self.base_offset, self.batch_length, self.leader_epoch, self.magic, self.crc,
         self.attributes, self.last_offset_delta, self.base_timestamp, self.max_timestamp) = \
            struct.unpack(">qiibIhiqq", batch[:43])
        self.crc_ok = crc32c(batch[21:12 + self.batch_length]) == self.crc
        self.log_append_time = bool(self.attributes & 0x08)
