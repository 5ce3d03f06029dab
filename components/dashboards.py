"""CloudWatch dashboards: bodies built as data by pure functions, serialised once.

Two dashboards, laid out as in the design (two columns of 12 × 6 widgets):
- executive: revenue streams, active users, platform usage, conversion rates, business alarms;
- operations: response times (0–2000 ms), error rates, infrastructure use, data stores,
  Lambda health, and the status of every alarm.
Threshold lines on graphs come from the same alarm specs that create the alarms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.alarm_specs import AlarmSpec, format_number
from components.settings import Settings

GRID_COLUMNS = 24
WIDGET_WIDTH = 12
WIDGET_HEIGHT = 6
ALARM_WIDGET_MAX_ALARMS = 100  # CloudWatch's limit for one alarm-status widget


def console_url(region: str, dashboard: str) -> str:
    return (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#dashboards/dashboard/{dashboard}"
    )


def layout(widgets: list[dict]) -> list[dict]:
    """Places widgets in two columns of 12 × 6, left to right, top to bottom."""
    return [
        {
            **w,
            "x": (i % 2) * WIDGET_WIDTH,
            "y": (i // 2) * WIDGET_HEIGHT,
            "width": WIDGET_WIDTH,
            "height": WIDGET_HEIGHT,
        }
        for i, w in enumerate(widgets)
    ]


def graph(
    title: str,
    region: str,
    metrics: list[list],
    *,
    period: int = 300,
    stat: str = "Average",
    view: str = "timeSeries",
    y_max: float | None = None,
    thresholds: list[dict] | None = None,
) -> dict:
    props: dict = {
        "title": title,
        "region": region,
        "metrics": metrics,
        "view": view,
        "stacked": False,
        "period": period,
        "stat": stat,
    }
    if y_max is not None:
        props["yAxis"] = {"left": {"min": 0, "max": y_max}}
    if thresholds:
        props["annotations"] = {"horizontal": thresholds}
    return {"type": "metric", "properties": props}


def alarm_status(title: str, region: str, alarm_arns: list[str]) -> list[dict]:
    """Alarm-status widgets, split at CloudWatch's 100-alarms-per-widget limit."""
    chunks = [
        alarm_arns[i : i + ALARM_WIDGET_MAX_ALARMS]
        for i in range(0, len(alarm_arns), ALARM_WIDGET_MAX_ALARMS)
    ]
    return [
        {
            "type": "alarm",
            "properties": {
                "title": title if len(chunks) == 1 else f"{title} ({n + 1}/{len(chunks)})",
                "region": region,
                "alarms": sorted(chunk),
                "sortBy": "stateUpdatedTimestamp",
                "states": [],
            },
        }
        for n, chunk in enumerate(chunks)
    ]


def threshold_lines(specs: list[AlarmSpec], *rules: str) -> list[dict]:
    """One horizontal annotation per rule, at the threshold the stack configures."""
    lines, seen = [], set()
    for spec in specs:
        rule = spec.rule.rule
        if rule in rules and rule not in seen and not spec.rule.anomaly:
            seen.add(rule)
            lines.append(
                {
                    "label": f"{rule} ({format_number(spec.threshold)})",
                    "value": spec.threshold,
                    "color": "#d62728" if spec.severity in ("CRITICAL", "HIGH") else "#ff7f0e",
                }
            )
    return lines


def executive_body(settings: Settings, specs: list[AlarmSpec], alarm_arns: dict[str, str]) -> dict:
    region, w = settings.region, settings.watch
    business = "HarborList/Business"
    api_dims = ["ApiName", w.api.name, "Stage", w.api.stage]
    widgets = [
        graph(
            "Revenue Streams",
            region,
            [
                [business, "Revenue", "Source", source]
                for source in ("Platform", "Commission", "Subscription")
            ],
            period=3600,
            stat="Sum",
        ),
        graph(
            "Active Users",
            region,
            [[business, "ActiveUsers", "Period", p] for p in ("Daily", "Weekly", "Monthly")],
            period=86400,
            stat="Maximum",
        ),
        graph(
            "Platform Usage",
            region,
            [["AWS/ApiGateway", "Count", *api_dims, {"label": "API requests"}]]
            + [["AWS/Lambda", "Invocations", "FunctionName", f] for f in w.lambda_functions]
            + [
                ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", t.name]
                for t in w.dynamodb_tables
            ],
            stat="Sum",
        ),
        conversion_rates(region),
        graph(
            "Marketplace Activity",
            region,
            [
                [business, metric]
                for metric in (
                    "UserRegistrations",
                    "ListingCreations",
                    "ContactRequests",
                    "SearchQueries",
                )
            ],
            period=3600,
            stat="Sum",
        ),
        *alarm_status(
            "Business alarms",
            region,
            [alarm_arns[s.notifying_name] for s in specs if s.rule.group == "business"],
        ),
    ]
    return {"widgets": layout([w_ for w_ in widgets if _has_content(w_)])}


def conversion_rates(region: str) -> dict:
    """The funnel registration → listing creation → contact request, as metric math.

    Rates are computed from the platform's counts over the same day; nothing is published
    as a ready-made percentage, so there is no number to fake.
    """
    business = "HarborList/Business"
    return graph(
        "Conversion Rates (daily)",
        region,
        [
            [business, "UserRegistrations", {"id": "registrations", "visible": False}],
            [business, "ListingCreations", {"id": "listings", "visible": False}],
            [business, "ContactRequests", {"id": "contacts", "visible": False}],
            [
                {
                    "expression": "100 * listings / registrations",
                    "id": "registrationToListing",
                    "label": "Registration → listing (%)",
                }
            ],
            [
                {
                    "expression": "100 * contacts / listings",
                    "id": "listingToContact",
                    "label": "Listing → contact request (%)",
                }
            ],
            [
                {
                    "expression": "100 * contacts / registrations",
                    "id": "registrationToContact",
                    "label": "Registration → contact request (%)",
                }
            ],
        ],
        period=86400,
        stat="Sum",
        view="singleValue",
    )


