"""kcat (the librdkafka CLI shipped by Debian): produce a few records and read them back."""

import subprocess

import pytest

from itest import rdkafka


def kcat(*args, stdin: str | None = None, timeout: float = 60) -> str:
    res = subprocess.run(["kcat", *args], input=stdin, capture_output=True, text=True,
                         timeout=timeout)
    assert res.returncode == 0, f"kcat {args} failed: {res.stderr}"
    return res.stdout


@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4", "zstd"])
def test_kcat_produce_consume(broker, topic_name, codec):
    rdkafka.create_topic(broker.bootstrap, topic_name, 1)
    lines = [f"key{i}:value {i} with {codec}" for i in range(20)]
    kcat("-P", "-b", broker.bootstrap, "-t", topic_name, "-p", "0", "-K", ":",
         "-z", codec, "-X", "acks=all", stdin="\n".join(lines) + "\n")
    out = kcat("-C", "-b", broker.bootstrap, "-t", topic_name, "-p", "0", "-o", "beginning",
               "-e", "-q", "-f", "%o|%k|%s\n")
    got = out.splitlines()
    assert got == [f"{i}|key{i}|value {i} with {codec}" for i in range(20)]


def test_kcat_metadata_lists_topic(broker, topic_name):
    rdkafka.create_topic(broker.bootstrap, topic_name, 3)
    out = kcat("-L", "-b", broker.bootstrap, "-t", topic_name, "-J")
    assert f'"topic":"{topic_name}"' in out.replace(" ", "")
    assert out.count('"partition":') == 3
