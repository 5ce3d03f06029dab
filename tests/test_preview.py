"""The offline preview: the real program under mocks, printed as text or preview JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from components import preview
from components.config_source import PROJECT_ROOT

NS = "harborlist-monitoring"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "components.preview", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_json_has_the_shape_of_pulumi_preview_json(stack, capsys):
    assert preview.main(["--stack", stack, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    steps = document["steps"]
    assert document["changeSummary"] == {"create": len(steps)}
    assert steps[0]["newState"]["type"] == "pulumi:pulumi:Stack"
    urns = {s["urn"] for s in steps}
    for step in steps:
        assert step["op"] == "create"
        state = step["newState"]
        assert state["urn"] == step["urn"]
        assert set(state) >= {"type", "urn", "custom", "inputs"}
        assert step["urn"].startswith(f"urn:pulumi:{stack}::{NS}::")
        if state["type"] != "pulumi:pulumi:Stack":
            assert state["parent"] in urns, "every parent is itself a step"
    custom = [s for s in steps if s["newState"]["custom"]]
    assert custom, "real resources, not only components"
    assert all(
        s["newState"]["type"].split(":")[0] in {"aws", "pagerduty"}
        or s["newState"]["type"].startswith("pulumi:providers:")
        for s in custom
    )


def test_components_use_the_project_type_tokens(prod_graph):
    components = [r for r in prod_graph.resources if not r.custom]
    assert components
    assert all(re.fullmatch(r"harborlist:monitoring:[A-Z][A-Za-z]+", r.type) for r in components)
    top = [r for r in components if r.type == "harborlist:monitoring:MonitoringStack"]
    assert len(top) == 1
    assert all(r.parent for r in prod_graph.resources)


def test_wiring_shows_fabricated_arns_not_blanks(prod_graph):
    policy = prod_graph.by_name("harborlist-prod-alerts-critical-policy")
    assert (
        policy.input("arn") == "arn:aws:sns:us-east-1:123456789012:harborlist-prod-alerts-critical"
    )
    assert "arn:aws:sns:us-east-1:123456789012:harborlist-prod-alerts-critical" in policy.input(
        "policy"
    )


def test_secrets_never_print_in_preview_output(capsys):
    assert preview.main(["--stack", "prod", "--json"]) == 0
    out = capsys.readouterr().out
    assert "offline-stand-in" not in out
    assert preview.main(["--stack", "prod"]) == 0
    assert "offline-stand-in" not in capsys.readouterr().out


def test_human_form_has_tree_and_counts(capsys):
    assert preview.main(["--stack", "dev"]) == 0
    out = capsys.readouterr().out
    assert "+ pulumi:pulumi:Stack harborlist-monitoring-dev" in out
    assert "    + harborlist:monitoring:MonitoringStack harborlist-dev" in out
    assert re.search(r"^\s+6\s+aws:sns/topic:Topic$", out, re.M)
    assert "Nothing was deployed" in out


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (
            lambda c: c[f"{NS}:thresholds"]["ec2"].update(cpuPercent="eighty"),
            f'{NS}:thresholds.ec2.cpuPercent: expected a number between 0 and 100, got "eighty"',
        ),
        (
            lambda c: c[f"{NS}:thresholds"]["ec2"].update(diskPercent=120),
            f"{NS}:thresholds.ec2.diskPercent: expected a number between 0 and 100, got 120",
        ),
        (
            lambda c: c.update({f"{NS}:pagerDuty": {"enabled": False}}),
            f"{NS}:pagerDuty: unknown key (did you mean {NS}:pagerduty?)",
        ),
        (
            lambda c: c.pop(f"{NS}:notifications"),
            f"{NS}:notifications: required, expected an object",
        ),
    ],
    ids=["wrong-type", "out-of-range", "unknown-key", "missing-required-key"],
)
def test_invalid_stack_file_exits_2_naming_the_key(stack_variant, edit, key):
    root = stack_variant("prod", edit)
    result = subprocess.run(
        [sys.executable, "-m", "components.preview", "--stack", "prod", "--project-dir", str(root)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert key in result.stderr.splitlines()[1]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_unknown_stack_exits_2():
    result = run_cli("--stack", "staging")
    assert result.returncode == 2
    assert "Pulumi.staging.yaml: no such stack file" in result.stderr
