"""The alert router's deployment: the Lambda and everything it needs, least privilege.

The function is subscribed to every severity topic and the platform alerts topic; its state
table, secret and dead-letter queue are encrypted with the router's own KMS key; its role may
touch only those, its SES identity, SMS publishing and its log group.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.policies import owner_only_key_policy
from components.router_package import build_archive
from components.settings import Settings

RUNTIME = "python3.13"
HANDLER = "alert_router.handler.lambda_handler"
SELF_CHECK_EVENT = {"harborlistSelfCheck": True}
DLQ_RETENTION_SECONDS = 14 * 86400  # SQS's maximum: time to notice, replay, investigate


@dataclass(frozen=True)
class AlertRouterArgs:
    settings: Settings
    routing_config: dict[str, Any]
    topic_arns: dict[str, pulumi.Input[str]]  # severity → topic ARN, plus "PLATFORM"
    pagerduty_routing_keys: dict[str, pulumi.Output[str]]
    tags: dict[str, str]


class AlertRouter(pulumi.ComponentResource):
    """The router Lambda, its role, state table, secret, dead-letter queue and Slack URL."""

    def __init__(self, name: str, args: AlertRouterArgs, opts=None):
        super().__init__("harborlist:monitoring:AlertRouter", name, None, opts)
        s = args.settings
        prefix = f"{s.prefix}-alert-router"
        child = pulumi.ResourceOptions(parent=self)
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOptions(parent=self)
        ).account_id

        self.key = aws.kms.Key(
            f"{prefix}-key",
            description=f"Encrypts the {prefix} state table, secret and dead-letter queue",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.json_dumps(owner_only_key_policy(account_id)),
            tags=args.tags,
            opts=child,
        )
        self.table = aws.dynamodb.Table(
            f"{prefix}-state",
            name=f"{prefix}-state",
            billing_mode="PAY_PER_REQUEST",
            hash_key="pk",
            range_key="sk",
            attributes=[
                aws.dynamodb.TableAttributeArgs(name="pk", type="S"),
                aws.dynamodb.TableAttributeArgs(name="sk", type="S"),
            ],
            ttl=aws.dynamodb.TableTtlArgs(attribute_name="expiresAt", enabled=True),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
                enabled=True, kms_key_arn=self.key.arn
            ),
            deletion_protection_enabled=s.stack == "prod",
            tags=args.tags,
            opts=child,
        )
        self.dlq = aws.sqs.Queue(
            f"{prefix}-dlq",
            name=f"{prefix}-dlq",
            kms_master_key_id=self.key.arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            tags=args.tags,
            opts=child,
        )
        self.secret = aws.secretsmanager.Secret(
            f"{prefix}-secret",
            name=f"harborlist/{s.stack}/alert-router",
            description="Slack bot token and signing secret, PagerDuty routing keys",
            kms_key_id=self.key.arn,
            recovery_window_in_days=7,
            tags=args.tags,
            opts=child,
        )
        aws.secretsmanager.SecretVersion(
            f"{prefix}-secret-value",
            secret_id=self.secret.id,
            secret_string=pulumi.Output.secret(
                pulumi.Output.json_dumps(
                    {
                        "slackBotToken": pulumi.Output.secret(s.slack_bot_token.reveal()),
                        "slackSigningSecret": pulumi.Output.secret(s.slack_signing_secret.reveal()),
                        "pagerdutyRoutingKeys": args.pagerduty_routing_keys,
                    }
                )
            ),
            opts=child,
        )
        self.identity = aws.sesv2.EmailIdentity(
            f"{prefix}-sender",
            email_identity=s.notifications.email_sender,
            tags=args.tags,
            opts=child,
        )
        function_name = f"{prefix}"
        self.log_group = aws.cloudwatch.LogGroup(
            f"{prefix}-logs",
            name=f"/aws/lambda/{function_name}",
            retention_in_days=s.router.log_retention_days,
            tags=args.tags,
            opts=child,
        )
        self.role = aws.iam.Role(
            f"{prefix}-role",
            name=f"{prefix}-role"[:64],
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            tags=args.tags,
            opts=child,
        )
        self.policy = aws.iam.RolePolicy(
            f"{prefix}-policy",
            role=self.role.id,
            policy=pulumi.Output.json_dumps(
                router_policy(
                    table_arn=self.table.arn,
                    secret_arn=self.secret.arn,
                    queue_arn=self.dlq.arn,
                    key_arn=self.key.arn,
                    identity_arn=self.identity.arn,
                    log_group_arn=self.log_group.arn,
                )
            ),
            opts=child,
        )

        archive = build_archive(args.routing_config)
        self.function = aws.lambda_.Function(
            function_name,
            name=function_name,
            description="Routes HarborList alarms to PagerDuty, Slack, SMS and e-mail",
            runtime=RUNTIME,
            architectures=["arm64"],
            handler=HANDLER,
            code=pulumi.FileArchive(str(archive.path)),
            source_code_hash=archive.sha256_base64,
            role=self.role.arn,
            memory_size=s.router.memory_mb,
            timeout=s.router.timeout_seconds,
            reserved_concurrent_executions=s.router.reserved_concurrency,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=self.log_group.name
            ),
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables={
                    # Names and ARNs only: secret values stay in Secrets Manager.
                    "ROUTER_SECRET_ARN": self.secret.arn,
                    "STATE_TABLE_NAME": self.table.name,
                    "HARBORLIST_STACK": s.stack,
                }
            ),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.policy, self.log_group]),
        )
        aws.lambda_.FunctionEventInvokeConfig(
            f"{prefix}-async",
            function_name=self.function.name,
            # SNS retries delivery itself; two Lambda retries ride out a brief channel outage,
            # then the event waits in the queue rather than being lost.
            maximum_retry_attempts=s.router.max_retry_attempts,
            maximum_event_age_in_seconds=s.router.max_event_age_seconds,
            destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
                    destination=self.dlq.arn
                )
            ),
            opts=child,
        )
        for source, topic_arn in sorted(args.topic_arns.items()):
            permission = aws.lambda_.Permission(
                f"{prefix}-from-{source.lower()}",
                action="lambda:InvokeFunction",
                function=self.function.name,
                principal="sns.amazonaws.com",
                source_arn=topic_arn,
                opts=child,
            )
            aws.sns.TopicSubscription(
                f"{prefix}-{source.lower()}-subscription",
                topic=topic_arn,
                protocol="lambda",
                endpoint=self.function.arn,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
            )

        # Slack's interactive requests (the Acknowledge button). Auth NONE because Slack cannot
        # sign AWS requests; the handler verifies Slack's own signature on every request.
        self.url = aws.lambda_.FunctionUrl(
            f"{prefix}-url",
            function_name=self.function.name,
            authorization_type="NONE",
            opts=child,
        )
        aws.lambda_.Permission(
            f"{prefix}-url-invoke",
            action="lambda:InvokeFunctionUrl",
            function=self.function.name,
            principal="*",
            function_url_auth_type="NONE",
            opts=child,
        )
        aws.lambda_.Permission(
            f"{prefix}-url-invoke-function",
            action="lambda:InvokeFunction",
            function=self.function.name,
            principal="*",
            invoked_via_function_url=True,
            opts=child,
        )

        schedule = aws.cloudwatch.EventRule(
            f"{prefix}-heartbeat",
            name=f"{prefix}-heartbeat",
            description="Runs the alert router's self-check every 5 minutes",
            schedule_expression="rate(5 minutes)",
            tags=args.tags,
            opts=child,
        )
        heartbeat_permission = aws.lambda_.Permission(
            f"{prefix}-from-heartbeat",
            action="lambda:InvokeFunction",
            function=self.function.name,
            principal="events.amazonaws.com",
            source_arn=schedule.arn,
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{prefix}-heartbeat-target",
            rule=schedule.name,
            arn=self.function.arn,
            input=json.dumps(SELF_CHECK_EVENT),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[heartbeat_permission]),
        )
        self.function_name = function_name
        self.register_outputs(
            {
                "functionName": self.function.name,
                "functionUrl": self.url.function_url,
                "deadLetterQueueUrl": self.dlq.url,
            }
        )


def router_policy(
    *, table_arn, secret_arn, queue_arn, key_arn, identity_arn, log_group_arn
) -> dict[str, Any]:
    """The router role's only permissions, statement by statement."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": pulumi.Output.concat(log_group_arn, ":*"),
            },
            {
                "Sid": "StateTable",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",
                ],
                "Resource": table_arn,
            },
            {
                "Sid": "ReadOwnSecret",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret_arn,
            },
            {
                "Sid": "UseOwnKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": key_arn,
            },
            {
                "Sid": "FailedEventsToDeadLetterQueue",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
            },
            {
                "Sid": "SendEmailAsSender",
                "Effect": "Allow",
                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                "Resource": identity_arn,
            },
            {
                # SMS goes to phone numbers, which have no ARN: AWS accepts only "*" here.
                # The next statement keeps that "*" from reaching any topic.
                "Sid": "SendSmsToPhoneNumbers",
                "Effect": "Allow",
                "Action": "sns:Publish",
                "Resource": "*",
            },
            {
                # SNS hands SMS to AWS End User Messaging, which checks the caller for this
                # action; it is allowed only when SNS makes the call on the router's behalf.
                "Sid": "SmsThroughSnsOnly",
                "Effect": "Allow",
                "Action": "sms-voice:SendTextMessage",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:CalledViaLast": "sns.amazonaws.com"}},
            },
            {
                "Sid": "NoPublishingToTopics",
                "Effect": "Deny",
                "Action": "sns:Publish",
                "Resource": "arn:aws:sns:*:*:*",
            },
            {
                # X-Ray trace segments are not resources: AWS requires "*".
                "Sid": "ActiveTracing",
                "Effect": "Allow",
                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                "Resource": "*",
            },
        ],
    }
