"""The pipeline with its edges: state reads and writes, health checks, delivery, metrics.

``Router.process`` takes one ``Alert`` through enrich → route → suppress → plan → deliver and
records every decision. The pure stages live in their own modules; this one only sequences them
and talks to the state table, failing open whenever the table is unavailable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from alert_router.alert import SEVERITIES, Alert
from alert_router.config import HealthCheck, RoutingConfig
from alert_router.deliver import Senders
from alert_router.enrich import Classification, classify, enrich
from alert_router.log import log
from alert_router.metrics import Metrics
from alert_router.plan import Delivery, Endpoints, plan
from alert_router.routing import channel_keys, resolve_channels
from alert_router.state import ALREADY_SENT, CLAIMED, StateTable, StateUnavailable
from alert_router.suppression import (
    DELIVER,
    DUPLICATE,
    REPEAT,
    STALE,
    AlarmMemory,
    Decision,
    after_fold,
    before_fold,
    inhibiting_rules,
    similarity_key,
)
from alert_router.text import clip

T = TypeVar("T")
LEASE_SECONDS = 60  # > the Lambda timeout: then a unit stuck in "sending" is taken over
HEALTH_TTL = 30.0  # seconds a health snapshot is reused within a container


@dataclass
class Outcome:
    """What happened to one alert."""

    alert: Alert
    rule: str
    severity: str
    decision: Decision
    deliveries: list[Delivery] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # units already sent by an earlier attempt
    failed: list[tuple[str, str]] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)  # state operations that failed (open)


def iso(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Router:
    def __init__(
        self,
        config: RoutingConfig,
        *,
        state: StateTable | None,
        senders: Senders,
        metrics: Metrics,
        endpoints: Endpoints,
        clock: Callable[[], float] = time.time,
        health: Callable[[tuple[HealthCheck, ...], float], tuple[tuple[str, str], ...]]
        | None = None,
    ) -> None:
        self.config = config
        self.state = state
        self.senders = senders
        self.metrics = metrics
        self.endpoints = endpoints
        self.clock = clock
        self.health = health
        self._health_cache: tuple[float, tuple[tuple[str, str], ...]] | None = None

    def _safe(self, outcome: Outcome, what: str, call: Callable[[], T], default: T) -> T:
        if self.state is None:
            outcome.degraded.append(what)
            return default
        try:
            return call()
        except StateUnavailable as exc:
            outcome.degraded.append(what)
            log(
                "state-unavailable",
                operation=what,
                error=str(exc)[:300],
                notificationId=outcome.alert.notification_id,
            )
            return default

    def _decide(
        self, alert: Alert, outcome: Outcome, memory: AlarmMemory | None, state_ok: bool, now: float
    ) -> Decision:
        cls = classify(alert, self.config)
        state = self.state
        inhibited_by = None
        if alert.state == "ALARM":
            for source in inhibiting_rules(cls, self.config):
                firing = self._safe(outcome, "firing", lambda s=source: state.firing(s), [])
                if any(key != alert.dedup_key for key in firing):
                    inhibited_by = source
                    break
        decision = before_fold(
            alert,
            cls,
            self.config,
            now=now,
            memory=memory,
            inhibited_by=inhibited_by,
            state_available=state_ok,
        )
        if decision is not None:
            return decision
        sup = self.config.suppression
        window = int(now // sup.fold_window_seconds * sup.fold_window_seconds)
        ordinal = self._safe(
            outcome,
            "fold",
            lambda: state.fold_ordinal(
                similarity_key(alert, cls), window, now, 2 * sup.fold_window_seconds
            ),
            None,
        )
        decision = after_fold(ordinal, sup.fold_threshold)
        if decision.deliver and alert.state == "ALARM":
            claimed = self._safe(
                outcome,
                "claim-firing",
                lambda: state.claim_firing(
                    alert.dedup_key,
                    alarm=alert.name,
                    rule=cls.rule,
                    now=now,
                    repeat_interval=sup.repeat_interval_seconds,
                ),
                True,
            )
            if not claimed:  # a concurrent notification of the same alarm got there first
                return Decision(REPEAT, "still firing; notified by a concurrent invocation")
        return decision

    def _health_snapshot(self) -> tuple[tuple[str, str], ...]:
        """The system-health snapshot, shared by the alerts of a storm for HEALTH_TTL seconds
        so that several records in one event do not each wait for the checks."""
        if self.health is None:
            return ()
        now = time.monotonic()
        if self._health_cache is not None and now - self._health_cache[0] < HEALTH_TTL:
            return self._health_cache[1]
        value = self.health(self.config.health_checks, self.config.health_budget_seconds)
        self._health_cache = (now, value)
        return value

    @staticmethod
    def _as_decided(cls: Classification, prior: dict) -> Classification:
        """The same notification through another shape (EventBridge has no topic) must route
        as it was first decided, or its channels would differ and it would be sent twice."""
        severity = prior.get("severity")
        return replace(cls, severity=severity) if severity in SEVERITIES else cls

    def process(self, alert: Alert) -> Outcome:
        """Take one alert through the whole pipeline. Never raises for a delivery failure:
        failures are in the outcome, and the handler fails the invocation after all alerts."""
        now = self.clock()
        config = self.config
        cls = classify(alert, config)
        outcome = Outcome(alert, cls.rule, cls.severity, Decision(DELIVER))  # severity may change
        state = self.state
        self.metrics.emit("AlertsReceived", Severity=cls.severity)
        nid = alert.notification_id
        ttl = config.suppression.idempotency_hours * 3600

        prior = self._safe(outcome, "decision", lambda: state.decision(nid), None)
        loaded = self._safe(outcome, "alarm", lambda: state.alarm(alert.dedup_key), None)
        state_ok = loaded is not None
        memory, refs = loaded if loaded is not None else (None, {})
        first_time = prior is None
        if prior is not None:
            decision = Decision(
                prior["action"], prior.get("detail", ""), int(prior.get("foldCount", 0))
            )
            cls = self._as_decided(cls, prior)
        else:
            decision = self._decide(alert, outcome, memory, state_ok, now)
            record = {
                "action": decision.action,
                "detail": decision.detail,
                "foldCount": decision.fold_count,
                "rule": cls.rule,
                "severity": cls.severity,
                "alarm": alert.name,
            }
            stored = self._safe(
                outcome, "put-decision", lambda: state.put_decision(nid, record, now, ttl), True
            )
            if not stored:  # a concurrent duplicate decided first: follow it
                again = self._safe(outcome, "decision", lambda: state.decision(nid), None)
                if again:
                    first_time = False
                    decision = Decision(
                        again["action"], again.get("detail", ""), int(again.get("foldCount", 0))
                    )
                    cls = self._as_decided(cls, again)
        outcome.decision = decision
        outcome.severity = cls.severity
        similar = similarity_key(alert, cls)

        if any(cls.rule == i.source_rule for i in config.inhibitions) and first_time:
            self._safe(
                outcome,
                "set-firing",
                lambda: state.set_firing(
                    cls.rule, alert.dedup_key, alert.state == "ALARM", alert.name, now
                ),
                None,
            )
        if first_time:
            history = {
                "alert": {
                    **alert.to_dict(),
                    "reason": clip(alert.reason, 4000),
                    "description": clip(alert.description, 2000),
                },
                "rule": cls.rule,
                "severity": cls.severity,
                "decision": decision.action,
                "detail": decision.detail,
            }
            self._safe(
                outcome,
                "history",
                lambda: state.record_history(similar, alert.timestamp, nid, history, now),
                None,
            )
        log(
            "alert",
            notificationId=nid,
            alarm=alert.name,
            state=alert.state,
            rule=cls.rule,
            severity=cls.severity,
            decision=decision.action,
            detail=decision.detail,
            firstTime=first_time,
            source=alert.source,
            kind=alert.kind,
        )

        if not decision.deliver:
            if first_time:  # counted once, not again for each duplicate or retry
                self.metrics.emit("AlertsSuppressed", Reason=decision.action)
            if first_time and decision.action != STALE:
                self._remember(outcome, state, cls, now, notified=False)
            return outcome

        started = time.monotonic()
        since = iso(now - config.suppression.similar_window_seconds)
        recent = self._safe(outcome, "recent", lambda: state.recent_similar(similar, since), 0)
        health = self._health_snapshot() if alert.state == "ALARM" else ()
        enriched = enrich(
            alert,
            config,
            similar_recent=max(recent - 1, 0),
            health=health,
            fold_count=decision.fold_count,
            classification=cls,
        )
        self.metrics.emit("EnrichmentMs", round((time.monotonic() - started) * 1000, 3))

        channels, missing = resolve_channels(channel_keys(enriched.classification, config), config)
        for key in missing:
            log("channel-unconfigured", channel=key, notificationId=nid)
            outcome.failed.append((key, "channel is not configured"))
            # Not a channel's failure: the invocation fails (the Errors alarm) and the log says why.
            self.metrics.emit("UnconfiguredChannels")
        deliveries = plan(
            enriched,
            channels,
            endpoints=self.endpoints,
            email_sender=config.email_sender,
            slack_refs=refs,
        )
        outcome.deliveries = deliveries
        for delivery in deliveries:
            claim = self._safe(
                outcome,
                "claim",
                lambda d=delivery: state.claim_unit(nid, d.unit, self.clock(), LEASE_SECONDS, ttl),
                CLAIMED,
            )
            if claim == ALREADY_SENT:
                outcome.skipped.append(delivery.unit)
                continue
            if claim != CLAIMED:
                # Another invocation is sending it right now. Fail this one, so that Lambda's
                # retry checks again: by then it was sent, or its lease ran out and we send it.
                outcome.failed.append((delivery.unit, "being sent by another invocation"))
                continue
            result = self.senders.send(delivery)
            self._safe(
                outcome,
                "finish",
                lambda d=delivery, r=result: state.finish_unit(
                    nid, d.unit, r.ok, r.detail, self.clock()
                ),
                None,
            )
            if result.ok:
                outcome.sent.append(delivery.unit)
                self.metrics.emit("Deliveries", Channel=delivery.channel)
                if result.slack_ref is not None and alert.state == "ALARM":
                    self._safe(
                        outcome,
                        "slack-ref",
                        lambda d=delivery, r=result: state.save_slack_ref(
                            alert.dedup_key, d.unit, r.slack_ref, now
                        ),
                        None,
                    )
            else:
                outcome.failed.append((delivery.unit, result.detail))
                self.metrics.emit("DeliveryFailures", Channel=delivery.channel)
                log(
                    "delivery-failed",
                    notificationId=nid,
                    unit=delivery.unit,
                    channel=delivery.channel,
                    detail=result.detail,
                )
        if not first_time and outcome.skipped and not outcome.sent and not outcome.failed:
            self.metrics.emit("AlertsSuppressed", Reason=DUPLICATE)
        if first_time:  # a late duplicate or retry must not overwrite a newer state
            self._remember(outcome, state, cls, now, notified=bool(outcome.sent or outcome.skipped))
        return outcome

    def _remember(self, outcome: Outcome, state, cls, now: float, *, notified: bool) -> None:
        """Store the alarm's new state (and whether people were told) for later decisions."""
        alert = outcome.alert
        self._safe(
            outcome,
            "remember",
            lambda: state.remember_alarm(
                alert.dedup_key,
                state=alert.state,
                alarm=alert.name,
                rule=cls.rule,
                now=now,
                notified=notified,
                changed_at=alert.timestamp,
            ),
            None,
        )


def outcome_summary(outcome: Outcome) -> dict[str, Any]:
    return {
        "notificationId": outcome.alert.notification_id,
        "alarm": outcome.alert.name,
        "rule": outcome.rule,
        "severity": outcome.severity,
        "decision": outcome.decision.action,
        "sent": outcome.sent,
        "skipped": outcome.skipped,
        "failed": [unit for unit, _ in outcome.failed],
    }
