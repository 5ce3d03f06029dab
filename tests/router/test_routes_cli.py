"""The dry run: the prod stack's routing, built as the program builds it, with no network."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from components.routes import main

from .conftest import EVENTS

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *args: str):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_critical_alarm_of_the_prod_stack(capsys):
    code, out, err = run(
        capsys, "--stack", "prod", "--event", str(EVENTS / "sns-prod-stack-disk-space-low.json")
    )
    assert code == 0, err
    (alert,) = json.loads(out)["alerts"]
    assert alert["rule"] == "disk-space-low"
    assert alert["severity"] == "CRITICAL"
    assert alert["channels"] == ["slack-critical", "pagerduty", "sms-oncall"]
    assert [(d["channel"], d["action"], d["method"], d["url"]) for d in alert["deliveries"]] == [
        ("slack", "post", "POST", "https://slack.com/api/chat.postMessage"),
        ("pagerduty", "trigger", "POST", "https://events.pagerduty.com/v2/enqueue"),
        ("sms", "publish", "sns:Publish", None),
        ("sms", "publish", "sns:Publish", None),
    ]
    page = alert["deliveries"][1]["body"]
    assert page["routing_key"] == "[secret]"
    assert page["payload"]["severity"] == "critical"
    assert page["dedup_key"] == (
        "cloudwatch-alarm/arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
        "harborlist-prod-disk-space-low-harborlist-prod-web"
    )
    assert alert["deliveries"][0]["headers"] == {"Authorization": "Bearer [secret]"}
    assert alert["alert"]["name"] == "harborlist-prod-disk-space-low-harborlist-prod-web"
    assert "xoxb-" not in out


def test_platform_alerts_and_plain_text_route_too(capsys):
    for name, rule in (
        ("sns-expensive-scan.json", "expensive-scan"),
        ("sns-plain-text.json", "unclassified-alert"),
    ):
        code, out, _ = run(capsys, "--stack", "prod", "--event", str(EVENTS / name))
        assert code == 0
        assert json.loads(out)["alerts"][0]["rule"] == rule


def test_a_missing_file_exits_2_with_the_reason(capsys, tmp_path):
    code, out, err = run(capsys, "--stack", "prod", "--event", str(tmp_path / "nope.json"))
    assert code == 2 and out == ""
    assert err.startswith("error: cannot read ") and "Traceback" not in err


def test_a_file_that_is_not_json_exits_2(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = run(capsys, "--stack", "prod", "--event", str(bad))
    assert code == 2 and "is not JSON" in err


def test_an_event_with_no_readable_record_exits_2(capsys, tmp_path):
    bad = tmp_path / "records.json"
    bad.write_text(json.dumps({"Records": [{"EventSource": "aws:sns"}]}))
    code, _, err = run(capsys, "--stack", "prod", "--event", str(bad))
    assert code == 2 and "SNS record has no Sns object" in err


def test_an_unknown_stack_exits_2(capsys):
    code, _, err = run(
        capsys, "--stack", "no-such-stack", "--event", str(EVENTS / "sns-plain-text.json")
    )
    assert code == 2 and err.startswith("error: ")


@pytest.mark.parametrize("args", [["--stack", "prod"], []])
def test_missing_arguments_are_a_usage_error(args):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2


def test_runs_as_a_module_without_network_or_aws():
    env = {"PATH": "/usr/bin:/bin", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    answer = subprocess.run(
        [
            sys.executable,
            "-m",
            "components.routes",
            "--stack",
            "prod",
            "--event",
            str(EVENTS / "sns-prod-stack-disk-space-low.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["alerts"][0]["severity"] == "CRITICAL"
