"""E-mail subject, plain-text and HTML bodies (pure). Named ``mail`` so as not to shadow the
standard library's ``email`` package."""

from __future__ import annotations

import html

from alert_router.enrich import Enriched
from alert_router.text import clip, one_line

MAX_SUBJECT = 200


def subject(enriched: Enriched) -> str:
    alert = enriched.alert
    label = "RESOLVED" if alert.state == "OK" else f"{enriched.severity} ALERT"
    return clip(
        one_line(
            f"[{label}] {enriched.environment}: {enriched.classification.title} ({alert.name})"
        ),
        MAX_SUBJECT,
    )


def _facts(enriched: Enriched) -> list[tuple[str, str]]:
    alert = enriched.alert
    facts = [
        ("Alarm", alert.name),
        ("State", f"{alert.previous_state or '?'} -> {alert.state}"),
        ("Severity", enriched.severity),
        ("Rule", enriched.rule),
        ("Environment", enriched.environment),
        ("Time", alert.timestamp),
        ("Region", alert.region or ""),
        ("Reason", clip(alert.reason, 5000)),
        ("Description", clip(alert.description, 5000)),
        ("Runbook", enriched.classification.runbook_url),
        ("Correlation id", enriched.correlation_id),
    ]
    facts += [(f"Console ({k})", v) for k, v in enriched.console_urls.items()]
    if enriched.fold_count:
        facts.append(("Similar alerts folded", str(enriched.fold_count)))
    return [(k, v) for k, v in facts if v]


def text_body(enriched: Enriched) -> str:
    return "\n".join(f"{k}: {v}" for k, v in _facts(enriched)) + "\n"


def html_body(enriched: Enriched) -> str:
    rows = "".join(
        f'<tr><th align="left">{html.escape(k)}</th><td>{html.escape(v)}</td></tr>'
        for k, v in _facts(enriched)
    )
    return (
        f"<html><body><h2>{html.escape(subject(enriched))}</h2><table>{rows}</table></body></html>"
    )
