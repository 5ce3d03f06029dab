"""Every alarm's runbook link leads to a runbook with the sections on-call needs."""

from __future__ import annotations

import re

import pytest

from components import catalog
from components.config_source import PROJECT_ROOT

RUNBOOKS = PROJECT_ROOT / "docs" / "runbooks"
SECTIONS = ["Symptoms", "First checks", "Dashboards to open", "Mitigation", "Silence or tune"]


@pytest.mark.parametrize("rule", [*catalog.ALL_RULE_IDS, "alert-router", "unmapped-alarm"])
def test_runbook_exists_with_every_section_in_order(rule):
    path = RUNBOOKS / f"{rule}.md"
    assert path.exists(), f"no runbook for {rule}"
    text = path.read_text()
    assert text.startswith(f"# {rule}")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == SECTIONS


@pytest.mark.parametrize("rule", catalog.RULES, ids=lambda r: r.rule)
def test_runbook_names_the_threshold_key_to_tune(rule):
    text = (RUNBOOKS / f"{rule.rule}.md").read_text()
    service, key = rule.threshold.split(".")
    assert key in text and service in text
    assert "harborlist-monitoring:alarms" in text or f"alarms.{rule.rule}" in text
