"""The Acknowledge button: Slack's signed request in, PagerDuty acknowledge and a message
update out; forged, stale and replayed requests get 401."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import urlencode

import pytest

from alert_router import handler
from alert_router.interactive import signature

from .conftest import BOT_TOKEN, ROUTING_KEYS, SIGNING_SECRET, START, load_event


def click(apis, *, value=None) -> str:
    """The form body Slack sends when the Acknowledge button of the posted message is clicked."""
    post = apis.slack_posts[0]
    actions = next(b for b in post["blocks"] if b["type"] == "actions")
    button = next(e for e in actions["elements"] if e.get("action_id") == "acknowledge")
    payload = {
        "type": "block_actions",
        "user": {"id": "U024BE7LH", "username": "maria.oncall", "team_id": "T9TK3CUKW"},
        "team": {"id": "T9TK3CUKW", "domain": "harborlist"},
        "container": {
            "type": "message",
            "message_ts": "1794498000.000001",
            "channel_id": "C0INCIDENT",
            "is_ephemeral": False,
        },
        "channel": {"id": "C0INCIDENT", "name": "incidents-critical"},
        "message": {
            "type": "message",
            "ts": "1794498000.000001",
            "text": post["text"],
            "blocks": post["blocks"],
        },
        "actions": [
            {
                "action_id": "acknowledge",
                "block_id": "b1",
                "value": value if value is not None else button["value"],
                "type": "button",
                "action_ts": "1794498300.123456",
            }
        ],
        "response_url": "https://hooks.slack.com/actions/T9TK3CUKW/1/abc",
    }
    return urlencode({"payload": json.dumps(payload)})


def request(body: str, *, ts: int = int(START), sig: str | None = None, b64: bool = False):
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": str(ts),
        "x-slack-signature": sig or signature(SIGNING_SECRET, str(ts), body),
        "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    return {
        "version": "2.0",
        "rawPath": "/",
        "headers": headers,
        "requestContext": {"http": {"method": "POST", "path": "/", "sourceIp": "3.80.1.2"}},
        "body": base64.b64encode(body.encode()).decode() if b64 else body,
        "isBase64Encoded": b64,
    }


@pytest.fixture
def paged(rt, apis):
    handler.lambda_handler(load_event("sns-alarm-single-metric.json"), None)
    return apis


def test_acknowledge_sends_pagerduty_acknowledge_and_updates_the_message(paged):
    answer = handler.lambda_handler(request(click(paged)), None)
    assert answer["statusCode"] == 200
    trigger, ack = paged.pagerduty
    assert ack == {
        "routing_key": ROUTING_KEYS["platform"],
        "event_action": "acknowledge",
        "dedup_key": trigger["dedup_key"],
    }
    (update,) = paged.to("/api/chat.update")
    assert update["headers"]["Authorization"] == f"Bearer {BOT_TOKEN}"
    body = update["body"]
    assert (body["channel"], body["ts"]) == ("C0INCIDENT", "1794498000.000001")
    assert body["attachments"][0]["blocks"][0]["elements"][0]["text"] == (
        "🟡 Acknowledged by <@U024BE7LH>"
    )
    buttons = [
        e["text"]["text"] for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["View Runbook", "View Metrics"]


def test_base64_encoded_bodies_are_verified_on_the_decoded_text(paged):
    assert handler.lambda_handler(request(click(paged), b64=True), None)["statusCode"] == 200


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda body: request(body, sig="v0=" + "0" * 64), "bad signature"),
        (lambda body: request(body, ts=int(START) - 301), "stale timestamp"),
        (lambda body: request(body, ts=int(START) + 301), "stale timestamp"),
        (
            lambda body: {**request(body), "body": body.replace("U024BE7LH", "UEVIL0000")},
            "bad signature",
        ),
        (lambda body: {**request(body), "headers": {}}, "missing signature"),
        (
            lambda body: request(body, sig=signature("wrong-secret", str(int(START)), body)),
            "bad signature",
        ),
    ],
)
def test_forged_or_stale_requests_are_refused(paged, tamper, reason):
    answer = handler.lambda_handler(tamper(click(paged)), None)
    assert answer == {"statusCode": 401, "headers": {"Content-Type": "text/plain"}, "body": reason}
    assert len(paged.pagerduty) == 1 and paged.to("/api/chat.update") == []


def test_a_replayed_request_is_refused(paged):
    event = request(click(paged))
    assert handler.lambda_handler(event, None)["statusCode"] == 200
    assert handler.lambda_handler(event, None) == {
        "statusCode": 401,
        "headers": {"Content-Type": "text/plain"},
        "body": "replayed request",
    }
    assert len(paged.pagerduty) == 2


def test_a_request_that_is_not_an_acknowledge_is_a_400(paged):
    body = urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})})
    assert handler.lambda_handler(request(body), None)["statusCode"] == 400


def test_pagerduty_failing_the_acknowledge_is_reported_quickly(paged):
    paged.script("/v2/enqueue", (500, {}), (500, {}))
    started = time.monotonic()
    answer = handler.lambda_handler(request(click(paged)), None)
    assert time.monotonic() - started < 3
    assert answer["statusCode"] == 200
    assert "did not take" in answer["body"]
    assert paged.to("/api/chat.update") == []


def test_a_button_of_an_alert_that_was_not_paged_only_updates_slack(paged):
    value = json.dumps({"k": "harborlist/EXPENSIVE_SCAN/t", "s": "data", "c": "hl-1", "p": False})
    assert handler.lambda_handler(request(click(paged, value=value)), None)["statusCode"] == 200
    assert len(paged.pagerduty) == 1
    assert len(paged.to("/api/chat.update")) == 1


def test_only_post_is_answered(paged):
    event = request(click(paged))
    event["requestContext"]["http"]["method"] = "GET"
    assert handler.lambda_handler(event, None)["statusCode"] == 405
