"""Checks on the dashboard and rule files that need no running process: Grafana dashboard
structure, the PromQL metric-name extractor the live test relies on, and that every alert has a
promtool unit test where it fires and one where it does not."""

import json
import re
from pathlib import Path

import pytest
import yaml

from promql_sources import (DASHBOARDS, RULES, VARIABLE_VALUES, all_expressions, metric_names,
                            substitute, variable_promql)

HERE = Path(__file__).resolve().parent
DASHBOARD_FILES = sorted(DASHBOARDS.glob("*.json"))
BUILTIN_VARIABLES = {"__rate_interval", "__interval", "__range", "datasource"}


def test_the_four_dashboards_exist():
    assert [p.name for p in DASHBOARD_FILES] == [
        "runnel-cluster-overview.json", "runnel-consumer-groups.json", "runnel-operator.json",
        "runnel-topics.json"]


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda p: p.name)
def test_dashboard_structure(path):
    d = json.loads(path.read_text())
    assert 36 <= d["schemaVersion"] <= 41
    assert d["uid"] == path.stem and len(d["uid"]) <= 40
    assert d["title"].startswith("Runnel / ")
    assert d.get("id") is None  # importable into any Grafana
    variables = {v["name"]: v for v in d["templating"]["list"]}
    ds = variables["datasource"]
    assert ds["type"] == "datasource" and ds["query"] == "prometheus"
    for v in variables.values():
        if v["type"] == "query":
            assert v["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, v["name"]
    ids = [p["id"] for p in all_panels(d["panels"])]
    assert len(ids) == len(set(ids)), "duplicate panel ids"
    occupied = set()
    for p in all_panels(d["panels"]):
        g = p["gridPos"]
        assert g["x"] + g["w"] <= 24 and g["w"] > 0 and g["h"] > 0, p["title"]
        cells = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not cells & occupied, f"panel {p['title']!r} overlaps another"
        occupied |= cells
        if p["type"] == "row":
            continue
        assert p["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, p["title"]
        assert p["targets"], p["title"]
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs)), p["title"]
        for t in p["targets"]:
            assert t["datasource"]["uid"] == "${datasource}" and t["expr"].strip(), p["title"]
            used = set(re.findall(r"\$\{?(\w+)", t["expr"]))
            assert used <= set(variables) | BUILTIN_VARIABLES, (p["title"], used)


def test_every_expression_substitutes_known_variables_only():
    exprs = all_expressions()
    assert exprs
    for e in exprs:
        assert "$" not in e.promql, e.source


def test_variable_queries_become_promql():
    assert variable_promql('label_values(runnel_build_info{job=~"$job"}, instance)') == \
        'group by (instance) (runnel_build_info{job=~"$job"})'
    assert variable_promql("up") == "up"
    with pytest.raises(ValueError):
        variable_promql("label_names()")
    with pytest.raises(KeyError):
        substitute("rate(x[$nope])")
    assert substitute("rate(x{a=~\"$job\"}[$__rate_interval])") == 'rate(x{a=~".*"}[1m])'
    assert set(VARIABLE_VALUES) >= {"job", "namespace", "instance"}


@pytest.mark.parametrize("expr,names", [
    ('sum by (api, le) (rate(runnel_request_latency_seconds_bucket{api="Produce", le!="x"}[5m]))',
     {"runnel_request_latency_seconds_bucket"}),
    ("histogram_quantile(0.99, sum by (le) (rate(a_bucket[1m]))) > 0.05", {"a_bucket"}),
    ("a / on (topic) group_left () (sum by (topic) (rate(b_total[5m])) > 0)", {"a", "b_total"}),
    ("count(up{job=~\"x\"} == 0) or vector(0)", {"up"}),
    ("time() - process_start_time_seconds", {"process_start_time_seconds"}),
    ("(sum without (instance) (x) > bool 1) and on (job) y offset 5m", {"x", "y"}),
    ('max by (group, state) (runnel_consumer_group_state{state!="Stable"}) == 1',
     {"runnel_consumer_group_state"}),
    ("sum(increase(c_total[1h:1m]))", {"c_total"}),
])
def test_metric_names(expr, names):
    assert metric_names(expr) == names


def test_promtool_unit_tests_cover_every_alert_both_ways():
    alerts = [r["alert"] for p in sorted(RULES.glob("*.yaml"))
              for g in yaml.safe_load(p.read_text())["groups"] for r in g["rules"] if "alert" in r]
    assert len(alerts) >= 9
    fires, quiet = set(), set()
    for case in yaml.safe_load((HERE / "rules_test.yaml").read_text())["tests"]:
        for t in case.get("alert_rule_test", []):
            (fires if t["exp_alerts"] else quiet).add(t["alertname"])
    assert set(alerts) <= fires, f"never tested firing: {set(alerts) - fires}"
    assert set(alerts) <= quiet, f"never tested quiet: {set(alerts) - quiet}"


def test_rules_have_severity_and_annotations():
    for p in sorted(RULES.glob("*.yaml")):
        for g in yaml.safe_load(p.read_text())["groups"]:
            for r in g["rules"]:
                assert r["labels"]["severity"] in ("critical", "warning"), r["alert"]
                assert r["annotations"]["summary"] and r["annotations"]["description"], r["alert"]
                assert r["alert"].startswith("Runnel")
