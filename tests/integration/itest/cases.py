"""The produce/consume matrix every client family runs: each codec, plus idempotence on."""

RECORDS = 100_000
PARTITIONS = 3
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
# (id, compression, idempotence)
MATRIX = [(c, c, False) for c in CODECS] + [("idempotent-zstd", "zstd", True),
                                             ("idempotent-none", "none", True)]
