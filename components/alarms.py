"""The one alarm builder: `AlarmSpec` → `aws.cloudwatch.MetricAlarm`, grouped in components.

Infrastructure, application and business alarms are the same builder over different catalog
groups; the composite `system-down` page and the wrappers it mutes live in `SystemDownAlarm`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import catalog
from components.alarm_specs import (
    HEALTH_CHECK_ID,
    SYSTEM_DOWN_RULE_PARTS,
    AlarmSpec,
    runbook_url,
    system_down_rule_text,
)
from components.settings import Settings

# How long the composite waits for the outage page to form before letting a child notify,
# and how long it keeps children muted after recovery (CloudWatch actions_suppressor).
SUPPRESSOR_WAIT_SECONDS = 120
SUPPRESSOR_EXTENSION_SECONDS = 300


@dataclass(frozen=True)
class AlarmGroupArgs:
    specs: list[AlarmSpec]
    topic_arns: dict[str, pulumi.Input[str]]  # by severity
    health_check_id: pulumi.Input[str] | None = None


class AlarmGroup(pulumi.ComponentResource):
    """Alarms of one catalog group; subclasses only name the group and its type token."""

    TYPE = ""
    GROUP = ""

    def __init__(self, name: str, args: AlarmGroupArgs, opts=None):
        super().__init__(self.TYPE, name, None, opts)
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        for spec in args.specs:
            if spec.rule.group == self.GROUP:
                self.alarms[spec.name] = metric_alarm(
                    spec, args, pulumi.ResourceOptions(parent=self)
                )
        self.register_outputs({"alarmArns": [a.arn for a in self.alarms.values()]})


class InfrastructureAlarms(AlarmGroup):
    TYPE = "harborlist:monitoring:InfrastructureAlarms"
    GROUP = "infrastructure"


class ApplicationAlarms(AlarmGroup):
    TYPE = "harborlist:monitoring:ApplicationAlarms"
    GROUP = "application"


class BusinessAlarms(AlarmGroup):
    TYPE = "harborlist:monitoring:BusinessAlarms"
    GROUP = "business"


ALARM_GROUPS = (InfrastructureAlarms, ApplicationAlarms, BusinessAlarms)


def notification_actions(spec: AlarmSpec, topic_arn: pulumi.Input[str]) -> dict:
    """ALARM and OK to the severity's topic, so every recovery can resolve its incident."""
    return {
        "alarm_actions": [topic_arn],
        "ok_actions": [topic_arn],
        "insufficient_data_actions": [topic_arn] if spec.rule.notify_insufficient_data else [],
    }


def metric_alarm(
    spec: AlarmSpec, args: AlarmGroupArgs, opts: pulumi.ResourceOptions
) -> aws.cloudwatch.MetricAlarm:
    rule = spec.rule
    dimensions = {
        k: (args.health_check_id if v == HEALTH_CHECK_ID else v) for k, v in spec.dimensions.items()
    }
    if rule.metric is not None:
        dimensions |= dict(rule.metric.fixed)
    common = {
        "name": spec.name,
        "alarm_description": spec.description,
        "comparison_operator": rule.comparison,
        "evaluation_periods": spec.evaluation_periods,
        "datapoints_to_alarm": spec.datapoints_to_alarm,
        "treat_missing_data": spec.treat_missing_data,
        "tags": spec.tags,
    }
    if spec.suppressed_by_system_down:
        # People hear about these through the wrapper that system-down can mute.
        actions: dict = {"alarm_actions": [], "ok_actions": [], "insufficient_data_actions": []}
    else:
        actions = notification_actions(spec, args.topic_arns[spec.severity])
    if rule.metric is not None:
        m = rule.metric
        stat = {"extended_statistic": m.stat} if m.stat.startswith("p") else {"statistic": m.stat}
        return aws.cloudwatch.MetricAlarm(
            spec.name,
            namespace=m.namespace,
            metric_name=m.metric_name,
            dimensions=dimensions or None,
            period=spec.period,
            threshold=spec.threshold,
            **stat,
            **common,
            **actions,
            opts=opts,
        )
    queries = [
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=q["id"],
            expression=q.get("expression"),
            label=q.get("label"),
            return_data=q["return_data"],
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(**q["metric"])
            if "metric" in q
            else None,
        )
        for q in spec.metric_queries()
    ]
    extra = {"threshold_metric_id": "band"} if rule.anomaly else {"threshold": spec.threshold}
    return aws.cloudwatch.MetricAlarm(
        spec.name, metric_queries=queries, **extra, **common, **actions, opts=opts
    )


