"""Rendering is pure: exact bodies, every limit respected, hostile text inert."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alert_router import mail, pagerduty, slack, sms
from alert_router.enrich import enrich
from alert_router.events import split_event
from alert_router.normalize import normalize
from alert_router.plan import Endpoints, plan
from alert_router.routing import channel_keys, resolve_channels

from .conftest import load_event

HOSTILE = [
    "<!channel> wake up",
    "<!here|here> and <!everyone>",
    "<http://evil.example|click me> &amp; <@U123>",
    "a" * 5000,
    "🚨🔥💥" * 400,
    "שגיאה חמורה במסד הנתונים — \u202etxt.exe",
    "line1\nline2\r\n\tline3\x00\x07",
    "&lt;already escaped&gt; & raw & <b>",
    "",
]
RAW_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def disk_alert(**changes):
    (envelope,) = split_event(load_event("sns-alarm-single-metric.json"))
    return dataclasses.replace(normalize(envelope), **changes)


def texts(node):
    """Every string under a "text" key (what Slack renders)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def assert_block_kit_limits(message):
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= 50
    assert len(message["text"]) <= 40000
    total = 0
    for block in blocks + [b for a in message.get("attachments", []) for b in a["blocks"]]:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            if "text" in block:
                assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
            for button in block["elements"]:
                assert len(button["text"]["text"]) <= 75
                assert len(button.get("url", "")) <= 3000
                assert len(button.get("value", "")) <= 2000
                assert len(button.get("action_id", "")) <= 255
        total += sum(len(t) for t in texts(block))
    assert total <= 12000


def assert_inert(message):
    for text in texts(message):
        assert "<" not in text and ">" not in text, text
        assert not RAW_ENTITY.search(text), text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_alarm_text_is_escaped_and_within_limits(config, hostile):
    alert = disk_alert(name=hostile[:255] or "x", description=hostile, reason=hostile)
    message = slack.message(enrich(alert, config), "#incidents-critical", paged=True)
    assert_block_kit_limits(message)
    assert_inert(message)


def test_channel_mention_in_a_description_is_inert(config):
    alert = disk_alert(description="<!channel> please look <http://evil|here>")
    message = slack.message(enrich(alert, config), "#c")
    description = message["blocks"][2]["text"]["text"]
    assert description == ("*Description:*\n&lt;!channel&gt; please look &lt;http://evil|here&gt;")


alarm_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=6000)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    name=st.text(min_size=1, max_size=255),
    description=alarm_text,
    reason=alarm_text,
    state=st.sampled_from(["ALARM", "OK", "INSUFFICIENT_DATA"]),
    fold=st.integers(min_value=0, max_value=10000),
)
def test_any_alarm_renders_within_every_limit(config, name, description, reason, state, fold):
    alert = disk_alert(name=name, description=description, reason=reason, state=state)
    enriched = dataclasses.replace(enrich(alert, config), fold_count=fold)
    message = slack.message(enriched, "#incidents-critical", paged=True)
    assert_block_kit_limits(message)
    assert_inert(message)
    event = pagerduty.trigger_event(enriched, "k" * 32)
    assert len(event["payload"]["summary"]) <= 1024
    assert len(event["dedup_key"]) <= 255
    assert len(json.dumps(event).encode()) < 512 * 1024
    text = sms.text(enriched)
    assert len(text) <= 300 and "\n" not in text
    assert "\n" not in mail.subject(enriched) and len(mail.subject(enriched)) <= 200
    assert "<script" not in mail.html_body(
        dataclasses.replace(
            enriched, alert=dataclasses.replace(alert, description="<script>x</script>")
        )
    )


@pytest.mark.parametrize(("severity", "expected"), list(pagerduty.SEVERITY.items()))
def test_pagerduty_severity_mapping(config, severity, expected):
    enriched = enrich(disk_alert(), config)
    enriched = dataclasses.replace(
        enriched, classification=dataclasses.replace(enriched.classification, severity=severity)
    )
    assert pagerduty.trigger_event(enriched, "k")["payload"]["severity"] == expected


def test_a_5000_character_reason_is_cut_to_1024_in_the_summary(config):
    enriched = enrich(disk_alert(reason="x" * 5000), config)
    summary = pagerduty.trigger_event(enriched, "k")["payload"]["summary"]
    assert len(summary) == 1024 and summary.endswith("…")


def test_sms_text_for_the_disk_alarm(config):
    enriched = enrich(disk_alert(), config)
    assert sms.text(enriched) == (
        "[CRITICAL prod] EC2 disk space low: harborlist-prod-disk-space-low-harborlist-web-asg "
        "ALARM — Threshold Crossed: 1 out of the last 1 datapoints [93.4129638671875 (12/11/26 "
        "15:44:00)] was greater than the threshold (90.0) (minimum 1 datapoint for OK -> ALARM "
        "transition). (" + enriched.correlation_id + ")"
    )


def test_email_html_is_escaped(config):
    enriched = enrich(disk_alert(description="<img src=x onerror=alert(1)> & co"), config)
    body = mail.html_body(enriched)
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in body
    assert "<img" not in body


def test_plans_hold_no_secrets_and_name_every_request(config):
    enriched = enrich(disk_alert(), config)
    channels, missing = resolve_channels(channel_keys(enriched.classification, config), config)
    assert missing == ()
    planned = plan(enriched, channels, endpoints=Endpoints(), email_sender="a@b")
    assert [(d.channel, d.action, d.method, d.url) for d in planned] == [
        ("slack", "post", "POST", "https://slack.com/api/chat.postMessage"),
        ("pagerduty", "trigger", "POST", "https://events.pagerduty.com/v2/enqueue"),
        ("sms", "publish", "sns:Publish", None),
        ("sms", "publish", "sns:Publish", None),
    ]
    assert planned[1].body["routing_key"] == "[secret]"


def test_console_urls_are_in_the_alerts_region(config):
    (envelope,) = split_event(load_event("sns-alarm-anomaly.json"))
    urls = enrich(normalize(envelope), config).console_urls
    assert all(
        u.startswith("https://eu-west-2.console.aws.amazon.com/cloudwatch/home?region=eu-west-2#")
        for u in urls.values()
    )
    assert set(urls) == {"alarm", "metric", "dashboard"}
