"""Watching the watcher: alarms on the alert router that page without going through it.

They notify a separate topic subscribed to PagerDuty's CloudWatch integration endpoint (where
PagerDuty is on) and to the on-call e-mail list — never to the severity topics the router
reads. A scheduled self-check publishes `Heartbeat`; its absence alarms.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.policies import cloudwatch_only_topic_policy

ROUTER_NAMESPACE = "HarborList/AlertRouter"
CHANNELS = ("pagerduty", "slack", "sms", "email")
# Alarm when the slowest invocations use this share of the timeout: retries are cut short
# and deliveries lost past it.
DURATION_SHARE_OF_TIMEOUT = 0.8


@dataclass(frozen=True)
class RouterWatchdogArgs:
    prefix: str
    stack: str
    region: str
    team: str
    runbook_base_url: str
    function_name: pulumi.Input[str]
    timeout_seconds: int
    queue_name: pulumi.Input[str]
    alerts_key_arn: pulumi.Input[str]  # a key CloudWatch may use (the alerts topics' key)
    emails: tuple[str, ...]
    pagerduty_endpoint: pulumi.Output[str] | None
    tags: dict[str, str]


@dataclass(frozen=True)
class WatchdogAlarm:
    rule: str
    what: str
    namespace: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    period: int
    evaluation_periods: int
    treat_missing_data: str
    dimensions: str  # "function" | "queue" | "stack"


def watchdog_alarms(timeout_seconds: int) -> list[WatchdogAlarm]:
    """The router's own alarms, as data."""
    return [
        WatchdogAlarm(
            "router-errors",
            "The alert router failed invocations: at least",
            "AWS/Lambda",
            "Errors",
            "Sum",
            "GreaterThanOrEqualToThreshold",
            1,
            60,
            1,
            "notBreaching",
            "function",
        ),
        WatchdogAlarm(
            "router-throttles",
            "The alert router was throttled: at least",
            "AWS/Lambda",
            "Throttles",
            "Sum",
            "GreaterThanOrEqualToThreshold",
            1,
            60,
            1,
            "notBreaching",
            "function",
        ),
        WatchdogAlarm(
            "router-duration-near-timeout",
            "The alert router's slowest invocations (ms) are above",
            "AWS/Lambda",
            "Duration",
            "Maximum",
            "GreaterThanThreshold",
            DURATION_SHARE_OF_TIMEOUT * timeout_seconds * 1000,
            300,
            1,
            "notBreaching",
            "function",
        ),
        WatchdogAlarm(
            "router-dead-letters",
            "Alerts wait in the router's dead-letter queue:",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "Maximum",
            "GreaterThanThreshold",
            0,
            60,
            1,
            "notBreaching",
            "queue",
        ),
        WatchdogAlarm(
            "router-delivery-failures",
            "Deliveries failed after retries (any channel): at least",
            ROUTER_NAMESPACE,
            "DeliveryFailures",
            "Sum",
            "GreaterThanOrEqualToThreshold",
            1,
            300,
            1,
            "notBreaching",
            "stack",
        ),
        # Missing data is the signal: no heartbeat means the router is not running.
        WatchdogAlarm(
            "router-heartbeat-missing",
            "Self-check heartbeats in 10 minutes: fewer than",
            ROUTER_NAMESPACE,
            "Heartbeat",
            "Sum",
            "LessThanThreshold",
            1,
            600,
            1,
            "breaching",
            "stack",
        ),
    ]


class RouterWatchdog(pulumi.ComponentResource):
    """The router-health topic, its subscribers and the router's own alarms."""

    def __init__(self, name: str, args: RouterWatchdogArgs, opts=None):
        super().__init__("harborlist:monitoring:RouterWatchdog", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        topic_name = naming.topic_name(args.prefix, "router-health")
        self.topic = aws.sns.Topic(
            topic_name,
            name=topic_name,
            display_name="HarborList alert router health (bypasses the router)",
            kms_master_key_id=args.alerts_key_arn,
            tags=args.tags,
            opts=child,
        )
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOptions(parent=self)
        ).account_id
        aws.sns.TopicPolicy(
            f"{topic_name}-policy",
            arn=self.topic.arn,
            policy=pulumi.Output.json_dumps(
                cloudwatch_only_topic_policy(self.topic.arn, account_id, args.region)
            ),
            opts=child,
        )
        if args.pagerduty_endpoint is not None:
            aws.sns.TopicSubscription(
                f"{topic_name}-pagerduty",
                topic=self.topic.arn,
                protocol="https",
                endpoint=args.pagerduty_endpoint,
                endpoint_auto_confirms=True,
                opts=child,
            )
        for i, address in enumerate(args.emails):
            aws.sns.TopicSubscription(
                f"{topic_name}-email-{i}",
                topic=self.topic.arn,
                protocol="email",
                endpoint=address,
                opts=child,
            )
        self.alarms = []
        for spec in watchdog_alarms(args.timeout_seconds):
            alarm_name = naming.alarm_name(args.prefix, spec.rule)
            dims = {
                "function": {"FunctionName": args.function_name},
                "queue": {"QueueName": args.queue_name},
                "stack": {"Stack": args.stack},
            }[spec.dimensions]
            common = {
                "name": alarm_name,
                "alarm_description": (
                    f"[CRITICAL] {spec.what} {spec.threshold:g}. Alerts may not reach anyone "
                    f"until this is fixed. Runbook: {args.runbook_base_url}/alert-router.md"
                ),
                "comparison_operator": spec.comparison,
                "evaluation_periods": spec.evaluation_periods,
                "datapoints_to_alarm": spec.evaluation_periods,
                "threshold": spec.threshold,
                "treat_missing_data": spec.treat_missing_data,
                "alarm_actions": [self.topic.arn],
                "ok_actions": [self.topic.arn],
                "tags": {
                    "stack": args.stack,
                    "rule": spec.rule,
                    "severity": "CRITICAL",
                    "team": args.team,
                },
            }
            if spec.metric == "DeliveryFailures":
                # The router publishes failures per channel; the alarm adds them up.
                queries = [
                    aws.cloudwatch.MetricAlarmMetricQueryArgs(
                        id=channel,
                        return_data=False,
                        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                            namespace=spec.namespace,
                            metric_name=spec.metric,
                            stat=spec.statistic,
                            period=spec.period,
                            dimensions={**dims, "Channel": channel},
                        ),
                    )
                    for channel in CHANNELS
                ]
                queries.append(
                    aws.cloudwatch.MetricAlarmMetricQueryArgs(
                        id="failures",
                        expression="SUM([" + ", ".join(f"FILL({c}, 0)" for c in CHANNELS) + "])",
                        label="Delivery failures, all channels",
                        return_data=True,
                    )
                )
                alarm = aws.cloudwatch.MetricAlarm(
                    alarm_name, metric_queries=queries, **common, opts=child
                )
            else:
                alarm = aws.cloudwatch.MetricAlarm(
                    alarm_name,
                    namespace=spec.namespace,
                    metric_name=spec.metric,
                    statistic=spec.statistic,
                    period=spec.period,
                    dimensions=dims,
                    **common,
                    opts=child,
                )
            self.alarms.append(alarm)
        self.register_outputs({"routerHealthTopicArn": self.topic.arn})