@dataclass(frozen=True)
class ApiHealthCheckArgs:
    prefix: str
    health_url: str
    tags: dict[str, str]


class ApiHealthCheck(pulumi.ComponentResource):
    """A Route 53 HTTPS health check of the API's public health URL, from three regions."""

    def __init__(self, name: str, args: ApiHealthCheckArgs, opts=None):
        super().__init__("harborlist:monitoring:ApiHealthCheck", name, None, opts)
        url = args.health_url.removeprefix("https://")
        host, _, path = url.partition("/")
        hostname, _, port = host.partition(":")
        self.check = aws.route53.HealthCheck(
            f"{args.prefix}-api-health",
            type="HTTPS",
            fqdn=hostname,
            port=int(port or 443),
            resource_path="/" + path,
            request_interval=30,
            failure_threshold=3,
            measure_latency=True,
            regions=["us-east-1", "us-west-2", "eu-west-1"],
            tags={**args.tags, "Name": f"{args.prefix}-api-health"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"healthCheckId": self.check.id})


@dataclass(frozen=True)
class SystemDownArgs:
    settings: Settings
    children: list[AlarmSpec]  # specs whose alarms the composite explains
    child_alarms: dict[str, aws.cloudwatch.MetricAlarm]  # by alarm name
    topic_arns: dict[str, pulumi.Input[str]]


class SystemDownAlarm(pulumi.ComponentResource):
    """The single page when the platform is down, and the muted wrappers of its children.

    CloudWatch's actions_suppressor acts on a composite's own actions, so each child alarm
    notifies through a one-child composite (`…-notify`) that system-down suppresses.
    """

    def __init__(self, name: str, args: SystemDownArgs, opts=None):
        super().__init__("harborlist:monitoring:SystemDownAlarm", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        s = args.settings
        rule = catalog.SYSTEM_DOWN
        severity = s.override(rule.rule).severity or rule.severity
        arns = {
            c.rule.rule: args.child_alarms[c.name].arn
            for c in args.children
            if c.rule.rule in SYSTEM_DOWN_RULE_PARTS
        }
        name_ = self.alarm_name = f"{s.prefix}-{rule.rule}"
        self.alarm = aws.cloudwatch.CompositeAlarm(
            name_,
            alarm_name=name_,
            alarm_rule=pulumi.Output.all(**arns).apply(system_down_rule_text),
            alarm_description=(
                f"[{severity}] {rule.title}: the API health check fails, or API 5XX errors and "
                f"latency are in alarm together. Runbook: {runbook_url(s, rule.rule)}"
            ),
            alarm_actions=[args.topic_arns[severity]],
            ok_actions=[args.topic_arns[severity]],
            tags={"stack": s.stack, "rule": rule.rule, "severity": severity, "team": s.team},
            opts=child,
        )
        self.wrappers = {}
        for spec in args.children:
            topic = args.topic_arns[spec.severity]
            self.wrappers[spec.notifying_name] = aws.cloudwatch.CompositeAlarm(
                spec.notifying_name,
                alarm_name=spec.notifying_name,
                alarm_rule=args.child_alarms[spec.name].arn.apply(lambda a: f'ALARM("{a}")'),
                alarm_description=spec.description,
                actions_suppressor=aws.cloudwatch.CompositeAlarmActionsSuppressorArgs(
                    alarm=self.alarm.alarm_name,
                    wait_period=SUPPRESSOR_WAIT_SECONDS,
                    extension_period=SUPPRESSOR_EXTENSION_SECONDS,
                ),
                **notification_actions(spec, topic),
                tags=spec.tags,
                opts=child,
            )
        self.register_outputs({"systemDownAlarmArn": self.alarm.arn})
