"""The router's deployment: wiring, least privilege, encryption, and no secret in the clear."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from components.config_source import read_stack_file
from components.offline import SecretInput, redact, run_program
from components.settings import NAMESPACE, RawConfig

ROUTER = "harborlist-{stack}-alert-router"


def router(graph):
    return graph.by_name(ROUTER.format(stack=graph.stack))


def policy(graph):
    return graph.by_name(ROUTER.format(stack=graph.stack) + "-policy").json_input("policy")


def test_lambda_runtime_architecture_tracing_and_sizing(graph, request):
    fn = router(graph)
    settings = request.getfixturevalue(f"{graph.stack}_settings")
    runtime = fn.input("runtime")
    assert runtime.startswith("python3.") and int(runtime.split(".")[1]) >= 12
    assert fn.input("architectures") == ["arm64"]
    assert fn.input("tracingConfig") == {"mode": "Active"}
    assert fn.input("handler") == "alert_router.handler.lambda_handler"
    assert fn.input("memorySize") == settings.router.memory_mb
    assert fn.input("timeout") == settings.router.timeout_seconds
    assert fn.input("reservedConcurrentExecutions") == settings.router.reserved_concurrency


def test_function_code_is_the_reproducible_archive(graph):
    fn = router(graph)
    path = Path(fn.input("code")["path"])
    digest = base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()
    assert fn.input("sourceCodeHash") == digest


def test_every_severity_topic_and_the_platform_topic_invoke_the_router(graph):
    fn = router(graph)
    topics = {
        t.outputs["arn"]
        for t in graph.of_type("aws:sns/topic:Topic")
        if not t.name.endswith("router-health")
    }
    assert len(topics) == 5
    subscriptions = [
        s
        for s in graph.of_type("aws:sns/topicSubscription:TopicSubscription")
        if s.input("protocol") == "lambda"
    ]
    assert {s.input("topic") for s in subscriptions} == topics
    assert all(s.input("endpoint") == fn.outputs["arn"] for s in subscriptions)
    permissions = [
        p
        for p in graph.of_type("aws:lambda/permission:Permission")
        if p.input("principal") == "sns.amazonaws.com"
    ]
    assert {p.input("sourceArn") for p in permissions} == topics
    assert all(
        p.input("action") == "lambda:InvokeFunction" and p.input("function") == fn.name
        for p in permissions
    )


def test_secret_table_queue_and_log_group_are_in_the_role_policy(graph):
    statements = {s["Sid"]: s for s in policy(graph)["Statement"]}
    name = ROUTER.format(stack=graph.stack)
    assert statements["ReadOwnSecret"]["Resource"] == graph.by_name(f"{name}-secret").outputs["arn"]
    assert statements["StateTable"]["Resource"] == graph.by_name(f"{name}-state").outputs["arn"]
    queue_arn = graph.by_name(f"{name}-dlq").outputs["arn"]
    assert statements["FailedEventsToDeadLetterQueue"]["Resource"] == queue_arn
    assert (
        statements["WriteOwnLogs"]["Resource"]
        == graph.by_name(f"{name}-logs").outputs["arn"] + ":*"
    )
    identity = graph.by_name(f"{name}-sender")
    assert statements["SendEmailAsSender"]["Resource"] == identity.outputs["arn"]
    sender = identity.input("emailIdentity")
    assert identity.outputs["arn"] == f"arn:aws:ses:us-east-1:123456789012:identity/{sender}"
    role = graph.by_name(f"{name}-role")
    assert graph.by_name(f"{name}-policy").input("role") == role.id
    assert router(graph).input("role") == role.outputs["arn"]


def test_dead_letter_queue_receives_failed_invocations(graph, request):
    settings = request.getfixturevalue(f"{graph.stack}_settings")
    name = ROUTER.format(stack=graph.stack)
    config = graph.by_name(f"{name}-async")
    assert config.input("functionName") == name
    assert config.input("destinationConfig") == {
        "onFailure": {"destination": graph.by_name(f"{name}-dlq").outputs["arn"]}
    }
    assert config.input("maximumRetryAttempts") == settings.router.max_retry_attempts


def _actions(statement):
    action = statement["Action"]
    return [action] if isinstance(action, str) else action


def test_least_privilege(graph):
    allowed_wildcards = {
        "SendSmsToPhoneNumbers",
        "SmsThroughSnsOnly",
        "ActiveTracing",
        "NoPublishingToTopics",
    }
    for statement in policy(graph)["Statement"]:
        for action in _actions(statement):
            assert "*" not in action, f"{statement['Sid']}: wildcard action {action}"
        resource = statement["Resource"]
        if "*" in json.dumps(resource) and statement["Sid"] not in allowed_wildcards:
            assert statement["Sid"] == "WriteOwnLogs" and resource.endswith(":*")
    deny = next(s for s in policy(graph)["Statement"] if s["Effect"] == "Deny")
    assert deny["Action"] == "sns:Publish" and deny["Resource"] == "arn:aws:sns:*:*:*"


def test_encryption_everywhere(graph):
    name = ROUTER.format(stack=graph.stack)
    key = graph.by_name(f"{name}-key").outputs["arn"]
    assert graph.by_name(f"{name}-dlq").input("kmsMasterKeyId") == key
    assert graph.by_name(f"{name}-secret").input("kmsKeyId") == key
    table = graph.by_name(f"{name}-state")
    assert table.input("serverSideEncryption") == {"enabled": True, "kmsKeyArn": key}
    for topic in graph.of_type("aws:sns/topic:Topic"):
        assert topic.input("kmsMasterKeyId").startswith("arn:aws:kms:"), topic.name


def test_state_table_on_demand_ttl_and_point_in_time_recovery(graph):
    table = graph.by_name(ROUTER.format(stack=graph.stack) + "-state")
    assert table.input("billingMode") == "PAY_PER_REQUEST"
    assert table.input("hashKey") == "pk" and table.input("rangeKey") == "sk"
    assert table.input("ttl") == {"attributeName": "expiresAt", "enabled": True}
    assert table.input("pointInTimeRecovery") == {"enabled": True}


def test_slack_button_endpoint_is_a_public_function_url_exported(graph):
    name = ROUTER.format(stack=graph.stack)
    url = graph.by_name(f"{name}-url")
    assert url.input("authorizationType") == "NONE"
    public = graph.by_name(f"{name}-url-invoke")
    assert (
        public.input("action"),
        public.input("principal"),
        public.input("functionUrlAuthType"),
    ) == ("lambda:InvokeFunctionUrl", "*", "NONE")
    assert graph.output("routerFunctionUrl") == url.outputs["functionUrl"]
    assert graph.output("routerFunctionName") == name


def test_heartbeat_runs_the_self_check_every_five_minutes(graph):
    name = ROUTER.format(stack=graph.stack)
    rule = graph.by_name(f"{name}-heartbeat")
    assert rule.input("scheduleExpression") == "rate(5 minutes)"
    target = graph.by_name(f"{name}-heartbeat-target")
    assert json.loads(target.input("input")) == {"harborlistSelfCheck": True}
    assert target.input("arn") == router(graph).outputs["arn"]


def test_environment_holds_names_only(graph):
    variables = router(graph).input("environment")["variables"]
    assert set(variables) == {"ROUTER_SECRET_ARN", "STATE_TABLE_NAME", "HARBORLIST_STACK"}
    assert not any(
        isinstance(v, SecretInput)
        for v in router(graph).inputs["environment"]["variables"].values()
    )


def test_outputs_list_topics_router_and_dashboards(prod_graph):
    outputs = prod_graph.output("topicArns")
    assert set(outputs) == {"CRITICAL", "HIGH", "MEDIUM", "LOW"}
    assert set(prod_graph.output("pagerdutyServiceIds")) == {"platform", "data", "business"}
    assert set(prod_graph.output("dashboardUrls")) == {"executive", "operations"}


KNOWN_SECRETS = {
    "slackBotToken": "xoxb-fake_bot_token_for_tests",
    "slackSigningSecret": "8f742231b10e8888abcd99yyyzzz85a5",
    "pagerdutyApiToken": "u+pdtoken-secret-value-for-tests",
}


@pytest.fixture(scope="module")
def graph_with_real_secrets():
    """The program as `pulumi up` runs it: secrets decrypted and marked secret."""
    offline = read_stack_file("prod")
    values = dict(offline.values)
    values.update({f"{NAMESPACE}:{k}": v for k, v in KNOWN_SECRETS.items()})
    raw = RawConfig("prod", values, frozenset(f"{NAMESPACE}:{k}" for k in KNOWN_SECRETS))
    return run_program(raw)


def test_no_secret_value_unsecreted_in_any_input_or_output(graph_with_real_secrets):
    graph = graph_with_real_secrets
    integration_keys = [
        i.outputs["integrationKey"].value
        for i in graph.of_type("pagerduty:index/serviceIntegration:ServiceIntegration")
    ]
    secrets = [*KNOWN_SECRETS.values(), *integration_keys]
    for r in graph.resources:
        text = json.dumps(redact(r.inputs), default=str)
        for value in secrets:
            assert value not in text, f"{r.type} {r.name} holds a secret in the clear"
    assert not any(v in json.dumps(redact(graph.outputs)) for v in secrets)
    # ... and the secret values did reach where they belong, inside secrets.
    version = graph.by_name("harborlist-prod-alert-router-secret-value")
    document = json.loads(version.input("secretString"))
    assert document["slackBotToken"] == KNOWN_SECRETS["slackBotToken"]
    assert document["slackSigningSecret"] == KNOWN_SECRETS["slackSigningSecret"]
