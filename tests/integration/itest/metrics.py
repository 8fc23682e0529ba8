"""Reads counters from a Runnel broker's Prometheus endpoint (admin API /metrics)."""

import re
import urllib.request

_SAMPLE = re.compile(r'^(\w+)\{([^}]*)\}\s+([0-9.eE+-]+)$')
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def samples(admin_url: str, name: str) -> list[tuple[dict[str, str], float]]:
    """Every sample of metric `name`, as (labels, value)."""
    with urllib.request.urlopen(admin_url + "/metrics", timeout=10) as r:
        text = r.read().decode()
    out = []
    for line in text.splitlines():
        m = _SAMPLE.match(line)
        if m and m.group(1) == name:
            out.append((dict(_LABEL.findall(m.group(2))), float(m.group(3))))
    return out


def request_errors(admin_url: str, api: str) -> dict[str, int]:
    """runnel_requests_total of one API summed over versions: {error name: requests}."""
    out: dict[str, int] = {}
    for labels, value in samples(admin_url, "runnel_requests_total"):
        if labels.get("api") == api:
            err = labels.get("error", "NONE")
            out[err] = out.get(err, 0) + int(value)
    return out
