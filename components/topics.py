"""Notification topics: one SNS topic per severity, plus the platform's own alerts topic.

Topics are encrypted with a customer-managed KMS key (the AWS-managed SNS key cannot be used
by CloudWatch alarms, whose service principal must be allowed in the key policy). Each
severity topic accepts `sns:Publish` only from CloudWatch alarms of this account.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.catalog import SEVERITIES
from components.policies import (
    account_publish_policy,
    alerts_key_policy,
    cloudwatch_only_topic_policy,
)


@dataclass(frozen=True)
class NotificationTopicsArgs:
    prefix: str
    region: str
    tags: dict[str, str]


class NotificationTopics(pulumi.ComponentResource):
    """`harborlist-<stack>-alerts-<severity>` topics, the platform alerts topic, their key."""

    topics: dict[str, aws.sns.Topic]  # by severity
    platform_topic: aws.sns.Topic
    key: aws.kms.Key

    def __init__(self, name: str, args: NotificationTopicsArgs, opts=None):
        super().__init__("harborlist:monitoring:NotificationTopics", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self))
        account_id = account.account_id
        self.key = aws.kms.Key(
            f"{args.prefix}-alerts-key",
            description=f"Encrypts the {args.prefix} alert topics (CloudWatch publishes to them)",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.json_dumps(alerts_key_policy(account_id)),
            tags=args.tags,
            opts=child,
        )
        aws.kms.Alias(
            f"{args.prefix}-alerts-key-alias",
            name=f"alias/{args.prefix}-alerts",
            target_key_id=self.key.key_id,
            opts=child,
        )
        self.topics = {}
        for severity in SEVERITIES:
            name_ = naming.topic_name(args.prefix, f"alerts-{severity.lower()}")
            topic = aws.sns.Topic(
                name_,
                name=name_,
                display_name=f"HarborList {severity} alerts",
                kms_master_key_id=self.key.arn,
                tags={**args.tags, "severity": severity},
                opts=child,
            )
            aws.sns.TopicPolicy(
                f"{name_}-policy",
                arn=topic.arn,
                policy=pulumi.Output.json_dumps(
                    cloudwatch_only_topic_policy(topic.arn, account_id, args.region)
                ),
                opts=child,
            )
            self.topics[severity] = topic
        platform_name = naming.topic_name(args.prefix, "platform-alerts")
        self.platform_topic = aws.sns.Topic(
            platform_name,
            name=platform_name,
            display_name="HarborList platform alerts (published by the platform's code)",
            kms_master_key_id=self.key.arn,
            tags={**args.tags, "severity": "BY-CONTENT"},
            opts=child,
        )
        aws.sns.TopicPolicy(
            f"{platform_name}-policy",
            arn=self.platform_topic.arn,
            policy=pulumi.Output.json_dumps(
                account_publish_policy(self.platform_topic.arn, account_id)
            ),
            opts=child,
        )
        self.register_outputs(
            {
                "topicArns": {s: t.arn for s, t in self.topics.items()},
                "platformTopicArn": self.platform_topic.arn,
                "keyArn": self.key.arn,
            }
        )
