"""Lambda entry point: ``alert_router.handler.lambda_handler``.

Dispatches on the event: ``{"harborlistSelfCheck": true}`` → self-check and heartbeat; a
function URL request (``requestContext.http``) → Slack interactive payload; anything else →
alarm notifications (SNS, EventBridge, Lambda alarm action, platform JSON, plain text).

Failure contract: every readable notification is processed and every channel attempted first;
then, if any delivery failed or any record was unreadable, the invocation raises. Lambda's async
retries re-run the event — notifications already decided reuse their decision and channels
already sent are skipped — and after the last retry the event goes to the dead-letter queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alert_router.events import EVENT_HTTP, EVENT_SELF_CHECK, Unreadable, event_kind, split_event
from alert_router.log import log

if TYPE_CHECKING:
    from alert_router import runtime


class InvocationFailed(RuntimeError):
    """Raised after all work was attempted, so Lambda retries and then dead-letters the event."""


def _received(rt: runtime.Runtime) -> str:
    from alert_router.router import iso

    return iso(rt.clock())


def handle_notifications(event: Any, rt: runtime.Runtime) -> dict[str, Any]:
    from alert_router.normalize import normalize
    from alert_router.router import outcome_summary

    results = []
    problems: list[str] = []
    for item in split_event(event):
        if isinstance(item, Unreadable):
            log("unreadable-record", index=item.index, reason=item.reason, excerpt=item.excerpt)
            rt.metrics.emit("UnreadableRecords")
            problems.append(f"record {item.index}: {item.reason}")
            continue
        outcome = rt.router.process(normalize(item, _received(rt)))
        results.append(outcome_summary(outcome))
        problems += [
            f"{outcome.alert.notification_id} {unit}: {why}" for unit, why in outcome.failed
        ]
    if problems:
        log("invocation-failed", problems=problems)
        raise InvocationFailed("; ".join(problems)[:2000])
    return {"alerts": results}


def self_check(rt: runtime.Runtime) -> dict[str, Any]:
    checks: dict[str, str] = {"routingConfig": f"ok ({rt.config.stack})"}
    try:
        rt.secrets.get()
        checks["secret"] = "ok"
    except Exception as exc:
        checks["secret"] = f"failed: {exc}"
    if rt.state is None:
        checks["stateTable"] = "failed: STATE_TABLE_NAME not set"
    else:
        try:
            rt.state.heartbeat(rt.clock())
            checks["stateTable"] = "ok"
        except Exception as exc:
            checks["stateTable"] = f"failed: {type(exc).__name__}"
    healthy = all(v.startswith("ok") for v in checks.values())
    log("self-check", healthy=healthy, checks=checks)
    if not healthy:
        raise InvocationFailed(f"self-check failed: {checks}")
    rt.metrics.emit("Heartbeat", 1)
    return {"healthy": True, "checks": checks}


def lambda_handler(event: Any, context: Any = None) -> dict[str, Any]:
    from alert_router import runtime  # first use builds the container's clients, once

    rt = runtime.get()
    kind = event_kind(event)
    if kind == EVENT_SELF_CHECK:
        return self_check(rt)
    if kind == EVENT_HTTP:
        from alert_router import interactive

        if str(event["requestContext"]["http"].get("method", "")).upper() != "POST":
            return interactive.response(405, "POST only")

        try:
            secrets = rt.secrets.get()
        except Exception:
            return interactive.response(503, "secrets unavailable")
        return interactive.handle(
            event,
            secrets=secrets,
            state=rt.state,
            http=rt.http,
            endpoints=rt.endpoints,
            metrics=rt.metrics,
            now=rt.clock(),
        )
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    # Keep 3 s for recording outcomes and raising before Lambda's own timeout.
    rt.router.senders.set_deadline(remaining() / 1000 - 3 if remaining else None)
    return handle_notifications(event, rt)
