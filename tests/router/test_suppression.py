"""Noise control: folding, repeat interval, silences, inhibition — through the handler with a
moto state table, and the pure decisions on their own."""

from __future__ import annotations

import dataclasses
import json

from alert_router import handler
from alert_router.config import Silence
from alert_router.enrich import classify
from alert_router.normalize import normalize
from alert_router.suppression import (
    AlarmMemory,
    after_fold,
    before_fold,
    matching_silence,
)

from .conftest import START, load_event

ACCOUNT = "123456789012"


def sns_alarm(
    name: str,
    state: str = "ALARM",
    when: str = "2026-11-12T16:00:00.000+0000",
    message_id: str | None = None,
    topic: str = "harborlist-prod-alerts-critical",
):
    """The single-metric SNS fixture, re-addressed to another alarm, state and time."""
    event = load_event("sns-alarm-single-metric.json")
    record = event["Records"][0]["Sns"]
    message = json.loads(record["Message"])
    message.update(
        AlarmName=name,
        AlarmArn=f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}",
        NewStateValue=state,
        OldStateValue="OK" if state == "ALARM" else "ALARM",
        StateChangeTime=when,
    )
    record["Message"] = json.dumps(message)
    record["MessageId"] = message_id or f"{name}-{state}-{when}"
    record["TopicArn"] = f"arn:aws:sns:us-east-1:{ACCOUNT}:{topic}"
    return event


def scan_alert(table: str, message_id: str):
    event = load_event("sns-expensive-scan.json")
    record = event["Records"][0]["Sns"]
    message = json.loads(record["Message"])
    message["details"]["tableName"] = table
    record["Message"] = json.dumps(message)
    record["MessageId"] = message_id
    return event


def decisions(result):
    return [a["decision"] for a in result["alerts"]]


def test_more_than_three_similar_alerts_fold_into_one_carrying_the_count(rt, apis, clock):
    results = []
    for i in range(6):
        results += decisions(handler.lambda_handler(scan_alert(f"table-{i}", f"m-{i}"), None))
        clock.advance(10)
    assert results == ["deliver"] * 4 + ["folded"] * 2
    assert len(apis.slack_posts) == 4
    fold_notice = apis.slack_posts[3]
    context = [
        e["text"] for b in fold_notice["blocks"] if b["type"] == "context" for e in b["elements"]
    ]
    assert "4 similar alerts in the last window; further ones are folded" in context


def test_folding_starts_again_in_the_next_window(rt, apis, clock):
    for i in range(5):
        handler.lambda_handler(scan_alert(f"table-{i}", f"m-{i}"), None)
    clock.advance(900)
    result = handler.lambda_handler(scan_alert("table-9", "m-9"), None)
    assert decisions(result) == ["deliver"]


def test_a_still_firing_alarm_is_renotified_only_after_the_repeat_interval(rt, apis, clock):
    name = "harborlist-prod-disk-space-low-harborlist-web-asg"
    first = handler.lambda_handler(sns_alarm(name, when="2026-11-12T16:00:00.000+0000"), None)
    clock.advance(3600)
    second = handler.lambda_handler(sns_alarm(name, when="2026-11-12T17:00:00.000+0000"), None)
    clock.advance(4 * 3600)
    third = handler.lambda_handler(sns_alarm(name, when="2026-11-12T21:00:00.000+0000"), None)
    assert decisions(first) + decisions(second) + decisions(third) == [
        "deliver",
        "repeat",
        "deliver",
    ]
    assert [p["event_action"] for p in apis.pagerduty] == ["trigger", "trigger"]


