"""Alert rules and dashboards reference only metrics the running server exports; the rules are valid."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
METRIC = re.compile(r"\blightrail_[a-z0-9_]+")


def referenced_metrics() -> set[str]:
    texts = [(DEPLOY / "prometheus" / "alerts.yml").read_text()]
    for dashboard in (DEPLOY / "grafana").glob("*.json"):
        texts += [t["expr"] for p in json.loads(dashboard.read_text())["panels"] for t in p["targets"]]
    return {name for text in texts for name in METRIC.findall(text)}


def exported_series(metrics_text: str) -> set[str]:
    names = set()
    for kind_line in re.findall(r"^# TYPE (\S+) (\S+)$", metrics_text, re.M):
        name, kind = kind_line
        name = name.removesuffix("_total")
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}.get(kind, [""])
        names.update(name + suffix for suffix in suffixes)
    return names


def test_every_referenced_metric_is_exported(server):
    exported = exported_series(httpx.get(f"{server}/metrics").text)
    referenced = referenced_metrics()
    assert len(referenced) >= 10
    assert referenced <= exported, referenced - exported


def promtool() -> str | None:
    local = Path(__file__).resolve().parents[2] / ".ci" / "cache" / "usr" / "bin" / "promtool"
    return str(local) if local.exists() else shutil.which("promtool")


@pytest.mark.skipif(promtool() is None, reason="promtool is not installed (.ci/run fetches it from Debian)")
def test_alert_rules_validate_with_promtool():
    result = subprocess.run([promtool(), "check", "rules", str(DEPLOY / "prometheus" / "alerts.yml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 rules found" in result.stdout
