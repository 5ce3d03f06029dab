"""PagerDuty Events API v2: render the event (pure) and send it (edge)."""

from __future__ import annotations

from typing import Any

from alert_router.enrich import Enriched
from alert_router.text import clip, one_line

DEFAULT_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
MAX_SUMMARY = 1024
SEVERITY = {"CRITICAL": "critical", "HIGH": "error", "MEDIUM": "warning", "LOW": "info"}


def summary(enriched: Enriched) -> str:
    """``[CRITICAL] title — alarm is ALARM: reason`` on one line, at most 1024 characters."""
    alert = enriched.alert
    text = f"[{enriched.severity}] {enriched.classification.title}"
    if alert.name != enriched.classification.title:
        text += f" — {alert.name}"
    text += f" is {alert.state}"
    if enriched.fold_count:
        text += f" (+{enriched.fold_count - 1} similar in the fold window)"
    if alert.reason:
        text += f": {alert.reason}"
    return clip(one_line(text), MAX_SUMMARY)


def trigger_event(enriched: Enriched, routing_key: str) -> dict[str, Any]:
    """The ``trigger`` body for an alert."""
    alert = enriched.alert
    details: dict[str, Any] = {
        "alarm": alert.name,
        "state": alert.state,
        "previous_state": alert.previous_state,
        "reason": clip(alert.reason, 4000),
        "description": clip(alert.description, 4000),
        "rule": enriched.rule,
        "environment": enriched.environment,
        "region": alert.region,
        "account": alert.account,
        "alarm_arn": alert.arn,
        "kind": alert.kind,
        "correlation_id": enriched.correlation_id,
        "runbook_url": enriched.classification.runbook_url,
        "recent_similar_alerts": enriched.similar_recent,
    }
    if alert.metrics:
        details["metrics"] = [
            {"namespace": m.namespace, "name": m.name, "dimensions": dict(m.dimensions)}
            if m.name
            else {"id": m.id, "expression": m.expression}
            for m in alert.metrics[:10]
        ]
    if alert.details:
        details["details"] = dict(alert.details)
    if enriched.health:
        details["system_health"] = dict(enriched.health)
    if enriched.fold_count:
        details["folded_similar_alerts"] = enriched.fold_count
    links = []
    if enriched.classification.runbook_url:
        links.append({"href": enriched.classification.runbook_url, "text": "Runbook"})
    for name, text in (
        ("alarm", "CloudWatch alarm"),
        ("metric", "Metric"),
        ("dashboard", "Dashboard"),
    ):
        if name in enriched.console_urls:
            links.append({"href": enriched.console_urls[name], "text": text})
    body: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": alert.dedup_key,
        "client": "HarborList alert router",
        "payload": {
            "summary": summary(enriched),
            "source": clip(alert.arn or enriched.classification.resource or alert.name, 1024),
            "severity": SEVERITY[enriched.severity],
            "timestamp": alert.timestamp,
            "component": clip(enriched.classification.resource or alert.name, 255),
            "group": enriched.rule,
            "class": alert.kind,
            "custom_details": {k: v for k, v in details.items() if v not in (None, "")},
        },
        "links": links,
    }
    if "alarm" in enriched.console_urls:
        body["client_url"] = enriched.console_urls["alarm"]
    return body


def action_event(action: str, dedup_key: str, routing_key: str) -> dict[str, Any]:
    """A ``resolve`` or ``acknowledge`` body (only the dedup key identifies the incident)."""
    return {"routing_key": routing_key, "event_action": action, "dedup_key": dedup_key}
