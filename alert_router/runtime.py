"""What a container builds once: routing config, secrets cache, state table, clients, router.

Everything is created on first use (nothing at import time that could fail or be slow), from
the environment documented in docs/routing-config.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from alert_router import health
from alert_router.config import RoutingConfig, load_routing_config
from alert_router.deliver import Senders, SlackPacer
from alert_router.http import HttpClient
from alert_router.metrics import Metrics
from alert_router.pagerduty import DEFAULT_EVENTS_URL
from alert_router.plan import Endpoints
from alert_router.router import Router
from alert_router.secrets import SecretsCache
from alert_router.slack import DEFAULT_API_URL
from alert_router.state import StateTable, make_state_table


@cache
def aws_client(service: str) -> Any:
    import boto3  # deferred: keeps the handler's cold import light
    from botocore.config import Config

    return boto3.client(
        service,
        config=Config(
            connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3}
        ),
    )


@dataclass
class Runtime:
    config: RoutingConfig
    secrets: SecretsCache
    state: StateTable | None
    http: HttpClient
    metrics: Metrics
    endpoints: Endpoints
    router: Router
    clock: Callable[[], float]


def build(
    env: dict[str, str] | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    client: Callable[[str], Any] = aws_client,
    health_check: Callable | None = health.snapshot,
    http: HttpClient | None = None,
) -> Runtime:
    """Wire a runtime from the environment; tests inject time, sleep, clients and HTTP."""
    env = dict(os.environ if env is None else env)
    config = load_routing_config(env.get("ROUTING_CONFIG_PATH") or None)
    endpoints = Endpoints(
        pagerduty_url=env.get("PAGERDUTY_EVENTS_URL") or DEFAULT_EVENTS_URL,
        slack_api_url=(env.get("SLACK_API_URL") or DEFAULT_API_URL).rstrip("/"),
    )
    table_name = env.get("STATE_TABLE_NAME")
    state = (
        make_state_table(
            table_name, config.suppression.history_days, client_factory=lambda: client("dynamodb")
        )
        if table_name
        else None
    )
    secrets = SecretsCache(env.get("ROUTER_SECRET_ARN", ""), lambda: client("secretsmanager"))
    http = http or HttpClient(sleep=sleep)
    metrics = Metrics(config.stack, lambda: int(clock() * 1000))
    pacer = SlackPacer(state.reserve_slot if state else None, clock=clock, sleep=sleep)
    senders = Senders(
        http, secrets.get, sns=lambda: client("sns"), ses=lambda: client("ses"), pacer=pacer
    )
    router = Router(
        config,
        state=state,
        senders=senders,
        metrics=metrics,
        endpoints=endpoints,
        clock=clock,
        health=health_check,
    )
    return Runtime(config, secrets, state, http, metrics, endpoints, router, clock)


_current: Runtime | None = None


def get() -> Runtime:
    """The container's runtime, built on first use."""
    global _current
    if _current is None:
        _current = build()
    return _current


def reset(runtime: Runtime | None = None) -> None:
    """Drop (or replace) the container's runtime: tests and benches use this."""
    global _current
    _current = runtime
