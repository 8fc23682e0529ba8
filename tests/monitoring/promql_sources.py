"""Every PromQL expression the Grafana dashboards and the alert rules contain, and the metric
names each one references.

Dashboards: every panel target (rows' nested panels included) and every template variable of
type query. Grafana's `label_values(selector, label)` is rewritten into the PromQL it stands for,
`group by (label) (selector)`. Template variables are replaced by values that select everything
on a test Prometheus (`$job` -> `.*`, `$__rate_interval` -> `1m`, ...).
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DASHBOARDS = REPO / "charts" / "runnel" / "files" / "dashboards"
RULES = REPO / "charts" / "runnel" / "files" / "rules"

# What each Grafana variable becomes on the test Prometheus (all are regex-matched selectors).
VARIABLE_VALUES = {
    "__rate_interval": "1m", "__interval": "15s", "__range": "5m",
    "job": ".*", "namespace": ".*", "instance": ".*", "topic": ".*", "group": ".*",
    "broker_job": ".*",
}


@dataclass(frozen=True)
class Expression:
    source: str      # "runnel-topics.json: panel 'Bytes in per topic' A" or a rule
    raw: str         # as written
    promql: str      # variables substituted, label_values rewritten: what Prometheus evaluates
    kind: str        # "panel", "variable" or "rule"

    @property
    def metrics(self) -> set[str]:
        return metric_names(self.promql)


def substitute(expr: str) -> str:
    def repl(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        if name not in VARIABLE_VALUES:
            raise KeyError(f"unknown dashboard variable ${name} in {expr!r}")
        return VARIABLE_VALUES[name]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", repl, expr)


LABEL_VALUES = re.compile(r"^\s*label_values\((.*),\s*([a-zA-Z_]\w*)\s*\)\s*$", re.S)


def variable_promql(query: str) -> str:
    m = LABEL_VALUES.match(query)
    if not m:
        if query.strip().startswith(("label_values(", "label_names(", "metrics(", "query_result(")):
            raise ValueError(f"unsupported variable query form: {query!r}")
        return query
    return f"group by ({m.group(2)}) ({m.group(1)})"


def _panels(panels: list) -> list:
    out = []
    for p in panels:
        out.append(p)
        out.extend(_panels(p.get("panels", [])))
    return out


def dashboard_expressions(path: Path) -> list[Expression]:
    d = json.loads(path.read_text())
    out = []
    for p in _panels(d.get("panels", [])):
        for t in p.get("targets", []):
            if t.get("expr"):
                out.append(Expression(f"{path.name}: panel {p['title']!r} {t['refId']}", t["expr"],
                                      substitute(t["expr"]), "panel"))
    for v in d.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        out.append(Expression(f"{path.name}: variable ${v['name']}", q,
                              substitute(variable_promql(q)), "variable"))
    return out


def rule_expressions(path: Path) -> list[Expression]:
    doc = yaml.safe_load(path.read_text())
    out = []
    for g in doc["groups"]:
        for r in g["rules"]:
            name = r.get("alert") or r.get("record")
            out.append(Expression(f"{path.name}: {g['name']}/{name}", r["expr"], r["expr"], "rule"))
    return out


def all_expressions() -> list[Expression]:
    out = []
    for p in sorted(DASHBOARDS.glob("*.json")):
        out += dashboard_expressions(p)
    for p in sorted(RULES.glob("*.yaml")):
        out += rule_expressions(p)
    return out


# --- metric names in a PromQL expression ---------------------------------------------------------

FUNCTIONS_AND_KEYWORDS = {
    # aggregations and operators that may stand without parentheses after them
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
    "topk", "quantile", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "and", "or", "unless", "offset", "atan2", "inf", "nan",
}
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENT = re.compile(r"(?<![\w:.])([a-zA-Z_:][\w:]*)")


def metric_names(promql: str) -> set[str]:
    """Metric names a PromQL expression selects: identifiers that are not functions (followed
    by '('), keywords, label names (inside {...} or grouping clauses) or durations."""
    s = _STRINGS.sub('""', promql)
    s = re.sub(r"\{[^}]*\}", " ", s)
    s = re.sub(r"\[[^\]]*\]", " ", s)
    s = _GROUPING.sub(" ", s)
    names = set()
    for m in _IDENT.finditer(s):
        tok = m.group(1)
        if s[m.end():].lstrip().startswith("("):
            continue
        if tok.lower() in FUNCTIONS_AND_KEYWORDS:
            continue
        names.add(tok)
    return names
