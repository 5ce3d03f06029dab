"""JSON over HTTP with retries: exponential backoff with full jitter on 429 (honouring
``Retry-After``), 5xx, connection errors and timeouts; no retry on other 4xx; a bounded total
time. ``sleep``, ``clock`` and ``rand`` are injectable so tests never wait."""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 4.0
    total_budget: float = 15.0  # seconds from the first attempt; leaves room in the Lambda
    timeout: float = 5.0  # per request


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (ValueError, UnicodeDecodeError):
            return None


class HttpFailure(RuntimeError):
    """The request failed for good; ``status`` is the last HTTP status (None: no answer)."""

    def __init__(self, message: str, status: int | None = None, attempts: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = attempts


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _send_once(url: str, data: bytes, headers: dict[str, str], timeout: float) -> Response:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(
                answer.status, answer.read(), {k.lower(): v for k, v in answer.headers.items()}
            )
    except urllib.error.HTTPError as error:
        body = error.read() if error.fp else b""
        return Response(error.code, body, {k.lower(): v for k, v in (error.headers or {}).items()})


class HttpClient:
    """POSTs JSON with the retry policy. ``should_retry`` can mark a 200 answer as a soft
    failure (Slack's ``ok: false``): it returns None (success), or (message, retryable)."""

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._rand = rand

    def post_json(
        self,
        url: str,
        body: Any,
        headers: dict[str, str] | None = None,
        *,
        check: Callable[[Response], tuple[str, bool] | None] | None = None,
        policy: RetryPolicy | None = None,
        budget: float | None = None,
    ) -> Response:
        """POST ``body`` as JSON; ``budget`` (seconds) tightens the policy's total budget, e.g.
        to what is left of the Lambda invocation."""
        policy = policy or self.policy
        if budget is not None and budget < policy.total_budget:
            policy = replace(
                policy, total_budget=max(budget, 0.0), timeout=max(min(policy.timeout, budget), 0.1)
            )
        data = json.dumps(body, separators=(",", ":")).encode("utf-8")
        all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        started = self._clock()
        last_status: int | None = None
        message = "not attempted"
        for attempt in range(1, policy.attempts + 1):
            retry_after: float | None = None
            try:
                response = _send_once(url, data, all_headers, policy.timeout)
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                last_status, message, retryable = None, f"connection: {exc}", True
            else:
                last_status = response.status
                if response.status == 429:
                    message, retryable = "HTTP 429 rate limited", True
                    retry_after = _retry_after(response.headers)
                elif response.status >= 500:
                    message, retryable = f"HTTP {response.status}", True
                elif response.status >= 400:
                    detail = response.body[:200].decode("utf-8", "replace")
                    raise HttpFailure(f"HTTP {response.status}: {detail}", response.status, attempt)
                else:
                    verdict = check(response) if check else None
                    if verdict is None:
                        return response
                    message, retryable = verdict
                    retry_after = _retry_after(response.headers)
            if not retryable or attempt == policy.attempts:
                break
            backoff = self._rand() * min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
            delay = max(backoff, retry_after) if retry_after is not None else backoff
            if self._clock() - started + delay > policy.total_budget:
                message += " (retry budget exhausted)"
                break
            self._sleep(delay)
        raise HttpFailure(message, last_status, attempt)
