"""Split a Lambda event into the notifications it carries (no interpretation of their content).

An SNS event carries several records; EventBridge and the Lambda alarm action carry one
notification each; a direct invocation with a JSON object is treated as one notification too.
A record that cannot be read at all (not an object, no SNS message, a message that is not text)
becomes an ``Unreadable`` with the reason: the handler processes the readable records and then
fails the invocation so that Lambda's retries and dead-letter queue keep the event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from alert_router.alert import SOURCE_DIRECT, SOURCE_EVENTBRIDGE, SOURCE_LAMBDA_ACTION, SOURCE_SNS

EVENT_SELF_CHECK = "self-check"
EVENT_HTTP = "http"
EVENT_NOTIFICATIONS = "notifications"


@dataclass(frozen=True)
class Envelope:
    """One notification as delivered: ``payload`` is the decoded JSON object or the raw text."""

    source: str
    payload: Any
    raw_text: str
    message_id: str | None = None
    topic_arn: str | None = None
    subject: str | None = None
    timestamp: str | None = None


@dataclass(frozen=True)
class Unreadable:
    """A record that could not be read, with why (logged, then the invocation fails)."""

    index: int
    reason: str
    excerpt: str


def event_kind(event: Any) -> str:
    """Which entry path an invocation is for: self-check, Slack (function URL) or notifications."""
    if isinstance(event, dict):
        if event.get("harborlistSelfCheck") is True:
            return EVENT_SELF_CHECK
        context = event.get("requestContext")
        if isinstance(context, dict) and isinstance(context.get("http"), dict):
            return EVENT_HTTP
    return EVENT_NOTIFICATIONS


def _excerpt(value: Any, limit: int = 200) -> str:
    try:
        text = value if isinstance(value, str) else json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text[:limit]


def _decode(text: str) -> Any:
    """The JSON object in ``text``, or the text itself when it is not a JSON object."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped)
        except ValueError:
            return text
        if isinstance(value, dict):
            return value
    return text


def _sns_record(index: int, record: Any) -> Envelope | Unreadable:
    if not isinstance(record, dict):
        return Unreadable(index, "record is not an object", _excerpt(record))
    sns = record.get("Sns")
    if not isinstance(sns, dict):
        return Unreadable(index, "SNS record has no Sns object", _excerpt(record))
    message = sns.get("Message")
    if not isinstance(message, str):
        return Unreadable(index, "SNS record has no Message text", _excerpt(record))
    try:
        message.encode("utf-8")
    except UnicodeEncodeError:
        return Unreadable(index, "SNS Message is not valid Unicode text", _excerpt(message))
    subject = sns.get("Subject")
    return Envelope(
        source=SOURCE_SNS,
        payload=_decode(message),
        raw_text=message,
        message_id=sns.get("MessageId") if isinstance(sns.get("MessageId"), str) else None,
        topic_arn=sns.get("TopicArn") if isinstance(sns.get("TopicArn"), str) else None,
        subject=subject if isinstance(subject, str) else None,
        timestamp=sns.get("Timestamp") if isinstance(sns.get("Timestamp"), str) else None,
    )


def split_event(event: Any) -> list[Envelope | Unreadable]:
    """Every notification in a Lambda event, in order, readable or not."""
    if isinstance(event, dict) and isinstance(event.get("Records"), list):
        return [_sns_record(i, record) for i, record in enumerate(event["Records"])]
    if isinstance(event, dict):
        raw = json.dumps(event, sort_keys=True, default=str)
        if event.get("detail-type") == "CloudWatch Alarm State Change":
            return [Envelope(SOURCE_EVENTBRIDGE, event, raw, message_id=event.get("id"))]
        if "alarmData" in event and "alarmArn" in event:
            return [Envelope(SOURCE_LAMBDA_ACTION, event, raw)]
        return [Envelope(SOURCE_DIRECT, event, raw)]
    if isinstance(event, str):
        return [Envelope(SOURCE_DIRECT, _decode(event), event)]
    return [Unreadable(0, f"event is a {type(event).__name__}, not an object", _excerpt(event))]
