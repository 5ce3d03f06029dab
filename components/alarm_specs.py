"""Catalog rules × watched resources → the concrete alarms of a stack, as plain data.

Pure: no Pulumi here. The Pulumi builder (`components/alarms.py`) turns each `AlarmSpec` into
a resource; the preview's alarm table, the dashboards' threshold lines and the router's routing
configuration read the same specs, so they always agree with what is deployed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from components import catalog, naming
from components.catalog import AlarmRule, MetricStat
from components.settings import Settings, effective_window

# Stands for the Route 53 health check's id, known only once the check exists.
HEALTH_CHECK_ID = "{healthCheckId}"
ROUTE53_METRICS_REGION = "us-east-1"

DESCRIPTION_MAX = 1024
# Alarms of rules explained by `system-down` notify through a wrapper composite alarm that
# carries this suffix and is muted (actions_suppressor) while the platform is down.
NOTIFY_SUFFIX = "-notify"


@dataclass(frozen=True)
class AlarmSpec:
    name: str
    rule: AlarmRule
    resource: str  # the watched resource's name, or "account" / "platform"
    dimensions: dict[str, str]
    threshold: float
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str
    severity: str
    channels: tuple[str, ...] | None
    description: str
    tags: dict[str, str] = field(default_factory=dict)
    # True when the stack has a system-down composite that explains this alarm.
    suppressed_by_system_down: bool = False

    @property
    def notifying_name(self) -> str:
        """The alarm whose notifications reach people (the wrapper where there is one)."""
        if self.suppressed_by_system_down:
            return naming.fit(self.name + NOTIFY_SUFFIX, naming.ALARM_NAME_MAX)
        return self.name

    def metric_label(self) -> str:
        """What the alarm watches, for tables: `AWS/EC2 CPUUtilization Average` or the math."""
        if self.rule.metric is not None:
            m = self.rule.metric
            return f"{m.namespace} {m.metric_name} {m.stat}"
        return self.expression()

    def expression(self) -> str:
        return self.rule.expression.replace("{band}", format_number(self.threshold))

    def metric_queries(self) -> list[dict]:
        """CloudWatch `Metrics` for math and anomaly rules, ids as in the catalog."""
        queries = [
            {
                "id": m.id,
                "return_data": self.rule.anomaly,
                "metric": {
                    "namespace": m.namespace,
                    "metric_name": m.metric_name,
                    "stat": m.stat,
                    "period": self.period,
                    "dimensions": {k: self.dimensions[k] for k in _dims_of(m, self)} | dict(m.fixed)
                    or None,
                },
            }
            for m in self.rule.metrics
        ]
        queries.append(
            {
                "id": "band" if self.rule.anomaly else "result",
                "expression": self.expression(),
                "label": self.rule.title,
                "return_data": True,
            }
        )
        return queries

    def window_text(self) -> str:
        if self.datapoints_to_alarm == self.evaluation_periods:
            return f"{self.evaluation_periods} × {_duration(self.period)}"
        return f"{self.datapoints_to_alarm} of {self.evaluation_periods} × {_duration(self.period)}"


def _dims_of(m: MetricStat, spec: AlarmSpec) -> tuple[str, ...]:
    return m.dimensions or tuple(spec.dimensions)


def alarm_specs(settings: Settings) -> list[AlarmSpec]:
    """Every enabled metric alarm of the stack, in catalog order."""
    specs = []
    for rule in catalog.RULES:
        override = settings.override(rule.rule)
        if not override.enabled:
            continue
        for resource, dimensions in _resources(rule, settings):
            specs.append(_spec(rule, resource, dimensions, settings))
    if has_system_down(settings, specs):
        specs = [
            replace(s, suppressed_by_system_down=True) if s.rule.explained_by_system_down else s
            for s in specs
        ]
    return specs


def has_system_down(settings: Settings, specs: list[AlarmSpec]) -> bool:
    """The composite exists when enabled and at least one of its signals is alarmed on."""
    parts = {s.rule.rule for s in specs} & set(SYSTEM_DOWN_RULE_PARTS)
    return settings.override(catalog.SYSTEM_DOWN.rule).enabled and bool(parts)


def _resources(rule: AlarmRule, settings: Settings) -> list[tuple[str, dict[str, str]]]:
    w = settings.watch
    if rule.target == "ec2":
        return [(e.name, {e.dimension: e.name}) for e in w.ec2]
    if rule.target == "rds":
        return [(db, {"DBInstanceIdentifier": db}) for db in w.rds_instances]
    if rule.target == "dynamodb":
        return [(t.name, {"TableName": t.name}) for t in w.dynamodb_tables]
    if rule.target == "dynamodb_provisioned":
        return [
            (t.name, {"TableName": t.name})
            for t in w.dynamodb_tables
            if t.billing_mode == "PROVISIONED"
        ]
    if rule.target == "api":
        return [(w.api.name, {"ApiName": w.api.name, "Stage": w.api.stage})]
    if rule.target == "lambda":
        return [(f, {"FunctionName": f}) for f in w.lambda_functions]
    if rule.target == "health_check":
        # Route 53 publishes health-check metrics in us-east-1 only, and a composite alarm
        # can only use alarms of its own region: elsewhere the API pair alone decides.
        if settings.region != ROUTE53_METRICS_REGION:
            return []
        return [(w.api.name, {"HealthCheckId": HEALTH_CHECK_ID})]
    if rule.target in ("account", "platform"):
        return [(rule.target, {})]
    raise ValueError(f"catalog rule {rule.rule}: unknown target {rule.target}")


def _spec(
    rule: AlarmRule, resource: str, dimensions: dict[str, str], settings: Settings
) -> AlarmSpec:
    o = settings.override(rule.rule)
    threshold = settings.thresholds[rule.threshold]
    period, evaluations, datapoints = effective_window(rule, o)
    severity = o.severity or rule.severity
    name = naming.alarm_name(
        settings.prefix, rule.rule, None if rule.target in ("account", "platform") else resource
    )
    unit = catalog.THRESHOLDS_BY_PATH[rule.threshold].unit
    runbook = runbook_url(settings, rule.rule)
    window = f"{datapoints} of {evaluations} periods of {_duration(period)}"
    text = (
        f"[{severity}] {rule.title} on {resource}. {rule.what} {format_number(threshold)} {unit} "
        f"({window}). Runbook: {runbook}"
    )
    return AlarmSpec(
        name=name,
        rule=rule,
        resource=resource,
        dimensions=dimensions,
        threshold=threshold,
        period=period,
        evaluation_periods=evaluations,
        datapoints_to_alarm=datapoints,
        treat_missing_data=o.treat_missing_data or rule.treat_missing_data,
        severity=severity,
        channels=o.channels if o.channels is not None else rule.channels,
        description=clip(text, DESCRIPTION_MAX),
        tags={
            "stack": settings.stack,
            "rule": rule.rule,
            "severity": severity,
            "team": settings.team,
        },
    )


def runbook_url(settings: Settings, rule: str) -> str:
    return f"{settings.runbook_base_url}/{rule}.md"


def system_down_children(specs: list[AlarmSpec]) -> list[AlarmSpec]:
    return [s for s in specs if s.suppressed_by_system_down]


SYSTEM_DOWN_RULE_PARTS = ("api-health-check-failed", "api-error-rate-high", "api-latency-high")


def system_down_rule_text(child_arns: dict[str, str]) -> str:
    """The composite's rule: the health check failing, or API errors and latency together.

    `child_arns` maps catalog rule → alarm ARN; rules switched off in the stack are absent.
    """
    pair = [f'ALARM("{child_arns[r]}")' for r in SYSTEM_DOWN_RULE_PARTS[1:] if r in child_arns]
    parts = []
    if SYSTEM_DOWN_RULE_PARTS[0] in child_arns:
        parts.append(f'ALARM("{child_arns[SYSTEM_DOWN_RULE_PARTS[0]]}")')
    if pair:
        parts.append("(" + " AND ".join(pair) + ")" if len(pair) > 1 else pair[0])
    return " OR ".join(parts)


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def format_number(value: float) -> str:
    """80.0 → "80", 0.2 → "0.2": thresholds as people write them."""
    return str(int(value)) if float(value).is_integer() else str(value)


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
