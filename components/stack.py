"""The top-level component: the whole monitoring stack of one environment."""

from __future__ import annotations

import pulumi

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
        self.outputs = {
            "topicArns": {s: t.arn for s, t in self.topics.topics.items()},
            "platformAlertsTopicArn": self.topics.platform_topic.arn,
        }
        self.register_outputs(self.outputs)
