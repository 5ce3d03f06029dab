"""An alert storm through the real handler: 1,000 notifications over 50 alarms, four concurrent
"containers", moto for AWS (state table, secret, SMS, SES) and local PagerDuty/Slack fakes on
127.0.0.1. Real time: Slack pacing really waits.

Run: .venv/bin/python bench/alert_storm.py     (bounded: stops by itself in well under 2 min)

Per alarm: 1 ALARM transition, 6 SNS redeliveries of it, 4 copies of it through EventBridge,
8 later ALARM re-notifications (still firing) and 1 OK at the end = 20 notifications.
Targets: at most one PagerDuty trigger per alarm; Slack never above 1 message/s per channel.
"""

from __future__ import annotations

import collections
import contextlib
import io
import itertools
import json
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ACCOUNT = "123456789012"
TABLE = "storm-state"
ALARMS = 50
CONTAINERS = 4
SEVERITY_TOPICS = (
    ["harborlist-prod-alerts-critical"] * 10
    + ["harborlist-prod-alerts-high"] * 20
    + ["harborlist-prod-alerts-medium"] * 20
)


class Fake(BaseHTTPRequestHandler):
    received: list = []
    lock = threading.Lock()
    counter = 0

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        with Fake.lock:
            Fake.counter += 1
            Fake.received.append((self.path, body, time.time()))
            ts = f"{time.time():.6f}"
        if self.path.endswith("/enqueue"):
            status, answer = 202, {"status": "success", "dedup_key": body.get("dedup_key")}
        else:
            status, answer = (
                200,
                {"ok": True, "channel": body.get("channel"), "ts": body.get("ts", ts)},
            )
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Atomic:
    """moto's DynamoDB does not make a conditional write atomic across threads, as DynamoDB
    does; one lock around each call restores that guarantee for the bench's containers."""

    lock = threading.Lock()

    def __init__(self, client) -> None:
        self._client = client

    def __getattr__(self, name):
        method = getattr(self._client, name)

        def call(*args, **kwargs):
            with Atomic.lock:
                return method(*args, **kwargs)

        return call


def atomic_client(service: str):
    from alert_router.runtime import aws_client

    client = aws_client(service)
    return Atomic(client) if service == "dynamodb" else client


def sns_event(name, topic, state, when, message_id):
    arn = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}"
    message = {
        "AlarmName": name,
        "AlarmDescription": f"Storm alarm {name}",
        "AWSAccountId": ACCOUNT,
        "NewStateValue": state,
        "NewStateReason": f"Threshold Crossed: storm ({state})",
        "StateChangeTime": when,
        "Region": "US East (N. Virginia)",
        "AlarmArn": arn,
        "OldStateValue": "OK" if state == "ALARM" else "ALARM",
        "Trigger": {
            "MetricName": "CPUUtilization",
            "Namespace": "AWS/EC2",
            "StatisticType": "Statistic",
            "Statistic": "AVERAGE",
            "Unit": None,
            "Dimensions": [{"value": name, "name": "AutoScalingGroupName"}],
            "Period": 60,
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 80.0,
            "TreatMissingData": "missing",
        },
    }
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:{topic}",
                    "Subject": f"{state}: {name}",
                    "Message": json.dumps(message),
                    "Timestamp": when.replace("+0000", "Z"),
                },
            }
        ]
    }


