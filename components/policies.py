"""IAM and resource policies shared by the components, as data."""

from __future__ import annotations

from typing import Any

import pulumi


def account_root(account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat("arn:aws:iam::", account_id, ":root")


def account_administers_key(account_id: pulumi.Input[str]) -> dict[str, Any]:
    """Without the account's root in its policy, nobody could ever administer a key again."""
    return {
        "Sid": "AccountAdministers",
        "Effect": "Allow",
        "Principal": {"AWS": account_root(account_id)},
        "Action": "kms:*",
        "Resource": "*",
    }


def owner_only_key_policy(account_id: pulumi.Input[str]) -> dict[str, Any]:
    """A key only this account's IAM policies grant use of (the router's key)."""
    return {"Version": "2012-10-17", "Statement": [account_administers_key(account_id)]}


def alerts_key_policy(account_id: pulumi.Input[str]) -> dict:
    """The alerts key: the account administers it; CloudWatch and SNS encrypt with it."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            account_administers_key(account_id),
            {
                "Sid": "CloudWatchAlarmsPublishEncrypted",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
            {
                "Sid": "SnsUsesKeyForThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
        ],
    }


def cloudwatch_only_topic_policy(topic_arn, account_id, region: str) -> dict:
    """Only CloudWatch alarms of this account may publish; the owner manages the topic."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudWatchAlarmsOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {
                        "aws:SourceArn": pulumi.Output.concat(
                            "arn:aws:cloudwatch:", region, ":", account_id, ":alarm:*"
                        )
                    },
                },
            },
            {
                # IAM policies in the account could otherwise grant Publish too.
                "Sid": "NobodyElsePublishes",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "StringNotEquals": {"aws:PrincipalServiceName": "cloudwatch.amazonaws.com"}
                },
            },
            {
                "Sid": "OwnerManagesSubscriptions",
                "Effect": "Allow",
                "Principal": {"AWS": account_root(account_id)},
                "Action": [
                    "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes",
                    "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic",
                ],
                "Resource": topic_arn,
            },
        ],
    }


def account_publish_policy(topic_arn, account_id) -> dict:
    """The platform's own code (any principal the account allows) publishes its alerts."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PlatformCodeOfThisAccountPublishes",
                "Effect": "Allow",
                "Principal": {"AWS": account_root(account_id)},
                "Action": [
                    "sns:Publish",
                    "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes",
                    "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic",
                ],
                "Resource": topic_arn,
            }
        ],
    }
