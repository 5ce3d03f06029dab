"""Noise decisions (pure): silences, inhibition, repeat interval, folding, resolve-only-if-sent.

The state they need (the alarm's last notification, whether an inhibiting alarm is firing, the
alert's ordinal among similar alerts in the fold window) is read at the edge and passed in.
When the state table is unavailable the edge passes ``state_available=False`` and every check
that needs state lets the alert through: fail open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alert_router.alert import Alert
from alert_router.config import RoutingConfig, Silence
from alert_router.enrich import Classification

DELIVER = "deliver"
SILENCED = "silenced"
INHIBITED = "inhibited"
REPEAT = "repeat"
FOLDED = "folded"
NOT_NOTIFIED = "not-notified"
DUPLICATE = "duplicate"
STALE = "stale"


@dataclass(frozen=True)
class AlarmMemory:
    """What the state table remembers of an alarm (by dedup key)."""

    state: str | None = None
    notified_at: float | None = None  # epoch seconds of the last delivered ALARM
    changed_at: str | None = None  # timestamp of the latest state change seen (ISO, UTC)


@dataclass(frozen=True)
class Decision:
    action: str  # deliver | one of the suppression reasons
    detail: str = ""
    fold_count: int = 0

    @property
    def deliver(self) -> bool:
        return self.action == DELIVER


def _epoch(iso: str) -> float:
    text = iso.replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0


def matching_silence(
    alert: Alert, cls: Classification, silences: tuple[Silence, ...], now: float
) -> Silence | None:
    """The first unexpired silence whose every set matcher equals the alert's value."""
    for silence in silences:
        if _epoch(silence.expires_at) <= now:
            continue
        matchers = {"rule": silence.rule, "alarm": silence.alarm, "resource": silence.resource}
        values = {"rule": cls.rule, "alarm": alert.name, "resource": cls.resource}
        set_matchers = {k: v for k, v in matchers.items() if v is not None}
        if set_matchers and all(values[k] == v for k, v in set_matchers.items()):
            return silence
    return None


def inhibiting_rules(cls: Classification, config: RoutingConfig) -> tuple[str, ...]:
    """The source rules (e.g. ``system-down``) whose firing would mute this alert's rule."""
    return tuple(
        i.source_rule
        for i in config.inhibitions
        if cls.rule in i.target_rules and i.source_rule != cls.rule
    )


def before_fold(
    alert: Alert,
    cls: Classification,
    config: RoutingConfig,
    *,
    now: float,
    memory: AlarmMemory | None,
    inhibited_by: str | None,
    state_available: bool,
) -> Decision | None:
    """The decision, or ``None`` when only the fold counter can still hold the alert back."""
    if memory is not None and memory.changed_at and alert.timestamp < memory.changed_at:
        # SNS does not keep order: an ALARM arriving after the newer OK must not reopen it.
        return Decision(STALE, f"older than the last state change ({memory.changed_at})")
    if alert.state != "ALARM":
        # A recovery (or no-data) follows up only an alarm we told someone about; without the
        # table we cannot know, so we send it (a stray resolve is harmless).
        if not state_available:
            return Decision(DELIVER, "state unavailable")
        if memory is not None and memory.notified_at is not None:
            return Decision(DELIVER, "follows up a notified alarm")
        if not (alert.state == "INSUFFICIENT_DATA" and cls.notify_insufficient_data):
            return Decision(NOT_NOTIFIED, "no notification was sent for this alarm")
        # For rules that ask for it, missing data is news in itself (the CloudWatch agent
        # stopped): it goes out like a firing alarm, subject to silences and inhibition.
    silence = matching_silence(alert, cls, config.silences, now)
    if silence is not None:
        return Decision(SILENCED, f"silenced until {silence.expires_at}: {silence.comment}")
    if inhibited_by:
        return Decision(INHIBITED, f"inhibited while {inhibited_by} is firing")
    if not state_available:
        return Decision(DELIVER, "state unavailable")
    if (
        memory is not None
        and memory.state == "ALARM"
        and memory.notified_at is not None
        and now - memory.notified_at < config.suppression.repeat_interval_seconds
    ):
        return Decision(REPEAT, "still firing; within the repeat interval")
    return None


def after_fold(ordinal: int | None, threshold: int) -> Decision:
    """``ordinal`` = this alert's place among similar alerts in the fold window (1-based).

    Up to ``threshold`` alerts go out one by one; the next one goes out carrying the count and
    says further ones are folded; later ones in the window are held back.
    """
    if ordinal is None or ordinal <= threshold:
        return Decision(DELIVER)
    if ordinal == threshold + 1:
        return Decision(DELIVER, "fold notice", fold_count=ordinal)
    return Decision(FOLDED, f"{ordinal} similar alerts in the fold window", fold_count=ordinal)


def similarity_key(alert: Alert, cls: Classification) -> str:
    """Alerts are similar when they share a rule (unmapped alarms: the alarm itself)."""
    if cls.rule in ("unmapped-alarm",):
        return f"alarm:{alert.name}"
    return f"rule:{cls.rule}"