def eventbridge_event(name, when):
    arn = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}"
    return {
        "version": "0",
        "id": f"eb-{name}",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ACCOUNT,
        "time": when,
        "region": "us-east-1",
        "resources": [arn],
        "detail": {
            "alarmName": name,
            "state": {
                "value": "ALARM",
                "reason": "Threshold Crossed: storm (ALARM)",
                "timestamp": when,
            },
            "previousState": {"value": "OK", "reason": "", "timestamp": when},
            "configuration": {
                "description": f"Storm alarm {name}",
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {
                            "metric": {
                                "namespace": "AWS/EC2",
                                "name": "CPUUtilization",
                                "dimensions": {"AutoScalingGroupName": name},
                            },
                            "period": 60,
                            "stat": "Average",
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


def notifications():
    """(alarm index, event) in a shuffled but causally ordered stream: the OKs come last."""
    firing, closing = [], []
    for i in range(ALARMS):
        name, topic = f"harborlist-storm-{i:02d}", SEVERITY_TOPICS[i]
        first = "2026-11-12T16:00:00.000+0000"
        firing.append((i, sns_event(name, topic, "ALARM", first, f"{name}-a")))
        firing += [(i, sns_event(name, topic, "ALARM", first, f"{name}-a")) for _ in range(6)]
        firing += [(i, eventbridge_event(name, first)) for _ in range(4)]
        firing += [
            (
                i,
                sns_event(
                    name, topic, "ALARM", f"2026-11-12T16:{m:02d}:00.000+0000", f"{name}-r{m}"
                ),
            )
            for m in range(1, 9)
        ]
        closing.append(
            (i, sns_event(name, topic, "OK", "2026-11-12T16:30:00.000+0000", f"{name}-ok"))
        )
    rng = random.Random(2026)
    head = firing[::19]  # each alarm's first transition comes early, in SNS shape
    rest = [n for k, n in enumerate(firing) if k % 19]
    rng.shuffle(rest)
    return head + rest + closing


def max_per_second(times):
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0 - 1e-3:  # half-open one-second windows
            start += 1
        best = max(best, end - start + 1)
    return best


def main() -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        os.environ[key] = value
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import boto3
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    from alert_router import handler, runtime

    server = ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    stream = notifications()
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
        )
        secret = boto3.client("secretsmanager").create_secret(
            Name="storm",
            SecretString=json.dumps(
                {
                    "slackBotToken": "xoxb-storm",
                    "slackSigningSecret": "s",
                    "pagerdutyRoutingKeys": {"platform": "P" * 32},
                }
            ),
        )
        boto3.client("ses").verify_email_identity(EmailAddress="alerts@harborlist.com")
        env = {
            "ROUTING_CONFIG_PATH": str(ROOT / "tests/router/routing-prod.json"),
            "STATE_TABLE_NAME": TABLE,
            "ROUTER_SECRET_ARN": secret["ARN"],
            "PAGERDUTY_EVENTS_URL": f"{base}/v2/enqueue",
            "SLACK_API_URL": f"{base}/api",
        }
        containers = [
            runtime.build(env, health_check=None, client=atomic_client) for _ in range(CONTAINERS)
        ]
        decisions = collections.Counter()
        failures, retried = [], []
        lock = threading.Lock()

        def run(indexed):
            """One async invocation, with Lambda's two retries (after ~1 and ~2 minutes on AWS;
            5 and 10 s here)."""
            n, (_, event) = indexed
            rt = containers[n % CONTAINERS]
            for attempt in range(3):
                try:
                    result = handler.handle_notifications(event, rt)
                    break
                except handler.InvocationFailed as exc:
                    with lock:
                        retried.append(str(exc))
                    if attempt == 2:
                        with lock:
                            failures.append(str(exc))
                        return
                    time.sleep(5.0 * (attempt + 1))
            with lock:
                decisions.update(
                    a["decision"] if a["sent"] or a["decision"] != "deliver" else "duplicate"
                    for a in result["alerts"]
                )

        started = time.time()
        logs = io.StringIO()
        with contextlib.redirect_stdout(logs), ThreadPoolExecutor(CONTAINERS) as pool:
            ok_at = len(stream) - ALARMS
            list(pool.map(run, enumerate(stream[:ok_at])))
            list(pool.map(run, enumerate(stream[ok_at:])))
        wall = time.time() - started
        sms = len(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages)
        emails = len(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)
    server.shutdown()

    pd = [(b, t) for p, b, t in Fake.received if p.endswith("/enqueue")]
    triggers = collections.Counter(b["dedup_key"] for b, _ in pd if b["event_action"] == "trigger")
    resolves = sum(1 for b, _ in pd if b["event_action"] == "resolve")
    posts = [(b["channel"], t) for p, b, t in Fake.received if p.endswith("chat.postMessage")]
    updates = sum(1 for p, _, _ in Fake.received if p.endswith("chat.update"))
    per_channel = collections.defaultdict(list)
    for channel, t in posts:
        per_channel[channel].append(t)
    print(f"notifications: {len(stream)} over {ALARMS} alarms, {CONTAINERS} concurrent containers")
    print(f"wall time: {wall:.1f} s")
    print(
        f"deliveries: pagerduty {len(pd)} ({sum(triggers.values())} trigger, {resolves} "
        f"resolve), slack {len(posts) + updates} ({len(posts)} post, {updates} update), "
        f"sms {sms}, email {emails}"
    )
    print("decisions: " + ", ".join(f"{k} {v}" for k, v in sorted(decisions.items())))
    suppressed = sum(v for k, v in decisions.items() if k != "deliver")
    print(f"suppressed (duplicates, repeats, not-notified...): {suppressed}")
    print(
        f"PagerDuty triggers per alarm: max {max(triggers.values(), default=0)}, "
        f"alarms paged {len(triggers)} (10 CRITICAL alarms expected)"
    )
    for channel, times in sorted(per_channel.items()):
        gaps = [b - a for a, b in itertools.pairwise(sorted(times))]
        print(
            f"slack {channel}: {len(times)} messages, max {max_per_second(times)} per second, "
            f"smallest gap {min(gaps, default=0):.3f} s"
        )
    degraded = collections.Counter(
        json.loads(line).get("operation", json.loads(line)["event"])
        for line in logs.getvalue().splitlines()
        if '"event": "state-unavailable"' in line or '"event": "slack-pacing-degraded"' in line
    )
    print(f"state table fail-open events: {dict(degraded) or 0}")
    print(f"invocations retried (a unit in flight elsewhere, or a failure): {len(retried)}")
    print(f"failed invocations after Lambda's retries (dead-letter): {len(failures)}")
    for failure in failures[:5]:
        print(f"  {failure[:300]}")


if __name__ == "__main__":
    main()
