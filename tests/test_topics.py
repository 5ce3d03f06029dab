"""Severity topics: encrypted, and only CloudWatch alarms of this account publish to them."""

from __future__ import annotations

from components.catalog import SEVERITIES

ACCOUNT = "123456789012"


def test_one_encrypted_topic_per_severity_with_deterministic_names(graph):
    topics = {t.name: t for t in graph.of_type("aws:sns/topic:Topic")}
    key = graph.by_name(f"harborlist-{graph.stack}-alerts-key")
    for severity in SEVERITIES:
        t = topics[f"harborlist-{graph.stack}-alerts-{severity.lower()}"]
        assert t.input("name") == t.name
        assert t.input("kmsMasterKeyId") == key.outputs["arn"]
    assert key.input("enableKeyRotation") is True


def test_key_policy_lets_cloudwatch_encrypt(prod_graph):
    key = prod_graph.by_name("harborlist-prod-alerts-key")
    statements = {s["Sid"]: s for s in key.json_input("policy")["Statement"]}
    cw = statements["CloudWatchAlarmsPublishEncrypted"]
    assert cw["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(cw["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert cw["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_severity_topics_accept_publish_only_from_cloudwatch_of_this_account(prod_graph):
    for severity in SEVERITIES:
        name = f"harborlist-prod-alerts-{severity.lower()}"
        policy = prod_graph.by_name(f"{name}-policy")
        topic_arn = f"arn:aws:sns:us-east-1:{ACCOUNT}:{name}"
        assert policy.input("arn") == topic_arn
        statements = policy.json_input("policy")["Statement"]
        publishers = [s for s in statements if "sns:Publish" in _actions(s)]
        allow = [s for s in publishers if s["Effect"] == "Allow"]
        deny = [s for s in publishers if s["Effect"] == "Deny"]
        assert len(allow) == 1
        assert allow[0]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        assert allow[0]["Resource"] == topic_arn
        assert allow[0]["Condition"] == {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:*"},
        }
        assert deny and deny[0]["Condition"] == {
            "StringNotEquals": {"aws:PrincipalServiceName": "cloudwatch.amazonaws.com"}
        }


def _actions(statement):
    action = statement["Action"]
    return [action] if isinstance(action, str) else action