def test_a_silenced_rule_and_resource_is_held_back_until_the_silence_expires(rt, apis, clock):
    name = "harborlist-prod-high-cpu-usage-harborlist-web-asg"
    held = handler.lambda_handler(sns_alarm(name, topic="harborlist-prod-alerts-high"), None)
    assert decisions(held) == ["silenced"]
    assert apis.requests == []
    clock.now = 1_798_761_600.0 + 60  # 2027-01-01: the silence ran out
    sent = handler.lambda_handler(
        sns_alarm(name, when="2027-01-01T00:01:00.000+0000", topic="harborlist-prod-alerts-high"),
        None,
    )
    assert decisions(sent) == ["deliver"]
    assert [p["channel"] for p in apis.slack_posts] == ["#ops-alerts"]


def test_a_firing_system_down_inhibits_the_alerts_it_explains(rt, apis, clock):
    handler.lambda_handler(load_event("sns-alarm-composite.json"), None)
    muted = handler.lambda_handler(load_event("sns-alarm-metric-math.json"), None)
    assert decisions(muted) == ["inhibited"]
    other = handler.lambda_handler(load_event("sns-expensive-scan.json"), None)
    assert decisions(other) == ["deliver"]  # not one of the inhibited rules
    down = json.loads(load_event("sns-alarm-composite.json")["Records"][0]["Sns"]["Message"])
    ok_event = load_event("sns-alarm-composite.json")
    down.update(
        NewStateValue="OK", OldStateValue="ALARM", StateChangeTime="2026-11-12T16:10:00.000+0000"
    )
    ok_event["Records"][0]["Sns"]["Message"] = json.dumps(down)
    ok_event["Records"][0]["Sns"]["MessageId"] = "system-down-ok"
    clock.advance(60)
    assert decisions(handler.lambda_handler(ok_event, None)) == ["deliver"]
    again = sns_alarm(
        "harborlist-prod-api-error-rate-high",
        when="2026-11-12T16:11:00.000+0000",
        topic="harborlist-prod-alerts-high",
    )
    assert decisions(handler.lambda_handler(again, None)) == ["deliver"]


def test_the_decision_is_kept_for_a_retried_notification(rt, apis, clock):
    event = scan_alert("table-x", "m-x")
    handler.lambda_handler(event, None)
    for i in range(5):
        handler.lambda_handler(scan_alert(f"table-{i}", f"n-{i}"), None)
    again = handler.lambda_handler(event, None)  # a late duplicate is not re-decided as folded
    assert decisions(again) == ["deliver"]
    assert again["alerts"][0]["sent"] == []


# ---- the pure decisions ------------------------------------------------------------------


def _alert(config, fixture="sns-alarm-single-metric.json"):
    from alert_router.events import split_event

    (envelope,) = split_event(load_event(fixture))
    alert = normalize(envelope)
    return alert, classify(alert, config)


def test_fail_open_delivers_everything_that_needs_state(config):
    alert, cls = _alert(config)
    assert before_fold(
        alert, cls, config, now=START, memory=None, inhibited_by=None, state_available=False
    ).deliver
    ok, ok_cls = _alert(config, "sns-alarm-ok.json")
    assert before_fold(
        ok, ok_cls, config, now=START, memory=None, inhibited_by=None, state_available=False
    ).deliver


def test_recovery_is_sent_only_for_a_notified_alarm(config):
    ok, cls = _alert(config, "sns-alarm-ok.json")
    held = before_fold(
        ok,
        cls,
        config,
        now=START,
        memory=AlarmMemory("ALARM", None),
        inhibited_by=None,
        state_available=True,
    )
    assert held.action == "not-notified"
    sent = before_fold(
        ok,
        cls,
        config,
        now=START,
        memory=AlarmMemory("ALARM", START - 60),
        inhibited_by=None,
        state_available=True,
    )
    assert sent.deliver


