"""Shared fixtures: realistic events, the prod routing config, moto AWS, a local HTTP fake that
plays PagerDuty and Slack, a controllable clock."""

from __future__ import annotations

import json
import threading
from collections import deque
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from werkzeug import Request, Response

from alert_router import runtime
from alert_router.config import RoutingConfig, load_routing_config
from alert_router.http import HttpClient, RetryPolicy

HERE = Path(__file__).parent
EVENTS = HERE / "events"
ROUTING = HERE / "routing-prod.json"
TABLE = "harborlist-prod-alert-router-state"
SECRET_NAME = "harborlist/prod/alert-router"
ROUTING_KEYS = {"platform": "P" * 32, "data": "D" * 32, "business": "B" * 32}
BOT_TOKEN = "xoxb-fake_for_tests"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
START = 1_794_498_000.0  # 2026-11-12T16:20:00Z, after every fixture's timestamp


def load_event(name: str) -> Any:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


@pytest.fixture
def config() -> RoutingConfig:
    return load_routing_config(ROUTING)


class Clock:
    """Wall time under test control; ``sleep`` advances it and records the delays."""

    def __init__(self, now: float = START) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


class FakeApis:
    """PagerDuty and Slack on one local server. Each path answers from a script of responses
    (then the default); every request is recorded with the clock time it arrived."""

    def __init__(self, server, clock: Clock) -> None:
        self.server = server
        self.clock = clock
        self.requests: list[dict[str, Any]] = []
        self.scripts: dict[str, deque] = {}
        self.lock = threading.Lock()
        self.ts_counter = 0
        server.expect_request("/v2/enqueue").respond_with_handler(self._handle)
        server.expect_request("/api/chat.postMessage").respond_with_handler(self._handle)
        server.expect_request("/api/chat.update").respond_with_handler(self._handle)

    @property
    def pagerduty_url(self) -> str:
        return self.server.url_for("/v2/enqueue")

    @property
    def slack_url(self) -> str:
        return self.server.url_for("/api")

    def script(self, path: str, *responses: Any) -> None:
        """Queue responses for ``path``: (status, json_body[, headers]) or a callable."""
        self.scripts.setdefault(path, deque()).extend(responses)

    def _default(self, path: str, body: Any) -> tuple[int, Any, dict]:
        if path == "/v2/enqueue":
            return (
                202,
                {
                    "status": "success",
                    "message": "Event processed",
                    "dedup_key": body.get("dedup_key"),
                },
                {},
            )
        if path == "/api/chat.postMessage":
            self.ts_counter += 1
            return (
                200,
                {
                    "ok": True,
                    "channel": "C0" + str(abs(hash(body.get("channel"))))[:8],
                    "ts": f"1794498000.{self.ts_counter:06d}",
                },
                {},
            )
        return 200, {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}, {}

    def _handle(self, request: Request) -> Response:
        raw = request.get_data(as_text=True)
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
        with self.lock:
            self.requests.append(
                {
                    "path": request.path,
                    "body": body,
                    "at": self.clock.now,
                    "headers": dict(request.headers),
                }
            )
            queue = self.scripts.get(request.path)
            item = queue.popleft() if queue else None
        if callable(item):
            item = item()
        if item is None:
            item = self._default(request.path, body if isinstance(body, dict) else {})
        status, payload, *rest = item
        headers = rest[0] if rest else {}
        return Response(
            json.dumps(payload), status=status, headers=headers, content_type="application/json"
        )

    def to(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path]

    @property
    def pagerduty(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.to("/v2/enqueue")]

    @property
    def slack_posts(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.to("/api/chat.postMessage")]

    @property
    def slack_updates(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.to("/api/chat.update")]


@pytest.fixture
def apis(httpserver, clock) -> FakeApis:
    return FakeApis(httpserver, clock)


@pytest.fixture
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        secret = boto3.client("secretsmanager").create_secret(
            Name=SECRET_NAME,
            SecretString=json.dumps(
                {
                    "slackBotToken": BOT_TOKEN,
                    "slackSigningSecret": SIGNING_SECRET,
                    "pagerdutyRoutingKeys": ROUTING_KEYS,
                }
            ),
        )
        boto3.client("ses").verify_email_identity(EmailAddress="alerts@harborlist.com")
        yield {"secret_arn": secret["ARN"]}


def sms_sent() -> list[dict[str, Any]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    backend = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [
        {"PhoneNumber": number, "Message": message}
        for number, message in [(v[0], v[1]) for v in backend.sms_messages.values()]
    ]


def emails_sent() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


@pytest.fixture
def env(aws, apis) -> dict[str, str]:
    return {
        "ROUTING_CONFIG_PATH": str(ROUTING),
        "STATE_TABLE_NAME": TABLE,
        "ROUTER_SECRET_ARN": aws["secret_arn"],
        "PAGERDUTY_EVENTS_URL": apis.pagerduty_url,
        "SLACK_API_URL": apis.slack_url,
    }


@pytest.fixture
def rt(env, clock):
    """The handler's runtime wired to moto and the local fakes; no real waiting."""
    http = HttpClient(RetryPolicy(timeout=1.0), sleep=clock.sleep, clock=clock)
    built = runtime.build(env, sleep=clock.sleep, clock=clock, health_check=None, http=http)
    runtime.reset(built)
    yield built
    runtime.reset(None)
