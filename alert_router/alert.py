"""The one internal shape every notification is normalized into."""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")

# Where the notification came from.
SOURCE_SNS = "sns"
SOURCE_EVENTBRIDGE = "eventbridge"
SOURCE_LAMBDA_ACTION = "lambda-action"
SOURCE_DIRECT = "direct"

# What kind of alert it is.
KIND_METRIC = "metric"
KIND_METRIC_MATH = "metric-math"
KIND_ANOMALY = "anomaly-detection"
KIND_COMPOSITE = "composite"
KIND_EXPENSIVE_SCAN = "EXPENSIVE_SCAN"
KIND_LAMBDA_ERROR = "LAMBDA_ERROR"
KIND_GENERIC = "GENERIC"

ALARM_KINDS = (KIND_METRIC, KIND_METRIC_MATH, KIND_ANOMALY, KIND_COMPOSITE)


@dataclass(frozen=True)
class Metric:
    """One metric (or metric-math expression) an alarm watches."""

    id: str | None = None
    namespace: str | None = None
    name: str | None = None
    dimensions: tuple[tuple[str, str], ...] = ()
    stat: str | None = None
    period: int | None = None
    expression: str | None = None
    label: str | None = None
    return_data: bool | None = None


@dataclass(frozen=True)
class Alert:
    """A normalized alert. Every string is as received (unescaped); renderers escape.

    ``notification_id`` identifies the notification (the same alarm state change delivered twice,
    or through two shapes, has the same id); ``dedup_key`` identifies the alarm (one PagerDuty
    incident per alarm); ``timestamp`` is ISO 8601 UTC with milliseconds.
    """

    source: str
    kind: str
    notification_id: str
    dedup_key: str
    name: str
    state: str
    timestamp: str
    arn: str | None = None
    account: str | None = None
    region: str | None = None
    previous_state: str | None = None
    reason: str = ""
    description: str = ""
    metrics: tuple[Metric, ...] = ()
    topic: str | None = None
    subject: str | None = None
    alarm_rule: str | None = None
    triggering_children: tuple[str, ...] = ()
    severity_hint: str | None = None
    resource: str | None = None
    details: tuple[tuple[str, str], ...] = field(default=())

    @property
    def is_alarm(self) -> bool:
        return self.kind in ALARM_KINDS

    def to_dict(self) -> dict:
        """A JSON-ready view (used in logs, history and the dry run)."""
        return {
            "source": self.source,
            "kind": self.kind,
            "notificationId": self.notification_id,
            "dedupKey": self.dedup_key,
            "name": self.name,
            "arn": self.arn,
            "account": self.account,
            "region": self.region,
            "state": self.state,
            "previousState": self.previous_state,
            "reason": self.reason,
            "timestamp": self.timestamp,
            "description": self.description,
            "metrics": [
                {
                    k: v
                    for k, v in {
                        "id": m.id,
                        "namespace": m.namespace,
                        "name": m.name,
                        "dimensions": dict(m.dimensions),
                        "stat": m.stat,
                        "period": m.period,
                        "expression": m.expression,
                        "label": m.label,
                        "returnData": m.return_data,
                    }.items()
                    if v not in (None, {})
                }
                for m in self.metrics
            ],
            "topic": self.topic,
            "subject": self.subject,
            "alarmRule": self.alarm_rule,
            "triggeringChildren": list(self.triggering_children),
            "resource": self.resource,
            "details": dict(self.details),
        }