def operations_body(settings: Settings, specs: list[AlarmSpec], alarm_arns: dict[str, str]) -> dict:
    region, w = settings.region, settings.watch
    api_dims = ["ApiName", w.api.name, "Stage", w.api.stage]
    widgets = [
        graph(
            "Response Times (ms)",
            region,
            [
                ["AWS/ApiGateway", "Latency", *api_dims, {"label": "API latency (avg)"}],
                [
                    "AWS/ApiGateway",
                    "Latency",
                    *api_dims,
                    {"stat": "p90", "label": "API latency p90"},
                ],
            ]
            + [["AWS/Lambda", "Duration", "FunctionName", f] for f in w.lambda_functions]
            + [
                [
                    "AWS/DynamoDB",
                    "SuccessfulRequestLatency",
                    "TableName",
                    t.name,
                    "Operation",
                    "GetItem",
                ]
                for t in w.dynamodb_tables
            ],
            y_max=2000,
            thresholds=threshold_lines(specs, "api-latency-high", "response-time-degraded"),
        ),
        graph(
            "Error Rates (%)",
            region,
            [
                ["AWS/ApiGateway", "5XXError", *api_dims, {"id": "e5", "visible": False}],
                ["AWS/ApiGateway", "4XXError", *api_dims, {"id": "e4", "visible": False}],
                ["AWS/ApiGateway", "Count", *api_dims, {"id": "requests", "visible": False}],
                [{"expression": "100 * e5 / requests", "id": "rate5xx", "label": "API 5XX %"}],
                [{"expression": "100 * e4 / requests", "id": "rate4xx", "label": "API 4XX %"}],
            ],
            stat="Sum",
            thresholds=threshold_lines(specs, "api-error-rate-high", "api-client-error-rate-high"),
        ),
        graph(
            "Lambda Errors and Throttles",
            region,
            [
                ["AWS/Lambda", m, "FunctionName", f]
                for f in w.lambda_functions
                for m in ("Errors", "Throttles")
            ],
            stat="Sum",
        ),
        graph(
            "Infrastructure Utilization (%)",
            region,
            [["AWS/EC2", "CPUUtilization", e.dimension, e.name] for e in w.ec2]
            + [["CWAgent", "mem_used_percent", e.dimension, e.name] for e in w.ec2]
            + [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", db] for db in w.rds_instances],
            y_max=100,
            thresholds=threshold_lines(specs, "high-cpu-usage", "memory-usage-high"),
        ),
        graph(
            "Database Connections",
            region,
            [
                ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", db]
                for db in w.rds_instances
            ],
            thresholds=threshold_lines(specs, "db-connections-high"),
        ),
        graph(
            "Disk Used (%)",
            region,
            [["CWAgent", "disk_used_percent", e.dimension, e.name] for e in w.ec2],
            stat="Maximum",
            y_max=100,
            thresholds=threshold_lines(specs, "disk-space-low"),
        ),
        graph(
            "Database Free Storage (bytes)",
            region,
            [["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", db] for db in w.rds_instances],
            stat="Minimum",
            thresholds=threshold_lines(specs, "db-storage-low"),
        ),
        graph(
            "Lambda Concurrency (account)",
            region,
            [["AWS/Lambda", "ConcurrentExecutions"]],
            period=60,
            stat="Maximum",
            thresholds=threshold_lines(specs, "lambda-concurrency-high"),
        ),
        graph(
            "DynamoDB Capacity and Throttling",
            region,
            [
                ["AWS/DynamoDB", m, "TableName", t.name]
                for t in w.dynamodb_tables
                for m in (
                    "ConsumedReadCapacityUnits",
                    "ConsumedWriteCapacityUnits",
                    "ReadThrottleEvents",
                    "WriteThrottleEvents",
                )
            ],
            stat="Sum",
        ),
        *alarm_status("All alarms", region, sorted(alarm_arns.values())),
    ]
    return {"widgets": layout([w_ for w_ in widgets if _has_content(w_)])}


def _has_content(widget: dict) -> bool:
    props = widget["properties"]
    return bool(props.get("metrics") or props.get("alarms"))


DASHBOARDS = {"executive": executive_body, "operations": operations_body}


@dataclass(frozen=True)
class DashboardsArgs:
    settings: Settings
    specs: list[AlarmSpec]
    alarm_arns: dict[str, pulumi.Output[str]]  # notifying alarm name → ARN


class Dashboards(pulumi.ComponentResource):
    """The stack's dashboards; `urls` maps each to its console URL."""

    def __init__(self, name: str, args: DashboardsArgs, opts=None):
        super().__init__("harborlist:monitoring:Dashboards", name, None, opts)
        s = args.settings
        enabled = {"executive": s.dashboards.executive, "operations": s.dashboards.operations}
        self.urls: dict[str, str] = {}
        for purpose, body in DASHBOARDS.items():
            if not enabled[purpose]:
                continue
            dashboard = naming.dashboard_name(s.prefix, purpose)
            aws.cloudwatch.Dashboard(
                dashboard,
                dashboard_name=dashboard,
                dashboard_body=pulumi.Output.all(**args.alarm_arns).apply(
                    lambda arns, body=body: json.dumps(
                        body(s, args.specs, arns), separators=(",", ":"), ensure_ascii=False
                    )
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.urls[purpose] = console_url(s.region, dashboard)
        self.register_outputs({"dashboardUrls": self.urls})
