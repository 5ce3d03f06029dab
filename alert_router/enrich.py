"""Enrichment, pure part: rule, severity, runbook, console URLs, correlation id.

The I/O parts (recent similar alerts from the state table, the system-health snapshot) are
fetched at the edge and passed in as plain values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import quote

from alert_router.alert import (
    KIND_EXPENSIVE_SCAN,
    KIND_GENERIC,
    KIND_LAMBDA_ERROR,
    SEVERITIES,
    Alert,
)
from alert_router.config import RoutingConfig

UNMAPPED_ALARM_RULE = "unmapped-alarm"


@dataclass(frozen=True)
class Classification:
    """Which rule an alert falls under and how severe it is."""

    rule: str
    severity: str
    title: str
    runbook_url: str
    pagerduty_service: str
    channels: tuple[str, ...] | None  # the rule's own list; None = the severity's list
    resource: str | None = None  # the watched resource (routing config first, then dimensions)
    notify_insufficient_data: bool = False


@dataclass(frozen=True)
class Enriched:
    """An alert with everything the renderers need."""

    alert: Alert
    classification: Classification
    environment: str
    correlation_id: str
    console_urls: dict[str, str]
    similar_recent: int = 0
    health: tuple[tuple[str, str], ...] = ()
    fold_count: int = 0
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def rule(self) -> str:
        return self.classification.rule

    @property
    def severity(self) -> str:
        return self.classification.severity


def correlation_id(alert: Alert) -> str:
    """Deterministic per notification, so retries and duplicates log the same id."""
    return "hl-" + hashlib.sha256(alert.notification_id.encode("utf-8")).hexdigest()[:16]


def _valid(severity: str | None) -> str | None:
    return severity if severity in SEVERITIES else None


def classify(alert: Alert, config: RoutingConfig) -> Classification:
    """Rule and severity: a known alarm's rule; a platform alert's rule; else topic, default."""
    rule_name: str
    severity: str | None = None
    mapping = config.alarms.get(alert.name) if alert.is_alarm else None
    if alert.is_alarm:
        rule_name = mapping["rule"] if mapping and mapping.get("rule") else UNMAPPED_ALARM_RULE
    elif alert.kind == KIND_EXPENSIVE_SCAN:
        rule_name = config.platform_alerts.get("EXPENSIVE_SCAN", "expensive-scan")
        severity = alert.severity_hint  # the seed's rule decides, from the scan's own figures
    elif alert.kind == KIND_LAMBDA_ERROR:
        rule_name = config.platform_alerts.get("LAMBDA_ERROR", "lambda-function-error")
    else:
        rule_name = config.platform_alerts.get("GENERIC", "unclassified-alert")
        severity = "LOW"
    rule = config.rules.get(rule_name)
    if severity is None and rule is not None:
        severity = _valid(rule.severity)
    if severity is None and alert.topic:
        severity = _valid(config.severity_topics.get(alert.topic))
    severity = severity or _valid(config.default_severity) or "LOW"
    title = (rule.title if rule and rule.title else None) or alert.name
    runbook = (rule.runbook_url if rule and rule.runbook_url else None) or (
        f"{config.runbook_base_url}/{quote(rule_name)}.md" if config.runbook_base_url else ""
    )
    service = (rule.pagerduty_service if rule and rule.pagerduty_service else None) or (
        config.pagerduty_default_service
    )
    if alert.kind == KIND_GENERIC and rule is None:
        title = alert.name
    return Classification(
        rule=rule_name,
        severity=severity,
        title=title,
        runbook_url=runbook,
        pagerduty_service=service,
        channels=rule.channels if rule else None,
        resource=(mapping or {}).get("resource") or alert.resource,
        notify_insufficient_data=bool(rule and rule.notify_insufficient_data),
    )


def console_urls(alert: Alert, config: RoutingConfig) -> dict[str, str]:
    """CloudWatch console links in the alert's own region (the stack's region otherwise)."""
    region = alert.region or config.region
    base = f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
    urls = {}
    if alert.is_alarm:
        urls["alarm"] = f"{base}#alarmsV2:alarm/{quote(alert.name, safe='')}"
    metric = next((m for m in alert.metrics if m.namespace and m.name), None)
    if metric is not None:
        urls["metric"] = (
            f"{base}#metricsV2?graph=~(metrics~(~(~'{quote(metric.namespace, safe='')}"
            f"~'{quote(metric.name, safe='')}))~region~'{region})"
        )
    dashboard = config.dashboards.get("operations")
    if dashboard:
        urls["dashboard"] = f"{base}#dashboards:name={quote(dashboard, safe='')}"
    return urls


def enrich(
    alert: Alert,
    config: RoutingConfig,
    *,
    similar_recent: int = 0,
    health: tuple[tuple[str, str], ...] = (),
    fold_count: int = 0,
    classification: Classification | None = None,
) -> Enriched:
    """Everything renderers need; the I/O-derived facts come in as arguments."""
    return Enriched(
        alert=alert,
        classification=classification or classify(alert, config),
        environment=config.environment,
        correlation_id=correlation_id(alert),
        console_urls=console_urls(alert, config),
        similar_recent=similar_recent,
        health=health,
        fold_count=fold_count,
    )
