"""Monthly CloudWatch cost of a stack's alarms, dashboards and health checks, estimated
from the resource graph with AWS's published us-east-1 list prices.

Billing units (CloudWatch pricing page): a standard alarm is billed per *metric* it evaluates
— a metric-math alarm per metric it reads (expressions are free), an anomaly-detection alarm
as three metrics (the metric and the two edges of its band); high-resolution alarms
(period < 60 s) cost three times as much; composite alarms are a flat price; dashboards are
free up to three per account. Route 53 health checks on a non-AWS endpoint cost a base price
plus each optional feature (HTTPS, latency measurement).
"""

from __future__ import annotations

from dataclasses import dataclass

from components.offline import Graph

STANDARD_ALARM_METRIC = 0.10
HIGH_RESOLUTION_ALARM_METRIC = 0.30
COMPOSITE_ALARM = 0.50
DASHBOARD = 3.00
FREE_DASHBOARDS_PER_ACCOUNT = 3
HEALTH_CHECK_BASE = 0.75
HEALTH_CHECK_OPTION = 2.00
ANOMALY_BAND_METRICS = 3


@dataclass(frozen=True)
class CostLine:
    item: str
    quantity: int
    unit_price: float

    @property
    def total(self) -> float:
        return round(self.quantity * self.unit_price, 2)


def alarm_metric_units(inputs: dict) -> int:
    queries = inputs.get("metricQueries")
    if not queries:
        return 1
    metrics = sum(1 for q in queries if "metric" in q)
    return ANOMALY_BAND_METRICS * metrics if "thresholdMetricId" in inputs else metrics


def monthly_cost(graph: Graph) -> list[CostLine]:
    standard = high_res = 0
    for a in graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
        units = alarm_metric_units(a.inputs)
        queries = a.inputs.get("metricQueries") or []
        periods = [q["metric"]["period"] for q in queries if "metric" in q]
        period = periods[0] if periods else a.inputs["period"]
        if period < 60:
            high_res += units
        else:
            standard += units
    composites = len(graph.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm"))
    dashboards = len(graph.of_type("aws:cloudwatch/dashboard:Dashboard"))
    checks = graph.of_type("aws:route53/healthCheck:HealthCheck")
    options = sum(
        (c.inputs.get("type") == "HTTPS") + bool(c.inputs.get("measureLatency")) for c in checks
    )
    return [
        CostLine("standard alarm metrics", standard, STANDARD_ALARM_METRIC),
        CostLine("high-resolution alarm metrics", high_res, HIGH_RESOLUTION_ALARM_METRIC),
        CostLine("composite alarms", composites, COMPOSITE_ALARM),
        CostLine(
            f"dashboards (first {FREE_DASHBOARDS_PER_ACCOUNT} per account free; priced here "
            "as if the account already uses them)",
            dashboards,
            DASHBOARD,
        ),
        CostLine("Route 53 health checks (non-AWS endpoint)", len(checks), HEALTH_CHECK_BASE),
        CostLine("health-check options (HTTPS, latency)", options, HEALTH_CHECK_OPTION),
    ]


def cost_table(graph: Graph) -> list[str]:
    lines = monthly_cost(graph)
    out = ["Estimated monthly cost (us-east-1 list prices, USD; see components/cost.py):"]
    out += [
        f"  {line.quantity:4d} × ${line.unit_price:.2f}  {line.item}: ${line.total:.2f}"
        for line in lines
    ]
    out.append(f"  total: ${sum(line.total for line in lines):.2f} per month")
    return out
