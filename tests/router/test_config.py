"""The routing config the program generates is read, validated and frozen once."""

from __future__ import annotations

import json

import pytest

from alert_router.config import RoutingConfig, RoutingConfigError, load_routing_config
from alert_router.enrich import classify
from alert_router.events import split_event
from alert_router.normalize import normalize
from alert_router.routing import channel_keys, resolve_channels

from .conftest import ROUTING, load_event


def alert_of(name):
    (envelope,) = split_event(load_event(name))
    return normalize(envelope)


def test_the_documented_example_loads(config):
    assert config.stack == "prod" and config.pagerduty_enabled
    assert config.rules["disk-space-low"].channels == ("slack-critical", "pagerduty", "sms-oncall")
    assert config.channels["sms-oncall"].targets == ("+15555550100", "+15555550101")
    assert config.channels["slack-ops"].targets == ("#ops-alerts",)
    assert config.suppression.fold_threshold == 3


@pytest.mark.parametrize(
    "broken",
    [
        "[]",
        "{}",
        '{"stack": "p", "rules": {"r": {}}}',
        '{"stack": "p", "silences": [{"matchers": {}}]}',
    ],
)
def test_a_malformed_config_is_refused_with_a_reason(tmp_path, broken):
    path = tmp_path / "routing.json"
    path.write_text(broken)
    with pytest.raises(RoutingConfigError):
        load_routing_config(path)


def test_an_unreadable_config_file_is_refused(tmp_path):
    with pytest.raises(RoutingConfigError, match="cannot read routing config"):
        load_routing_config(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("fixture", "rule", "severity", "channels"),
    [
        (
            "sns-alarm-single-metric.json",
            "disk-space-low",
            "CRITICAL",
            ("slack-critical", "pagerduty", "sms-oncall"),
        ),
        (
            "sns-alarm-composite.json",
            "system-down",
            "CRITICAL",
            ("pagerduty", "slack-critical", "sms-oncall", "email-leads"),
        ),
        (
            "sns-alarm-metric-math.json",
            "api-error-rate-high",
            "HIGH",
            ("slack-engineering", "email-leads"),
        ),
        ("sns-alarm-anomaly.json", "api-latency-high", "MEDIUM", ("slack-engineering",)),
        ("sns-alarm-unmapped.json", "unmapped-alarm", "HIGH", ("slack-ops", "email-oncall")),
        (
            "eventbridge-alarm-state-change.json",
            "disk-space-low",
            "CRITICAL",
            ("slack-critical", "pagerduty", "sms-oncall"),
        ),
        ("sns-expensive-scan.json", "expensive-scan", "HIGH", ("slack-engineering",)),
        ("sns-lambda-error.json", "lambda-function-error", "HIGH", ("slack-ops", "email-oncall")),
        ("sns-plain-text.json", "unclassified-alert", "LOW", ("slack-engineering",)),
        ("sns-unknown-json.json", "unclassified-alert", "LOW", ("slack-engineering",)),
    ],
)
def test_routing_per_rule_and_severity(config, fixture, rule, severity, channels):
    cls = classify(alert_of(fixture), config)
    assert (cls.rule, cls.severity) == (rule, severity)
    assert channel_keys(cls, config) == channels


def test_an_unmapped_alarm_without_a_known_topic_gets_the_default_severity(config):
    event = load_event("eventbridge-alarm-state-change.json")
    event["detail"]["alarmName"] = "someone-elses-alarm"
    (envelope,) = split_event(event)
    assert classify(normalize(envelope), config).severity == "LOW"


def test_pagerduty_disabled_removes_it_from_every_list():
    data = json.loads(ROUTING.read_text())
    data["pagerduty"]["enabled"] = False
    config = RoutingConfig.from_dict(data)
    cls = classify(alert_of("sns-alarm-single-metric.json"), config)
    assert channel_keys(cls, config) == ("slack-critical", "sms-oncall")


def test_a_channel_key_without_configuration_is_reported(config):
    channels, missing = resolve_channels(("slack-ops", "slack-performance"), config)
    assert [c.key for c in channels] == ["slack-ops"]
    assert missing == ("slack-performance",)
