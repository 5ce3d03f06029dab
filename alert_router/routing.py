"""Severity and rule → channels. Pure."""

from __future__ import annotations

from alert_router.config import Channel, RoutingConfig
from alert_router.enrich import Classification

KIND_PAGERDUTY = "pagerduty"
KIND_SLACK = "slack"
KIND_SMS = "sms"
KIND_EMAIL = "email"
KINDS = (KIND_PAGERDUTY, KIND_SLACK, KIND_SMS, KIND_EMAIL)


def channel_keys(classification: Classification, config: RoutingConfig) -> tuple[str, ...]:
    """The channel keys for an alert: the rule's own list, else its severity's (order kept)."""
    keys = classification.channels
    if keys is None:
        keys = config.severity_channels.get(classification.severity, ())
    seen: list[str] = []
    for key in keys:
        if key == KIND_PAGERDUTY and not config.pagerduty_enabled:
            continue
        if key not in seen:
            seen.append(key)
    return tuple(seen)


def resolve_channels(
    keys: tuple[str, ...], config: RoutingConfig
) -> tuple[tuple[Channel, ...], tuple[str, ...]]:
    """The configured channels for ``keys``, and the keys that name no configured channel."""
    found: list[Channel] = []
    missing: list[str] = []
    for key in keys:
        channel = config.channels.get(key)
        if channel is None and key == KIND_PAGERDUTY:
            channel = Channel(KIND_PAGERDUTY, KIND_PAGERDUTY, ())
        if channel is None or channel.kind not in KINDS:
            missing.append(key)
        else:
            found.append(channel)
    return tuple(found), tuple(missing)
