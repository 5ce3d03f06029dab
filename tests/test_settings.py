"""Settings: one parser for the program and offline tools; every mistake names its key."""

from __future__ import annotations

import dataclasses

import pytest

from components.config_source import read_stack_file
from components.settings import (
    ConfigError,
    RawConfig,
    parse_settings,
)

NS = "harborlist-monitoring"


def parse_variant(stack_variant, stack, edit):
    root = stack_variant(stack, edit)
    return parse_settings(read_stack_file(stack, root))


def problems_of(stack_variant, stack, edit) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_variant(stack_variant, stack, edit)
    return err.value.problems


def test_committed_stacks_parse(dev_settings, prod_settings):
    assert prod_settings.stack == "prod" and dev_settings.stack == "dev"
    assert prod_settings.prefix == "harborlist-prod"
    assert prod_settings.watch.api.name == "HarborListAPI"
    assert "listingSearch" in prod_settings.watch.lambda_functions
    assert prod_settings.watch.rds_instances == ("harborlist-db",)
    assert {t.billing_mode for t in prod_settings.watch.dynamodb_tables} == {
        "PROVISIONED",
        "PAY_PER_REQUEST",
    }


def test_dev_differs_from_prod_the_way_teams_do_it(dev_settings, prod_settings):
    assert len(dev_settings.watch.lambda_functions) < len(prod_settings.watch.lambda_functions)
    assert dev_settings.thresholds["ec2.cpuPercent"] > prod_settings.thresholds["ec2.cpuPercent"]
    assert not dev_settings.pagerduty.enabled and prod_settings.pagerduty.enabled
    slack_targets = {
        c.targets for c in dev_settings.notifications.channels.values() if c.kind == "slack"
    }
    assert slack_targets == {("#harborlist-dev-alerts",)}


def test_seed_defaults_apply_where_a_stack_is_silent(stack_variant):
    settings = parse_variant(stack_variant, "prod", lambda c: c.pop(f"{NS}:thresholds"))
    assert settings.thresholds["ec2.cpuPercent"] == 80
    assert settings.thresholds["rds.freeStorageBytes"] == 2_000_000_000
    assert settings.thresholds["apiGateway.degradedLatencyMs"] == 2000
    assert settings.thresholds["lambda.durationMs"] == 10_000


def test_settings_are_immutable(prod_settings):
    with pytest.raises(dataclasses.FrozenInstanceError):
        prod_settings.stack = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        prod_settings.thresholds["ec2.cpuPercent"] = 1  # type: ignore[index]


def test_wrong_type_names_key_value_and_expectation(stack_variant):
    problems = problems_of(
        stack_variant, "prod", lambda c: c[f"{NS}:thresholds"]["ec2"].update(cpuPercent="eighty")
    )
    assert problems == [
        f'{NS}:thresholds.ec2.cpuPercent: expected a number between 0 and 100, got "eighty"'
    ]


def test_out_of_range_value(stack_variant):
    problems = problems_of(
        stack_variant, "prod", lambda c: c[f"{NS}:thresholds"]["ec2"].update(memoryPercent=185)
    )
    assert problems == [
        f"{NS}:thresholds.ec2.memoryPercent: expected a number between 0 and 100, got 185"
    ]


def test_unknown_key_is_an_error_not_a_silent_default(stack_variant):
    problems = problems_of(
        stack_variant, "prod", lambda c: c[f"{NS}:thresholds"]["ec2"].update(cpuPercnt=70)
    )
    assert len(problems) == 1
    assert problems[0].startswith(f"{NS}:thresholds.ec2.cpuPercnt: unknown key")
    assert "cpuPercent" in problems[0]


def test_unknown_top_level_key_suggests_the_right_one(stack_variant):
    problems = problems_of(
        stack_variant, "prod", lambda c: c.update({f"{NS}:runbookBaseURL": "https://x.example"})
    )
    assert problems == [f"{NS}:runbookBaseURL: unknown key (did you mean {NS}:runbookBaseUrl?)"]


def test_missing_required_key(stack_variant):
    problems = problems_of(stack_variant, "prod", lambda c: c.pop(f"{NS}:runbookBaseUrl"))
    assert problems == [f"{NS}:runbookBaseUrl: required, expected an https:// URL"]


def test_missing_nested_required_key(stack_variant):
    problems = problems_of(
        stack_variant, "prod", lambda c: c[f"{NS}:watch"]["api"].pop("healthUrl")
    )
    assert problems == [f"{NS}:watch.api.healthUrl: required, expected an https:// URL"]


def test_every_problem_is_reported_at_once(stack_variant):
    def edit(c):
        c[f"{NS}:thresholds"]["rds"]["connections"] = -1
        c[f"{NS}:watch"]["dynamodbTables"][0]["billingMode"] = "ON_DEMAND"
        c[f"{NS}:notifications"]["sms"]["sms-oncall"] = ["555-0100"]

    problems = problems_of(stack_variant, "prod", edit)
    assert len(problems) == 3
    assert any(
        p.startswith(
            f"{NS}:watch.dynamodbTables[0].billingMode: expected one of "
            "PAY_PER_REQUEST, PROVISIONED"
        )
        for p in problems
    )
    assert any(
        p.startswith(f"{NS}:notifications.sms.sms-oncall[0]: expected a phone number")
        for p in problems
    )


def test_a_route_to_an_undefined_channel_is_rejected(stack_variant):
    problems = problems_of(
        stack_variant,
        "prod",
        lambda c: c[f"{NS}:notifications"]["severityChannels"].update(HIGH=["slack-opps"]),
    )
    assert len(problems) == 1
    assert problems[0].startswith(
        f"{NS}:notifications.severityChannels.HIGH: expected one of the channels defined"
    )
    assert problems[0].endswith('got "slack-opps"')


