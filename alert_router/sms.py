"""SMS text (pure). Short enough for two GSM segments; one line; no markup."""

from __future__ import annotations

from alert_router.enrich import Enriched
from alert_router.text import clip, one_line

MAX_SMS = 300


def text(enriched: Enriched) -> str:
    """``[CRITICAL prod] title: alarm ALARM — reason (hl-…)`` cut to 300 characters."""
    alert = enriched.alert
    tail = f" ({enriched.correlation_id})"
    head = one_line(
        f"[{enriched.severity} {enriched.environment}] {enriched.classification.title}: "
        f"{alert.name} {alert.state}"
    )
    if enriched.fold_count:
        head += f" +{enriched.fold_count - 1} similar"
    if alert.reason:
        head += " — " + one_line(alert.reason)
    return clip(head, MAX_SMS - len(tail)) + tail
