"""Retries against a real local HTTP server: what is retried, how long it waits, when it stops."""

from __future__ import annotations

import socket
import time

import pytest
from werkzeug import Response

from alert_router.deliver import slack_check
from alert_router.http import HttpClient, HttpFailure, RetryPolicy

from .conftest import Clock


@pytest.fixture
def client(clock):
    return HttpClient(
        RetryPolicy(attempts=4, timeout=0.3), sleep=clock.sleep, clock=clock, rand=lambda: 1.0
    )


def serve(httpserver, *responses):
    for status, body, headers in responses:
        httpserver.expect_ordered_request("/x", method="POST").respond_with_response(
            Response(body, status=status, headers=headers, content_type="application/json")
        )
    return httpserver.url_for("/x")


def test_202_is_success_on_the_first_attempt(httpserver, client, clock):
    url = serve(httpserver, (202, '{"status":"success"}', {}))
    assert client.post_json(url, {"a": 1}).status == 202
    assert clock.sleeps == []
    ((request, _),) = httpserver.log
    assert request.get_json() == {"a": 1}
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"


def test_5xx_is_retried_with_exponential_backoff(httpserver, client, clock):
    url = serve(httpserver, (500, "{}", {}), (502, "{}", {}), (503, "{}", {}), (202, "{}", {}))
    assert client.post_json(url, {}).status == 202
    assert clock.sleeps == [0.25, 0.5, 1.0]


def test_jitter_draws_below_the_exponential_ceiling(httpserver, clock):
    client = HttpClient(RetryPolicy(attempts=2), sleep=clock.sleep, clock=clock, rand=lambda: 0.5)
    url = serve(httpserver, (500, "{}", {}), (200, "{}", {}))
    client.post_json(url, {})
    assert clock.sleeps == [0.125]


def test_429_waits_at_least_retry_after(httpserver, client, clock):
    url = serve(httpserver, (429, "{}", {"Retry-After": "2"}), (202, "{}", {}))
    client.post_json(url, {})
    assert clock.sleeps == [2.0]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413])
def test_other_4xx_is_not_retried(httpserver, client, clock, status):
    url = serve(httpserver, (status, '{"error":"no"}', {}))
    with pytest.raises(HttpFailure) as failure:
        client.post_json(url, {})
    assert failure.value.status == status and failure.value.attempts == 1
    assert clock.sleeps == []


def test_attempts_are_bounded(httpserver, client):
    url = serve(httpserver, *[(500, "{}", {})] * 4)
    with pytest.raises(HttpFailure) as failure:
        client.post_json(url, {})
    assert failure.value.attempts == 4 and failure.value.status == 500


def test_total_time_is_bounded_even_when_retry_after_is_huge(httpserver, clock):
    client = HttpClient(RetryPolicy(total_budget=10), sleep=clock.sleep, clock=clock)
    url = serve(httpserver, (429, "{}", {"Retry-After": "3600"}))
    with pytest.raises(HttpFailure, match="retry budget exhausted"):
        client.post_json(url, {})
    assert clock.sleeps == []


def test_a_hanging_server_times_out_and_is_retried(httpserver):
    def hang(request):
        time.sleep(0.6)
        return Response("{}", status=202)

    httpserver.expect_request("/slow").respond_with_handler(hang)
    clock = Clock()
    client = HttpClient(RetryPolicy(attempts=2, timeout=0.2), sleep=clock.sleep, clock=clock)
    started = time.monotonic()
    with pytest.raises(HttpFailure, match="connection"):
        client.post_json(httpserver.url_for("/slow"), {})
    assert time.monotonic() - started < 2.5
    assert len(clock.sleeps) == 1
    time.sleep(0.7)  # let the single-threaded fake finish the abandoned request


def test_connection_refused_is_retried_then_reported(clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpClient(RetryPolicy(attempts=3, timeout=0.2), sleep=clock.sleep, clock=clock)
    with pytest.raises(HttpFailure) as failure:
        client.post_json(f"http://127.0.0.1:{port}/v2/enqueue", {})
    assert failure.value.status is None and failure.value.attempts == 3


def test_slack_ok_false_is_checked_in_a_200_answer(httpserver, client, clock):
    url = serve(httpserver, (200, '{"ok":false,"error":"invalid_blocks"}', {}))
    with pytest.raises(HttpFailure, match="invalid_blocks"):
        client.post_json(url, {}, check=slack_check)
    assert clock.sleeps == []


def test_slack_answer_without_ok_is_a_failure(httpserver, client):
    url = serve(httpserver, (200, "not json", {}))
    with pytest.raises(HttpFailure, match="unreadable answer"):
        client.post_json(url, {}, check=slack_check)


def test_a_caller_budget_tightens_the_policy(httpserver, client, clock):
    url = serve(httpserver, (429, "{}", {"Retry-After": "1"}))
    with pytest.raises(HttpFailure, match="retry budget exhausted"):
        client.post_json(url, {}, budget=0.5)
    assert clock.sleeps == []
