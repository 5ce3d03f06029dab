"""Slack's interactive payloads (the Acknowledge button), via the Lambda function URL.

Verifies Slack's request signature (HMAC-SHA256 over ``v0:{timestamp}:{raw body}``, 5-minute
window, constant-time compare, each signature accepted once), sends PagerDuty ``acknowledge``
for the dedup key the button carries, and updates the message with who acknowledged. Uses a
short retry policy so the answer goes back within Slack's 3 s.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qs

from alert_router import pagerduty, slack
from alert_router.deliver import slack_check
from alert_router.http import HttpClient, HttpFailure, RetryPolicy
from alert_router.log import log
from alert_router.metrics import Metrics
from alert_router.plan import Endpoints
from alert_router.secrets import Secrets
from alert_router.state import StateTable, StateUnavailable

MAX_SKEW = 300
QUICK = RetryPolicy(attempts=2, base_delay=0.1, max_delay=0.3, total_budget=1.0, timeout=0.9)


def response(status: int, body: str = "") -> dict[str, Any]:
    """A Lambda function URL response."""
    return {"statusCode": status, "headers": {"Content-Type": "text/plain"}, "body": body}


def signature(signing_secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def verify(headers: dict[str, str], body: str, signing_secret: str, now: float) -> str | None:
    """None when the request is Slack's and fresh; otherwise why it is rejected."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    given = headers.get("x-slack-signature", "")
    if not timestamp or not given or not signing_secret:
        return "missing signature"
    try:
        age = abs(now - int(timestamp))
    except ValueError:
        return "bad timestamp"
    if age > MAX_SKEW:
        return "stale timestamp"
    if not hmac.compare_digest(signature(signing_secret, timestamp, body).encode(), given.encode()):
        return "bad signature"
    return None


def _raw_body(event: dict) -> str:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8")
    return body


def handle(
    event: dict,
    *,
    secrets: Secrets,
    state: StateTable | None,
    http: HttpClient,
    endpoints: Endpoints,
    metrics: Metrics,
    now: float,
) -> dict[str, Any]:
    """Answer one function URL request (a Slack interactive payload)."""
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    try:
        body = _raw_body(event)
    except (ValueError, UnicodeDecodeError):
        return response(400, "unreadable body")
    problem = verify(headers, body, secrets.slack_signing_secret, now)
    if problem is None and state is not None:
        try:
            if not state.use_signature(headers["x-slack-signature"], now):
                problem = "replayed request"
        except StateUnavailable:
            pass  # fail open: acknowledging twice is harmless, refusing a real click is not
    if problem is not None:
        log("slack-request-rejected", reason=problem)
        return response(401, problem)
    try:
        payload = json.loads(parse_qs(body).get("payload", [""])[0])
        action = next(
            a for a in payload.get("actions", []) if a.get("action_id") == slack.ACK_ACTION_ID
        )
        value = json.loads(action["value"])
        dedup_key = str(value["k"])
    except (ValueError, KeyError, TypeError, StopIteration, AttributeError):
        return response(400, "not an Acknowledge action")
    user = payload.get("user") or {}
    user_id = str(user.get("id") or user.get("username") or "someone")
    container = payload.get("container") or {}
    channel_id = container.get("channel_id") or (payload.get("channel") or {}).get("id")
    message = payload.get("message") or {}
    ts = container.get("message_ts") or message.get("ts")

    if value.get("p"):
        key = secrets.pagerduty_routing_keys.get(str(value.get("s")))
        try:
            if not key:
                raise HttpFailure(f"no routing key for service {value.get('s')!r}")
            http.post_json(
                endpoints.pagerduty_url,
                pagerduty.action_event("acknowledge", dedup_key, key),
                policy=QUICK,
            )
            metrics.emit("Deliveries", Channel="pagerduty")
        except HttpFailure as exc:
            metrics.emit("DeliveryFailures", Channel="pagerduty")
            log("acknowledge-failed", dedupKey=dedup_key, error=str(exc))
            return response(200, "PagerDuty did not take the acknowledgement; try again")
    if channel_id and ts:
        update = slack.acknowledged_update(channel_id, ts, message.get("blocks") or [], user_id)
        try:
            http.post_json(
                f"{endpoints.slack_api_url}/chat.update",
                update,
                {"Authorization": f"Bearer {secrets.slack_bot_token}"},
                check=slack_check,
                policy=QUICK,
            )
        except HttpFailure as exc:
            metrics.emit("DeliveryFailures", Channel="slack")
            log("acknowledge-update-failed", dedupKey=dedup_key, error=str(exc))
    log("acknowledged", dedupKey=dedup_key, user=user_id)
    return response(200, "")
