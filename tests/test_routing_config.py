"""The routing configuration the program generates for the router."""

from __future__ import annotations

from components import catalog
from components.alarm_specs import alarm_specs
from components.routing_config import build_routing_config


def test_every_alarm_that_can_notify_is_mapped_to_its_rule_and_resource(prod_settings):
    config = build_routing_config(prod_settings)
    for spec in alarm_specs(prod_settings):
        assert config["alarms"][spec.notifying_name] == {
            "rule": spec.rule.rule,
            "resource": spec.resource,
        }
    assert config["alarms"]["harborlist-prod-system-down"]["rule"] == "system-down"


def test_rules_carry_severity_channels_runbook_and_service(prod_settings):
    rules = build_routing_config(prod_settings)["rules"]
    assert set(rules) == set(catalog.ALL_RULE_IDS)
    assert rules["disk-space-low"] == {
        "title": "EC2 disk almost full",
        "severity": "CRITICAL",
        "channels": ["slack-critical", "pagerduty", "sms-oncall"],
        "runbookUrl": "https://github.com/harborlist/harborlist-monitoring/blob/main/docs/"
        "runbooks/disk-space-low.md",
        "pagerdutyService": "platform",
        "group": "infrastructure",
        "notifyInsufficientData": True,
    }
    assert rules["high-cpu-usage"]["notifyInsufficientData"] is False
    assert rules["high-cpu-usage"]["channels"] == ["slack-ops", "email-oncall"]
    assert rules["db-cpu-high"]["channels"] is None  # its severity's channels
    assert rules["expensive-scan"]["severity"] is None  # decided from the alert's content


def test_severity_topics_and_channels(prod_settings):
    config = build_routing_config(prod_settings)
    assert config["severityTopics"]["harborlist-prod-alerts-critical"] == "CRITICAL"
    assert config["channels"]["sms-oncall"] == {
        "kind": "sms",
        "target": ["+15555550100", "+15555550101"],
    }
    assert config["channels"]["slack-critical"] == {
        "kind": "slack",
        "target": "#incidents-critical",
    }
    assert config["suppression"]["repeatIntervalSeconds"] == 240 * 60


def test_inhibition_covers_what_cloudwatch_mutes_and_more(prod_settings):
    (inhibition,) = build_routing_config(prod_settings)["inhibitions"]
    muted = {r.rule for r in catalog.RULES if r.explained_by_system_down}
    assert inhibition["sourceRule"] == "system-down"
    assert muted < set(inhibition["targetRules"])


def test_channels_that_reach_nobody_are_left_out(dev_settings):
    config = build_routing_config(dev_settings)
    assert "sms-oncall" not in config["channels"]
    assert "email-oncall" not in config["channels"]
    # disk-space-low's own list is [slack-critical] in dev: kept.
    assert config["rules"]["disk-space-low"]["channels"] == ["slack-critical"]
    # high-cpu-usage lists slack-ops and email-oncall; only slack reaches someone in dev.
    assert config["rules"]["high-cpu-usage"]["channels"] == ["slack-ops"]


def test_no_secret_in_the_routing_config(prod_settings):
    text = str(build_routing_config(prod_settings))
    assert "offline-stand-in" not in text and "xox" not in text


def test_router_test_fixture_has_the_generated_shape(prod_settings):
    """The router's tests use a hand-written config: it must keep the generated shape."""
    import json

    from components.config_source import PROJECT_ROOT

    fixture = json.loads((PROJECT_ROOT / "tests/router/routing-prod.json").read_text())
    generated = build_routing_config(prod_settings)
    assert set(fixture) == set(generated)
    for rule in fixture["rules"].values():
        assert set(rule) <= set(generated["rules"]["disk-space-low"])
    assert set(fixture["suppression"]) == set(generated["suppression"])