def test_override_for_an_unknown_rule_is_rejected(stack_variant):
    problems = problems_of(
        stack_variant,
        "prod",
        lambda c: c.update({f"{NS}:alarms": {"high-cpu": {"enabled": False}}}),
    )
    assert problems[0].startswith(f"{NS}:alarms.high-cpu: unknown alarm rule")


def test_override_period_must_be_one_cloudwatch_accepts(stack_variant):
    problems = problems_of(
        stack_variant,
        "prod",
        lambda c: c.update({f"{NS}:alarms": {"high-cpu-usage": {"periodSeconds": 90}}}),
    )
    assert problems == [
        f"{NS}:alarms.high-cpu-usage.periodSeconds: expected 10, 20, 30 or a multiple of 60, got 90"
    ]


def test_pagerduty_on_requires_its_services_and_schedule(stack_variant):
    def edit(c):
        c[f"{NS}:pagerduty"]["services"].pop("data")
        c[f"{NS}:pagerduty"]["schedule"]["layers"][0]["users"] = ["bob"]

    problems = problems_of(stack_variant, "prod", edit)
    assert any(p.startswith(f"{NS}:pagerduty.services.data: required") for p in problems)
    assert any(
        p.startswith(f"{NS}:pagerduty.schedule.layers[0].users[0]: expected a PagerDuty user id")
        for p in problems
    )


def test_offline_secrets_are_stand_ins_that_print_redacted(prod_settings):
    token = prod_settings.slack_bot_token
    assert not token.available
    assert str(token) == "[secret]" and repr(token) == "[secret]"
    assert "xox" not in repr(prod_settings)


def _runtime_config(stack="dev", secret_keys=None, **extra) -> RawConfig:
    offline = read_stack_file(stack)
    values = dict(offline.values)
    values.update(extra)
    return RawConfig(stack=stack, values=values, secret_keys=frozenset(secret_keys or ()))


def test_runtime_secrets_must_be_secure_values():
    raw = _runtime_config(
        **{f"{NS}:slackBotToken": "xoxb-plain", f"{NS}:slackSigningSecret": "s3cr3t"},
        secret_keys=[f"{NS}:slackSigningSecret"],
    )
    with pytest.raises(ConfigError) as err:
        parse_settings(raw)
    assert err.value.problems == [
        f"{NS}:slackBotToken: expected a secret value (set it with `pulumi config set --secret "
        f"{NS}:slackBotToken`), got plain text"
    ]


def test_runtime_requires_secrets_that_offline_tools_do_without():
    with pytest.raises(ConfigError) as err:
        parse_settings(_runtime_config("prod"))
    assert sorted(p.split(":")[1] for p in err.value.problems) == [
        "pagerdutyApiToken",
        "slackBotToken",
        "slackSigningSecret",
    ]


def test_runtime_secrets_are_read_when_marked_secret():
    keys = [f"{NS}:slackBotToken", f"{NS}:slackSigningSecret"]
    raw = _runtime_config(**{keys[0]: "xoxb-1", keys[1]: "sig"}, secret_keys=keys)
    settings = parse_settings(raw)
    assert settings.slack_bot_token.reveal() == "xoxb-1"
    assert settings.slack_bot_token.available


def test_program_and_offline_parse_the_same_text():
    """Pulumi passes scalars as text and objects as JSON: the stack file is read that way."""
    raw = read_stack_file("prod")
    assert raw.values["aws:region"] == "us-east-1"
    assert raw.values[f"{NS}:watch"].startswith("{")


def test_platform_alert_overrides_accept_routing_only(stack_variant):
    problems = problems_of(
        stack_variant,
        "prod",
        lambda c: c.update(
            {
                f"{NS}:alarms": {
                    "expensive-scan": {"severity": "HIGH", "channels": ["slack-ops"]},
                    "lambda-function-error": {"periodSeconds": 60, "severity": "CRITICAL"},
                }
            }
        ),
    )
    assert len(problems) == 2
    assert problems[0].startswith(f"{NS}:alarms.expensive-scan.severity: not configurable")
    assert "its severity comes from its content" in problems[0]
    assert problems[1].startswith(
        f"{NS}:alarms.lambda-function-error.periodSeconds: not configurable"
    )


def test_window_beyond_cloudwatch_limit_is_rejected(stack_variant):
    problems = problems_of(
        stack_variant,
        "prod",
        lambda c: c.update(
            {
                f"{NS}:alarms": {
                    "high-cpu-usage": {
                        "periodSeconds": 3000,
                        "evaluationPeriods": 30,
                        "datapointsToAlarm": 40,
                    }
                }
            }
        ),
    )
    assert problems == [
        f"{NS}:alarms.high-cpu-usage.datapointsToAlarm: expected at most evaluationPeriods (30),"
        " got 40",
        f"{NS}:alarms.high-cpu-usage.evaluationPeriods: expected periodSeconds × "
        "evaluationPeriods ≤ 86400 s (period 3000 s), got 30",
    ]


def test_unclassified_alerts_are_always_low(stack_variant):
    problems = problems_of(
        stack_variant,
        "prod",
        lambda c: c.update({f"{NS}:alarms": {"unclassified-alert": {"severity": "HIGH"}}}),
    )
    assert problems == [
        f"{NS}:alarms.unclassified-alert.severity: not configurable for this rule (a platform "
        "alert, not a CloudWatch alarm; it is always LOW); expected only: channels"
    ]
