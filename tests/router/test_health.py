"""The system-health snapshot: checks in parallel, never longer than the budget."""

from __future__ import annotations

import socket
import time

import pytest

from alert_router.config import HealthCheck
from alert_router.health import snapshot


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers (a hung service)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_checks_run_in_parallel_under_a_hard_budget(httpserver, silent_port):
    httpserver.expect_request("/health").respond_with_json({"status": "ok"})
    httpserver.expect_request("/broken").respond_with_json({}, status=503)
    checks = (
        HealthCheck("api", httpserver.url_for("/health")),
        HealthCheck("search", httpserver.url_for("/broken")),
        HealthCheck("db-a", f"http://127.0.0.1:{silent_port}/"),
        HealthCheck("db-b", f"http://127.0.0.1:{silent_port}/"),
    )
    started = time.monotonic()
    result = dict(snapshot(checks, 0.5))
    assert time.monotonic() - started < 0.9  # two hung checks, one budget
    assert result["api"].startswith("healthy (HTTP 200")
    assert result["search"].startswith("degraded (HTTP 503")
    assert result["db-a"] in ("timeout", "error (TimeoutError)")
    assert result["db-b"] in ("timeout", "error (TimeoutError)")


def test_a_refused_connection_is_an_error_not_an_exception():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ((name, status),) = snapshot((HealthCheck("api", f"http://127.0.0.1:{port}/"),), 0.5)
    assert name == "api" and status.startswith("error (")


def test_no_checks_no_snapshot():
    assert snapshot((), 2.0) == ()
