"""The router's routing configuration, generated from the stack's settings.

Pure: settings (and the alarm specs derived from them) in, the JSON document of
`docs/routing-config.md` out. The Pulumi program ships it in the router's archive; the dry-run
command builds it the same way from a stack file, so both route identically.
"""

from __future__ import annotations

from typing import Any

from components import catalog, naming
from components.alarm_specs import alarm_specs, has_system_down, runbook_url
from components.settings import Settings

ROUTING_CONFIG_VERSION = 1
PLATFORM_ALERT_TYPES = {
    "EXPENSIVE_SCAN": "expensive-scan",
    "LAMBDA_ERROR": "lambda-function-error",
    "GENERIC": "unclassified-alert",
}


def build_routing_config(settings: Settings) -> dict[str, Any]:
    """The routing document for the router of this stack (no secrets in it)."""
    specs = alarm_specs(settings)
    delivering = _delivering_channels(settings)

    def route(channels: tuple[str, ...] | None) -> list[str] | None:
        if channels is None:
            return None
        kept = [c for c in channels if c in delivering]
        # A rule whose own channels all deliver nowhere in this stack uses its severity's.
        return kept or None

    groups = {r.rule: r.group for r in catalog.RULES}
    groups.update({r.rule: "platform" for r in catalog.PLATFORM_ALERTS})
    rules: dict[str, dict[str, Any]] = {}
    for rule in (*catalog.RULES, *catalog.NOTIFICATION_RULES.values()):
        o = settings.override(rule.rule)
        rules[rule.rule] = {
            "title": rule.title,
            "severity": o.severity or rule.severity,
            "channels": route(o.channels if o.channels is not None else rule.channels),
            "runbookUrl": runbook_url(settings, rule.rule),
            "pagerdutyService": rule.pagerduty_service,
            "group": groups.get(rule.rule, "application"),
            "notifyInsufficientData": getattr(rule, "notify_insufficient_data", False),
        }

    alarms: dict[str, dict[str, str]] = {}
    for spec in specs:
        alarms[spec.name] = {"rule": spec.rule.rule, "resource": spec.resource}
        alarms[spec.notifying_name] = {"rule": spec.rule.rule, "resource": spec.resource}
    if has_system_down(settings, specs):
        alarms[f"{settings.prefix}-{catalog.SYSTEM_DOWN.rule}"] = {
            "rule": catalog.SYSTEM_DOWN.rule,
            "resource": settings.watch.api.name,
        }

    channels: dict[str, dict[str, Any]] = {}
    for key in sorted(delivering):
        channel = settings.notifications.channels[key]
        if channel.kind == "pagerduty":
            channels[key] = {"kind": "pagerduty"}
        elif channel.kind == "slack":
            channels[key] = {"kind": "slack", "target": channel.targets[0]}
        else:
            channels[key] = {"kind": channel.kind, "target": list(channel.targets)}

    sup = settings.suppression
    return {
        "version": ROUTING_CONFIG_VERSION,
        "stack": settings.stack,
        "environment": settings.stack,
        "region": settings.region,
        "runbookBaseUrl": settings.runbook_base_url,
        "dashboards": {
            purpose: naming.dashboard_name(settings.prefix, purpose)
            for purpose in ("executive", "operations")
            if getattr(settings.dashboards, purpose)
        },
        "defaultSeverity": "LOW",
        "severityTopics": {
            naming.topic_name(settings.prefix, f"alerts-{sev.lower()}"): sev
            for sev in catalog.SEVERITIES
        },
        "severityChannels": {
            sev: [c for c in chs if c in delivering]
            for sev, chs in settings.notifications.severity_channels.items()
        },
        "rules": rules,
        "alarms": dict(sorted(alarms.items())),
        "channels": channels,
        "pagerduty": {
            "enabled": settings.pagerduty.enabled,
            "services": [s.key for s in settings.pagerduty.services],
            "defaultService": "platform" if settings.pagerduty.enabled else None,
        },
        "email": {"sender": settings.notifications.email_sender},
        "suppression": {
            "foldThreshold": sup.fold_threshold,
            "foldWindowSeconds": sup.fold_window_minutes * 60,
            "repeatIntervalSeconds": sup.repeat_interval_minutes * 60,
            "similarWindowSeconds": sup.similar_window_minutes * 60,
            "historyDays": sup.history_days,
            "idempotencyHours": 48,
        },
        "silences": [
            {
                "matchers": {"rule": s.rule, "alarm": s.alarm, "resource": s.resource},
                "expiresAt": s.expires_at,
                "comment": s.comment,
                "createdBy": s.created_by,
            }
            for s in settings.silences
        ],
        "inhibitions": [
            {
                "sourceRule": catalog.SYSTEM_DOWN.rule,
                "targetRules": list(catalog.SYSTEM_DOWN_INHIBITS),
            }
        ]
        if has_system_down(settings, specs)
        else [],
        "healthChecks": [{"name": "api", "url": settings.watch.api.health_url}],
        "healthBudgetSeconds": 2.0,
        "platformAlerts": dict(PLATFORM_ALERT_TYPES),
    }


def _delivering_channels(settings: Settings) -> set[str]:
    """Channel keys that reach someone in this stack (PagerDuty only where it is enabled)."""
    out = set()
    for key, channel in settings.notifications.channels.items():
        if channel.kind == "pagerduty":
            if settings.pagerduty.enabled:
                out.add(key)
        elif channel.targets:
            out.add(key)
    return out