def test_silence_matchers_all_have_to_match_and_expiry_counts(config):
    alert, cls = _alert(config)
    silence = Silence(
        rule="disk-space-low",
        alarm=None,
        resource="harborlist-web-asg",
        expires_at="2026-11-12T17:00:00Z",
    )
    assert matching_silence(alert, cls, (silence,), START) == silence
    assert matching_silence(alert, cls, (silence,), START + 7200) is None
    other = Silence(
        rule="disk-space-low", alarm=None, resource="another-asg", expires_at="2026-11-12T17:00:00Z"
    )
    assert matching_silence(alert, cls, (other,), START) is None
    empty = Silence(rule=None, alarm=None, resource=None, expires_at="2030-01-01T00:00:00Z")
    assert matching_silence(alert, cls, (empty,), START) is None  # matches nothing, not all


def test_fold_ordinals():
    assert [after_fold(n, 3).action for n in (None, 1, 2, 3, 4, 5)] == [
        "deliver",
        "deliver",
        "deliver",
        "deliver",
        "deliver",
        "folded",
    ]
    assert after_fold(4, 3).fold_count == 4


def test_inhibition_and_silence_never_hold_back_a_recovery(config):
    ok, cls = _alert(config, "sns-alarm-ok.json")
    silenced_config = dataclasses.replace(
        config, silences=(Silence("disk-space-low", None, None, "2030-01-01T00:00:00Z"),)
    )
    decision = before_fold(
        ok,
        cls,
        silenced_config,
        now=START,
        memory=AlarmMemory("ALARM", START - 60),
        inhibited_by="system-down",
        state_available=True,
    )
    assert decision.deliver


def test_only_one_concurrent_notification_of_a_firing_alarm_wins(aws):
    import boto3

    from alert_router.state import StateTable

    from .conftest import TABLE

    first = StateTable(boto3.client("dynamodb"), TABLE)
    second = StateTable(boto3.client("dynamodb"), TABLE)
    claim = dict(alarm="a", rule="r", repeat_interval=14400)
    assert first.claim_firing("k", now=START, **claim) is True
    assert second.claim_firing("k", now=START + 1, **claim) is False
    assert second.claim_firing("k", now=START + 14401, **claim) is True
    first.remember_alarm("k", state="OK", alarm="a", rule="r", now=START + 14500, notified=True)
    assert first.claim_firing("k", now=START + 14600, **claim) is True


def test_an_alarm_arriving_after_its_newer_recovery_does_not_reopen_the_incident(rt, apis, clock):
    name = "harborlist-prod-disk-space-low-harborlist-web-asg"
    handler.lambda_handler(sns_alarm(name, when="2026-11-12T16:00:00.000+0000"), None)
    clock.advance(600)
    handler.lambda_handler(sns_alarm(name, "OK", when="2026-11-12T16:10:00.000+0000"), None)
    late = handler.lambda_handler(sns_alarm(name, when="2026-11-12T16:05:00.000+0000"), None)
    assert decisions(late) == ["stale"]
    assert [p["event_action"] for p in apis.pagerduty] == ["trigger", "resolve"]


def test_a_late_duplicate_does_not_overwrite_the_newer_state(rt, apis, clock):
    name = "harborlist-prod-disk-space-low-harborlist-web-asg"
    first = sns_alarm(name, when="2026-11-12T16:00:00.000+0000")
    handler.lambda_handler(first, None)
    clock.advance(600)
    handler.lambda_handler(sns_alarm(name, "OK", when="2026-11-12T16:10:00.000+0000"), None)
    handler.lambda_handler(first, None)  # SNS redelivers the old ALARM
    clock.advance(600)
    again = handler.lambda_handler(sns_alarm(name, when="2026-11-12T16:20:00.000+0000"), None)
    assert decisions(again) == ["deliver"]  # not held back as a "repeat"
    assert [p["event_action"] for p in apis.pagerduty] == ["trigger", "resolve", "trigger"]


def test_stale_is_decided_before_anything_else(config):
    alert, cls = _alert(config)
    memory = AlarmMemory("OK", None, "2026-11-12T16:00:00.000Z")
    decision = before_fold(
        alert, cls, config, now=START, memory=memory, inhibited_by=None, state_available=True
    )
    assert decision.action == "stale"
