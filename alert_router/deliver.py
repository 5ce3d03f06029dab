"""Send planned deliveries: PagerDuty and Slack over HTTP (with retries), SMS through SNS,
e-mail through SES. Secrets go into requests here and nowhere else."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from alert_router.http import HttpClient, HttpFailure, Response
from alert_router.log import log
from alert_router.plan import Delivery, SlackRef
from alert_router.routing import KIND_EMAIL, KIND_PAGERDUTY, KIND_SLACK, KIND_SMS
from alert_router.secrets import Secrets
from alert_router.state import StateUnavailable

# Slack answers 200 with ok:false; these errors are worth another try, the rest are not.
SLACK_RETRYABLE = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
}


# chat.update errors meaning the message can no longer be edited: post a new one instead.
SLACK_UPDATE_GONE = ("message_not_found", "cant_update_message", "edit_window_closed")


@dataclass(frozen=True)
class SendResult:
    ok: bool
    detail: str
    slack_ref: SlackRef | None = None


def slack_check(response: Response) -> tuple[str, bool] | None:
    """None when Slack said ``ok: true``; otherwise the error and whether to retry."""
    data = response.json()
    if isinstance(data, dict) and data.get("ok") is True:
        return None
    error = data.get("error", "no ok field") if isinstance(data, dict) else "unreadable answer"
    return f"slack error: {error}", error in SLACK_RETRYABLE


class SlackPacer:
    """At most one message per second per Slack channel.

    Across containers: each post reserves the channel's next free slot in the state table
    (``StateTable.reserve_slot``), and waits for it. In one container: a local schedule too, which
    is all that holds if the table is unavailable. A slot further away than ``max_wait`` (or the
    invocation's remaining time) is not waited for: the message is left for Lambda's retry, so
    the rate holds and a storm cannot hold an invocation past its timeout. Folding keeps such
    backlogs rare.
    """

    def __init__(
        self,
        reserve: Callable[[str, float, float], float] | None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        spacing: float = 1.25,  # 1 s plus a margin for send jitter between containers
        max_wait: float = 20.0,
    ) -> None:
        self._reserve = reserve
        self._clock = clock
        self._sleep = sleep
        self._spacing = spacing
        self._max_wait = max_wait
        self._next: dict[str, float] = {}

    def wait_turn(self, channel: str, max_wait: float | None = None) -> bool:
        """Wait for this channel's next slot; False (without waiting) when it is too far off."""
        now = self._clock()
        slot = max(now, self._next.get(channel, 0.0))
        if self._reserve is not None:
            try:
                slot = self._reserve(channel, slot, self._spacing)
            except StateUnavailable as exc:  # fail open: the local schedule still holds
                log("slack-pacing-degraded", channel=channel, error=str(exc)[:200])
        self._next[channel] = slot + self._spacing
        delay = slot - now
        if delay > (self._max_wait if max_wait is None else max_wait):
            return False
        if delay > 0:
            self._sleep(delay)
        return True


class Senders:
    """One ``send`` for every kind of delivery. Never raises: failures come back as results."""

    def __init__(
        self,
        http: HttpClient,
        secrets: Callable[[], Secrets],
        *,
        sns: Callable[[], Any],
        ses: Callable[[], Any],
        pacer: SlackPacer | None = None,
    ) -> None:
        self._http = http
        self._secrets = secrets
        self._sns = sns
        self._ses = ses
        self._pacer = pacer
        self._deadline: float | None = None

    def set_deadline(self, remaining_seconds: float | None) -> None:
        """Stop starting deliveries this close to the invocation's end: an unsent unit is left
        for Lambda's retry instead of being cut off mid-request by the timeout."""
        self._deadline = None if remaining_seconds is None else time.monotonic() + remaining_seconds

    def _budget(self) -> float | None:
        return None if self._deadline is None else self._deadline - time.monotonic()

    def send(self, delivery: Delivery) -> SendResult:
        budget = self._budget()
        if budget is not None and budget < 1.0:
            return SendResult(False, "invocation deadline near; left for Lambda's retry")
        try:
            if delivery.channel == KIND_PAGERDUTY:
                return self._pagerduty(delivery)
            if delivery.channel == KIND_SLACK:
                return self._slack(delivery)
            if delivery.channel == KIND_SMS:
                self._sns().publish(
                    **delivery.body,
                    MessageAttributes={
                        "AWS.SNS.SMS.SMSType": {
                            "DataType": "String",
                            "StringValue": "Transactional",
                        }
                    },
                )
                return SendResult(True, "published")
            if delivery.channel == KIND_EMAIL:
                answer = self._ses().send_email(**delivery.body)
                return SendResult(True, f"sent {answer.get('MessageId', '')}")
            return SendResult(False, f"unknown channel kind {delivery.channel}")
        except HttpFailure as exc:
            return SendResult(False, f"{exc} after {exc.attempts} attempt(s)")
        except Exception as exc:  # an adapter failure must not stop the other channels
            return SendResult(False, f"{type(exc).__name__}: {str(exc)[:300]}")

    def _pagerduty(self, delivery: Delivery) -> SendResult:
        keys = self._secrets().pagerduty_routing_keys
        key = keys.get(delivery.service or "")
        if not key:
            return SendResult(False, f"no PagerDuty routing key for service {delivery.service!r}")
        body = {**delivery.body, "routing_key": key}
        response = self._http.post_json(delivery.url or "", body, budget=self._budget())
        return SendResult(True, f"HTTP {response.status}")

    def _slack(self, delivery: Delivery) -> SendResult:
        if delivery.action == "update":
            try:
                return self._slack_call(delivery.url or "", delivery.body, None)
            except HttpFailure as exc:
                if not any(error in str(exc) for error in SLACK_UPDATE_GONE):
                    raise
            # The original message is gone: tell the channel in a new message instead.
            body = {k: v for k, v in delivery.body.items() if k != "ts"}
            url = (delivery.url or "").rsplit("/", 1)[0] + "/chat.postMessage"
            return self._slack_call(url, body, delivery.target or delivery.route)
        return self._slack_call(
            delivery.url or "", delivery.body, delivery.target or delivery.route
        )

    def _slack_call(self, url: str, body: dict, pace_channel: str | None) -> SendResult:
        token = self._secrets().slack_bot_token
        if pace_channel is not None and self._pacer is not None:
            budget = self._budget()
            if not self._pacer.wait_turn(
                pace_channel, None if budget is None else max(budget - 2.0, 0.0)
            ):
                return SendResult(
                    False,
                    f"{pace_channel} is paced beyond this invocation; left for Lambda's retry",
                )
        response = self._http.post_json(
            url,
            body,
            {"Authorization": f"Bearer {token}"},
            check=slack_check,
            budget=self._budget(),
        )
        data = response.json() or {}
        ref = None
        if isinstance(data.get("channel"), str) and isinstance(data.get("ts"), str):
            ref = SlackRef(data["channel"], data["ts"])
        return SendResult(True, "ok", ref)
