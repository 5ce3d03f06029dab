"""Slack Block Kit messages (pure rendering). Every alarm-derived string is escaped and every
Block Kit limit is respected; sending goes through ``http.py`` (see ``deliver.py``)."""

from __future__ import annotations

import json
from typing import Any

from alert_router.enrich import Enriched
from alert_router.text import fit_slack

DEFAULT_API_URL = "https://slack.com/api"
ACK_ACTION_ID = "acknowledge"

HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_MAX = 10
BUTTON_TEXT_MAX = 75
URL_MAX = 3000
VALUE_MAX = 2000
BLOCKS_MAX = 50
FALLBACK_MAX = 300  # well under Slack's 40,000: a notification line, not a document
FACT_MAX = 200  # each field is a short fact; keeps the whole message far below ~13k characters

PRIORITY = {"CRITICAL": "URGENT", "HIGH": "HIGH", "MEDIUM": "MEDIUM", "LOW": "LOW"}
ICON = {"CRITICAL": "🚨", "HIGH": "⚠️", "MEDIUM": "🔶", "LOW": "ℹ️"}
COLOR = {"ALARM": "#E01E5A", "OK": "#2EB886", "INSUFFICIENT_DATA": "#9E9E9E", "ACK": "#ECB22E"}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit_slack(text, limit) or " ", "emoji": True}


def _mrkdwn(label: str, value: str, limit: int) -> dict[str, Any]:
    prefix = f"*{label}:*\n"
    return {"type": "mrkdwn", "text": prefix + (fit_slack(value, limit - len(prefix)) or "—")}


def header_text(enriched: Enriched) -> str:
    state = enriched.alert.state
    title = enriched.classification.title
    if state == "OK":
        return f"✅ Resolved: {title}"
    if state == "INSUFFICIENT_DATA":
        return f"⚪ Insufficient data: {title}"
    return f"{ICON[enriched.severity]} {PRIORITY[enriched.severity]} Alert: {title}"


def fallback_text(enriched: Enriched) -> str:
    alert = enriched.alert
    return fit_slack(
        f"[{enriched.severity}] {enriched.classification.title}: {alert.name} is {alert.state}",
        FALLBACK_MAX,
    )


def ack_value(enriched: Enriched, paged: bool) -> str:
    """What the Acknowledge button carries back: the incident's dedup key and PagerDuty service."""
    value = {
        "k": enriched.alert.dedup_key,
        "s": enriched.classification.pagerduty_service,
        "c": enriched.correlation_id,
        "p": paged,
    }
    return json.dumps(value, separators=(",", ":"))[:VALUE_MAX]


