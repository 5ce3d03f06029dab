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
from components.dashboards import Dashboards, DashboardsArgs
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
        groups = [group(f"{group.GROUP}-alarms", group_args, opts=child) for group in ALARM_GROUPS]
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
        self.outputs = {
            "topicArns": topic_arns,
            "platformAlertsTopicArn": self.topics.platform_topic.arn,
            "dashboardUrls": self.dashboards.urls,
            "alarmCounts": {"metric": len(metric_alarms), "composite": composites},
        }
        self.register_outputs(self.outputs)
