"""The top-level component: the whole monitoring stack of one environment."""

from __future__ import annotations

import pulumi

from components.alarm_specs import alarm_specs, has_system_down, system_down_children
from components.alarms import (
    ALARM_GROUPS,
    AlarmGroupArgs,
    ApiHealthCheck,
    ApiHealthCheckArgs,
    SystemDownAlarm,
    SystemDownArgs,
)
from components.alert_router import AlertRouter, AlertRouterArgs
from components.dashboards import Dashboards, DashboardsArgs
from components.oncall import OnCall, OnCallArgs
from components.router_watchdog import RouterWatchdog, RouterWatchdogArgs
from components.routing_config import build_routing_config
from components.settings import Settings
from components.topics import NotificationTopics, NotificationTopicsArgs


class MonitoringStack(pulumi.ComponentResource):
    """Settings in, every monitoring resource of the environment out (a table of contents)."""

    def __init__(self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("harborlist:monitoring:MonitoringStack", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = {
            "stack": settings.stack,
            "team": settings.team,
            "managed-by": "pulumi",
            "project": "harborlist-monitoring",
        }
        self.topics = NotificationTopics(
            "topics",
            NotificationTopicsArgs(prefix=settings.prefix, region=settings.region, tags=tags),
            opts=child,
        )
        topic_arns = {severity: t.arn for severity, t in self.topics.topics.items()}

        specs = alarm_specs(settings)
        health_check_id = None
        if any(s.rule.target == "health_check" for s in specs):
            health = ApiHealthCheck(
                "api-health",
                ApiHealthCheckArgs(settings.prefix, settings.watch.api.health_url, tags),
                opts=child,
            )
            health_check_id = health.check.id
        group_args = AlarmGroupArgs(specs, topic_arns, health_check_id)
        groups = [
            group(f"{group.GROUP}-alarms", group_args, opts=child)
            for group in ALARM_GROUPS
            if any(s.rule.group == group.GROUP for s in specs)
        ]
        metric_alarms = {name: alarm for g in groups for name, alarm in g.alarms.items()}

        # What notifies people: each alarm, or the wrapper system-down can mute.
        notifying = {s.name: metric_alarms[s.name].arn for s in specs}
        composites = 0
        if has_system_down(settings, specs):
            self.system_down = SystemDownAlarm(
                "system-down",
                SystemDownArgs(settings, system_down_children(specs), metric_alarms, topic_arns),
                opts=child,
            )
            for spec in system_down_children(specs):
                del notifying[spec.name]
                notifying[spec.notifying_name] = self.system_down.wrappers[spec.notifying_name].arn
            notifying[self.system_down.alarm_name] = self.system_down.alarm.arn
            composites = len(self.system_down.wrappers) + 1

        self.dashboards = Dashboards(
            "dashboards", DashboardsArgs(settings, specs, notifying), opts=child
        )
        self.oncall = None
        if settings.pagerduty.enabled and settings.pagerduty_api_token is not None:
            self.oncall = OnCall(
                "oncall",
                OnCallArgs(settings.prefix, settings.pagerduty, settings.pagerduty_api_token),
                opts=child,
            )
        self.router = AlertRouter(
            "alert-router",
            AlertRouterArgs(
                settings=settings,
                routing_config=build_routing_config(settings),
                topic_arns={**topic_arns, "PLATFORM": self.topics.platform_topic.arn},
                pagerduty_routing_keys=self.oncall.routing_keys if self.oncall else {},
                tags=tags,
            ),
            opts=child,
        )
        self.watchdog = RouterWatchdog(
            "router-watchdog",
            RouterWatchdogArgs(
                prefix=settings.prefix,
                stack=settings.stack,
                region=settings.region,
                team=settings.team,
                runbook_base_url=settings.runbook_base_url,
                function_name=self.router.function.name,
                timeout_seconds=settings.router.timeout_seconds,
                queue_name=self.router.dlq.name,
                alerts_key_arn=self.topics.key.arn,
                emails=settings.router.oncall_email,
                pagerduty_endpoint=self.oncall.cloudwatch_endpoint if self.oncall else None,
                tags=tags,
            ),
            opts=child,
        )
        self.outputs = {
            "topicArns": topic_arns,
            "platformAlertsTopicArn": self.topics.platform_topic.arn,
            "dashboardUrls": self.dashboards.urls,
            "routerFunctionName": self.router.function.name,
            "routerFunctionUrl": self.router.url.function_url,
            "routerHealthTopicArn": self.watchdog.topic.arn,
            "pagerdutyServiceIds": self.oncall.service_ids if self.oncall else {},
            "alarmCounts": {"metric": len(metric_alarms), "composite": composites},
        }
        self.register_outputs(self.outputs)