def _button(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": _plain(text, BUTTON_TEXT_MAX), **extra}


def _status_line(enriched: Enriched, acknowledged_by: str | None) -> str:
    alert = enriched.alert
    if acknowledged_by:
        return f"🟡 Acknowledged by {acknowledged_by}"
    if alert.state == "OK":
        return f"🟢 Resolved at {alert.timestamp}"
    if alert.state == "INSUFFICIENT_DATA":
        return f"⚪ No data since {alert.timestamp}; the incident stays open"
    return f"🔴 Firing since {alert.timestamp}"


def blocks(enriched: Enriched, *, paged: bool = False) -> list[dict[str, Any]]:
    """The seed's layout: header, facts, description, reason, context, buttons."""
    alert = enriched.alert
    facts = [
        ("Type", f"{enriched.rule} ({alert.kind})"),
        ("Severity", enriched.severity),
        ("Environment", enriched.environment),
        ("Time", alert.timestamp),
        ("Alarm", alert.name),
        ("State", f"{alert.previous_state or '?'} → {alert.state}"),
    ]
    if enriched.classification.resource:
        facts.append(("Resource", enriched.classification.resource))
    if alert.region:
        facts.append(("Region", alert.region))
    out: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(header_text(enriched), HEADER_MAX)},
        {
            "type": "section",
            "fields": [_mrkdwn(k, v, FACT_MAX) for k, v in facts[:FIELDS_MAX]],
        },
        {
            "type": "section",
            "text": _mrkdwn("Description", alert.description or "(none)", SECTION_MAX),
        },
    ]
    if alert.reason:
        out.append({"type": "section", "text": _mrkdwn("Reason", alert.reason, SECTION_MAX)})
    context = [f"Correlation id: {enriched.correlation_id}"]
    if enriched.fold_count:
        context.append(
            f"{enriched.fold_count} similar alerts in the last window; further ones are folded"
        )
    if enriched.similar_recent:
        context.append(f"{enriched.similar_recent} similar alerts in the last 30 min")
    if enriched.health:
        context.append("Health: " + ", ".join(f"{k} {v}" for k, v in enriched.health))
    out.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": fit_slack(c, 500)} for c in context[:10]],
        }
    )
    buttons = []
    runbook = enriched.classification.runbook_url
    if runbook and len(runbook) <= URL_MAX:
        buttons.append(
            _button("View Runbook", url=runbook, style="primary", action_id="view_runbook")
        )
    metrics_url = enriched.console_urls.get("metric") or enriched.console_urls.get("alarm")
    metrics_url = metrics_url or enriched.console_urls.get("dashboard")
    if metrics_url and len(metrics_url) <= URL_MAX:
        buttons.append(_button("View Metrics", url=metrics_url, action_id="view_metrics"))
    if alert.state == "ALARM":
        buttons.append(
            _button(
                "Acknowledge",
                action_id=ACK_ACTION_ID,
                style="danger",
                value=ack_value(enriched, paged),
            )
        )
    if buttons:
        out.append({"type": "actions", "elements": buttons})
    return out[:BLOCKS_MAX]


def message(
    enriched: Enriched, channel: str, *, paged: bool = False, acknowledged_by: str | None = None
) -> dict[str, Any]:
    """A ``chat.postMessage`` body (also the base of ``chat.update``)."""
    state = "ACK" if acknowledged_by else enriched.alert.state
    return {
        "channel": channel,
        "text": fallback_text(enriched),
        "blocks": blocks(enriched, paged=paged),
        "attachments": [
            {
                "color": COLOR.get(state, COLOR["ALARM"]),
                "blocks": [
                    {
                        "type": "context",
                        "elements": [
                            {
                                "type": "mrkdwn",
                                "text": fit_slack(_status_line(enriched, acknowledged_by), 500),
                            }
                        ],
                    }
                ],
            }
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def update(enriched: Enriched, channel_id: str, ts: str) -> dict[str, Any]:
    """A ``chat.update`` body turning the original message into its new state (e.g. resolved)."""
    body = message(enriched, channel_id)
    body.pop("unfurl_links")
    body.pop("unfurl_media")
    body["ts"] = ts
    return body


def acknowledged_update(
    channel_id: str, ts: str, original_blocks: list[dict[str, Any]], user: str
) -> dict[str, Any]:
    """``chat.update`` after an Acknowledge click: same blocks, no Acknowledge button, who did it.

    ``user`` is Slack's user id, rendered as a mention so Slack shows the name.
    """
    kept = []
    for block in original_blocks[: BLOCKS_MAX - 1]:
        if block.get("type") == "actions":
            elements = [e for e in block.get("elements", []) if e.get("action_id") != ACK_ACTION_ID]
            if elements:
                kept.append({**block, "elements": elements})
            continue
        kept.append(block)
    who = f"<@{fit_slack(user, 40)}>"
    return {
        "channel": channel_id,
        "ts": ts,
        "text": f"Acknowledged by {who}",
        "blocks": kept,
        "attachments": [
            {
                "color": COLOR["ACK"],
                "blocks": [
                    {
                        "type": "context",
                        "elements": [{"type": "mrkdwn", "text": f"🟡 Acknowledged by {who}"}],
                    }
                ],
            }
        ],
    }
