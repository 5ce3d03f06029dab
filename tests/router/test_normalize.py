"""Every input shape AWS delivers, and the platform's own alerts, become one Alert."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alert_router.events import (
    EVENT_HTTP,
    EVENT_NOTIFICATIONS,
    EVENT_SELF_CHECK,
    Envelope,
    Unreadable,
    event_kind,
    split_event,
)
from alert_router.normalize import (
    alarm_dedup_key,
    expensive_scan_severity,
    normalize,
    normalize_timestamp,
)

from .conftest import load_event

DISK_ARN = (
    "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
    "harborlist-prod-disk-space-low-harborlist-web-asg"
)


def alerts_of(name: str):
    return [normalize(item) for item in split_event(load_event(name))]


@pytest.mark.parametrize(
    ("fixture", "source", "kind", "name", "region", "state", "previous"),
    [
        (
            "sns-alarm-single-metric.json",
            "sns",
            "metric",
            "harborlist-prod-disk-space-low-harborlist-web-asg",
            "us-east-1",
            "ALARM",
            "OK",
        ),
        (
            "sns-alarm-ok.json",
            "sns",
            "metric",
            "harborlist-prod-disk-space-low-harborlist-web-asg",
            "us-east-1",
            "OK",
            "ALARM",
        ),
        (
            "sns-alarm-insufficient-data.json",
            "sns",
            "metric",
            "harborlist-prod-disk-space-low-harborlist-web-asg",
            "us-east-1",
            "INSUFFICIENT_DATA",
            "ALARM",
        ),
        (
            "sns-alarm-metric-math.json",
            "sns",
            "metric-math",
            "harborlist-prod-api-error-rate-high",
            "us-east-1",
            "ALARM",
            "OK",
        ),
        (
            "sns-alarm-anomaly.json",
            "sns",
            "anomaly-detection",
            "harborlist-prod-api-latency-anomaly",
            "eu-west-2",
            "ALARM",
            "OK",
        ),
        (
            "sns-alarm-composite.json",
            "sns",
            "composite",
            "harborlist-prod-system-down",
            "us-east-1",
            "ALARM",
            "OK",
        ),
        (
            "eventbridge-alarm-state-change.json",
            "eventbridge",
            "metric",
            "harborlist-prod-disk-space-low-harborlist-web-asg",
            "us-east-1",
            "ALARM",
            "OK",
        ),
        (
            "eventbridge-anomaly.json",
            "eventbridge",
            "anomaly-detection",
            "harborlist-prod-api-latency-anomaly",
            "eu-west-2",
            "ALARM",
            "OK",
        ),
        (
            "eventbridge-composite.json",
            "eventbridge",
            "composite",
            "harborlist-prod-system-down",
            "us-east-1",
            "ALARM",
            "OK",
        ),
        (
            "lambda-action-metric-math.json",
            "lambda-action",
            "metric-math",
            "harborlist-prod-api-error-rate-high",
            "us-east-1",
            "ALARM",
            "OK",
        ),
        (
            "lambda-action-composite.json",
            "lambda-action",
            "composite",
            "harborlist-prod-system-down",
            "us-east-1",
            "ALARM",
            "OK",
        ),
        (
            "sns-expensive-scan.json",
            "sns",
            "EXPENSIVE_SCAN",
            "Expensive scan on harborlist-prod-listings",
            "us-east-1",
            "ALARM",
            None,
        ),
        (
            "sns-lambda-error.json",
            "sns",
            "LAMBDA_ERROR",
            "Lambda error in harborlist-prod-listing-search",
            "us-east-1",
            "ALARM",
            None,
        ),
        ("sns-plain-text.json", "sns", "GENERIC", "Backup report", "us-east-1", "ALARM", None),
        (
            "sns-unknown-json.json",
            "sns",
            "GENERIC",
            '{"event": "certificate-expiring", "domain": "api.harborlist.com", "daysLeft": 12}',
            "us-east-1",
            "ALARM",
            None,
        ),
    ],
)
def test_every_fixture_normalizes_to_one_alert(
    fixture, source, kind, name, region, state, previous
):
    (alert,) = alerts_of(fixture)
    assert (
        alert.source,
        alert.kind,
        alert.name,
        alert.region,
        alert.state,
        alert.previous_state,
    ) == (source, kind, name, region, state, previous)
    assert alert.timestamp.endswith("Z") and len(alert.timestamp) == 24
    assert alert.account == "123456789012"
    assert len(alert.dedup_key) <= 255


def test_sns_single_metric_alarm_keeps_every_fact():
    (alert,) = alerts_of("sns-alarm-single-metric.json")
    assert alert.arn == DISK_ARN
    assert alert.timestamp == "2026-11-12T15:45:24.006Z"
    assert alert.topic == "harborlist-prod-alerts-critical"
    assert alert.reason.startswith("Threshold Crossed: 1 out of the last 1 datapoints")
    assert alert.description.startswith("Disk usage on harborlist-web-asg above 90%")
    (metric,) = alert.metrics
    assert (metric.namespace, metric.name, metric.stat, metric.period) == (
        "CWAgent",
        "disk_used_percent",
        "MAXIMUM",
        60,
    )
    assert metric.dimensions == (("AutoScalingGroupName", "harborlist-web-asg"), ("path", "/"))
    assert alert.resource == "harborlist-web-asg"


def test_region_code_comes_from_the_arn_not_the_sns_display_name():
    (alert,) = alerts_of("sns-alarm-anomaly.json")
    assert alert.region == "eu-west-2"


def test_metric_math_keeps_expression_and_metrics():
    (alert,) = alerts_of("sns-alarm-metric-math.json")
    assert [m.id for m in alert.metrics] == ["rate", "errors", "requests"]
    assert alert.metrics[0].expression == "100 * errors / requests"
    assert alert.metrics[1].dimensions == (("ApiName", "harborlist-prod-api"),)


def test_composite_alarm_carries_rule_and_triggering_children():
    (alert,) = alerts_of("sns-alarm-composite.json")
    assert alert.alarm_rule.startswith('ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:')
    assert alert.triggering_children == (
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:harborlist-prod-api-health-check-failed",
    )
    (eb,) = alerts_of("eventbridge-composite.json")
    assert eb.triggering_children == alert.triggering_children


def test_the_same_state_change_has_one_identity_whichever_shape_delivered_it():
    (sns,) = alerts_of("sns-alarm-single-metric.json")
    (eventbridge,) = alerts_of("eventbridge-alarm-state-change.json")
    assert sns.notification_id == eventbridge.notification_id
    assert sns.dedup_key == eventbridge.dedup_key == f"cloudwatch-alarm/{DISK_ARN}"
    assert sns.metrics[0].dimensions == eventbridge.metrics[0].dimensions
    (math_sns,) = alerts_of("sns-alarm-metric-math.json")
    (math_lambda,) = alerts_of("lambda-action-metric-math.json")
    assert math_sns.notification_id == math_lambda.notification_id
    assert (
        alerts_of("sns-alarm-composite.json")[0].dedup_key
        == alerts_of("lambda-action-composite.json")[0].dedup_key
    )


def test_ok_has_the_same_dedup_key_but_another_notification_id():
    (alarm,) = alerts_of("sns-alarm-single-metric.json")
    (ok,) = alerts_of("sns-alarm-ok.json")
    assert ok.dedup_key == alarm.dedup_key
    assert ok.notification_id != alarm.notification_id


def test_several_records_in_one_sns_event_are_several_alerts():
    alerts = alerts_of("sns-multiple-records.json")
    assert [a.name for a in alerts] == [
        "harborlist-prod-disk-space-low-harborlist-web-asg",
        "harborlist-prod-api-error-rate-high",
    ]


def test_an_unreadable_record_is_reported_and_the_readable_ones_kept():
    items = split_event(load_event("sns-unreadable-record.json"))
    assert isinstance(items[0], Envelope)
    assert isinstance(items[1], Unreadable)
    assert items[1].index == 1 and items[1].reason == "SNS record has no Message text"


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"Records": ["not an object"]}, "record is not an object"),
        ({"Records": [{"EventSource": "aws:sns"}]}, "SNS record has no Sns object"),
        ({"Records": [{"Sns": {"Message": 42}}]}, "SNS record has no Message text"),
        (
            {"Records": [{"Sns": {"Message": "bad \ud800 surrogate"}}]},
            "SNS Message is not valid Unicode text",
        ),
        ([1, 2, 3], "event is a list, not an object"),
        (None, "event is a NoneType, not an object"),
    ],
)
def test_unreadable_inputs_say_why(event, reason):
    (item,) = split_event(event)
    assert isinstance(item, Unreadable)
    assert item.reason == reason


def test_key_order_does_not_matter():
    event = load_event("sns-alarm-metric-math.json")
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    items = list(message.items())
    random.Random(7).shuffle(items)
    event["Records"][0]["Sns"]["Message"] = json.dumps(dict(items))
    (shuffled,) = [normalize(i) for i in split_event(event)]
    (original,) = alerts_of("sns-alarm-metric-math.json")
    assert shuffled == original


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-02-12T15:45:24.006+0000", "2019-02-12T15:45:24.006Z"),
        ("2019-02-12T15:45:24Z", "2019-02-12T15:45:24.000Z"),
        ("2019-02-12T17:45:24.5+02:00", "2019-02-12T15:45:24.500Z"),
        ("2019-02-12T10:45:24.006-0500", "2019-02-12T15:45:24.006Z"),
        ("yesterday", "FALLBACK"),
        (None, "FALLBACK"),
    ],
)
def test_timestamps_are_normalized_to_utc_milliseconds(value, expected):
    assert normalize_timestamp(value, "FALLBACK") == expected


@pytest.mark.parametrize(
    ("duration", "scanned", "severity"),
    [
        (5001, 0, "HIGH"),
        (0, 10001, "HIGH"),
        (5000, 10000, "MEDIUM"),
        (2001, 0, "MEDIUM"),
        (0, 5001, "MEDIUM"),
        (2000, 5000, "LOW"),
        (10, 10, "LOW"),
    ],
)
def test_expensive_scan_severity_follows_the_seed_rule(duration, scanned, severity):
    assert expensive_scan_severity(duration, scanned) == severity


def test_expensive_scan_alert_recomputes_severity_from_its_figures():
    (alert,) = alerts_of("sns-expensive-scan.json")
    assert alert.severity_hint == "HIGH"  # 6210 ms > 5 s
    assert dict(alert.details) == {
        "tableName": "harborlist-prod-listings",
        "duration": "6210.4",
        "itemsScanned": "4200",
        "itemsReturned": "12",
    }
    assert alert.dedup_key == "harborlist/EXPENSIVE_SCAN/harborlist-prod-listings"


def test_lambda_error_alert_keeps_function_error_and_request():
    (alert,) = alerts_of("sns-lambda-error.json")
    details = dict(alert.details)
    assert details["functionName"] == "harborlist-prod-listing-search"
    assert details["errorType"] == "ValidationException"
    assert details["requestId"] == "3f7c2d1a-9b8e-4f6a-b5c4-d3e2f1a0b9c8"
    assert alert.reason.startswith("ValidationException: One or more parameter values")
    assert alert.notification_id == "sns-8f2e6a41-5d7c-4e9f-a0b1-2c3d4e5f6a32"


def test_plain_text_is_a_generic_low_alert_carrying_the_text():
    (alert,) = alerts_of("sns-plain-text.json")
    assert alert.severity_hint == "LOW"
    assert alert.reason.startswith("Nightly backup of harborlist-prod-db")


def test_a_half_formed_alarm_is_still_delivered_as_generic():
    envelope = Envelope(
        "sns", {"AlarmArn": None, "NewStateValue": "ALARM"}, '{"AlarmArn":null}', message_id="m-1"
    )
    alert = normalize(envelope)
    assert alert.kind == "GENERIC"
    assert alert.notification_id == "sns-m-1"


def test_missing_fields_do_not_break_normalization():
    envelope = Envelope("sns", {"AlarmArn": DISK_ARN, "NewStateValue": "ALARM"}, "{}")
    alert = normalize(envelope, "2026-11-12T00:00:00.000Z")
    assert alert.name == "harborlist-prod-disk-space-low-harborlist-web-asg"
    assert alert.kind == "composite"  # no Trigger at all
    assert alert.timestamp == "2026-11-12T00:00:00.000Z"
    assert alert.description == "" and alert.reason == ""


def test_a_very_long_alarm_arn_still_gives_a_dedup_key_within_255_characters():
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + "x" * 255
    key = alarm_dedup_key(arn)
    assert len(key) <= 255
    assert key == alarm_dedup_key(arn) != alarm_dedup_key(arn + "y")


def test_event_kinds_are_told_apart():
    assert event_kind({"harborlistSelfCheck": True}) == EVENT_SELF_CHECK
    assert event_kind({"requestContext": {"http": {"method": "POST"}}, "body": ""}) == EVENT_HTTP
    assert event_kind(load_event("sns-alarm-ok.json")) == EVENT_NOTIFICATIONS
    assert event_kind({"harborlistSelfCheck": "yes"}) == EVENT_NOTIFICATIONS


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
alarm_keys = st.sampled_from(
    [
        "AlarmName",
        "AlarmArn",
        "NewStateValue",
        "OldStateValue",
        "StateChangeTime",
        "Trigger",
        "AlarmRule",
        "TriggeringChildren",
        "alertType",
        "details",
        "functionName",
        "errorType",
        "NewStateReason",
        "AlarmDescription",
        "Metrics",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    message=st.dictionaries(alarm_keys | st.text(max_size=10), json_values, max_size=10),
    source=st.sampled_from(["sns", "eventbridge", "lambda-action", "direct"]),
)
def test_any_json_message_becomes_an_alert_and_is_never_dropped(message, source):
    raw = json.dumps(message)
    alert = normalize(Envelope(source, message, raw, message_id="m"), "2026-01-01T00:00:00.000Z")
    assert alert.state in ("ALARM", "OK", "INSUFFICIENT_DATA")
    assert alert.notification_id and alert.dedup_key and len(alert.dedup_key) <= 255
    assert alert.timestamp.endswith("Z")
    json.dumps(alert.to_dict())


@settings(max_examples=100, deadline=None)
@given(text=st.text())
def test_any_text_message_becomes_a_generic_alert(text):
    event = {"Records": [{"EventSource": "aws:sns", "Sns": {"MessageId": "m", "Message": text}}]}
    (item,) = split_event(event)
    if isinstance(item, Unreadable):  # lone surrogates cannot be sent on; everything else is kept
        assert item.reason == "SNS Message is not valid Unicode text"
        return
    alert = normalize(item)
    assert alert.kind in ("GENERIC", "EXPENSIVE_SCAN", "LAMBDA_ERROR") or alert.is_alarm
