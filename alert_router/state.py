"""The state table (DynamoDB, ``pk``/``sk`` strings, TTL ``expiresAt``): the router's memory.

Item layouts (all carry ``expiresAt``, epoch seconds):

=========================  =======================  ==========================================
pk                         sk                       attributes
=========================  =======================  ==========================================
``notif#<notificationId>`` ``decision``             action, detail, foldCount, rule, severity,
                                                    alarm, createdAt — first decision wins
                                                    (conditional put); retries reuse it
``notif#<notificationId>`` ``unit#<unit>``          status (sending|sent|failed), leaseUntil,
                                                    attempts, detail, updatedAt — claimed with
                                                    a condition, so one sender per unit
``alarm#<dedupKey>``       ``state``                state, changedAt, notifiedAt (claimed
                                                    atomically per repeat interval), rule,
                                                    alarm, updatedAt,
                                                    slack (map unit → {channel, ts})
``firing#<rule>``          ``<dedupKey>``           alarm, since — present while in ALARM
                                                    (inhibition sources only)
``fold#<similarityKey>``   ``window#<start>``       count (atomic ADD)
``history#<similarKey>``   ``<timestamp>#<nid>``    the alert and its decision (30 days)
``pace#slack#<channel>``   ``slot``                 nextAt (epoch seconds, float as N)
``slack-signature``        ``<signature>``          usedAt — replay guard, 10 minutes
``selfcheck``              ``heartbeat``            at
=========================  =======================  ==========================================

Every method raises ``StateUnavailable`` when the table cannot be reached or answers with an
error other than a failed condition, so the caller can fail open.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from alert_router.plan import SlackRef
from alert_router.suppression import AlarmMemory

DAY = 86400
CLAIMED = "claimed"
ALREADY_SENT = "already-sent"
IN_FLIGHT = "in-flight"


class StateUnavailable(RuntimeError):
    """The state table could not be used; callers fail open."""


def _s(value: str) -> dict:
    return {"S": value}


def _n(value: float) -> dict:
    return {"N": repr(float(value)) if isinstance(value, float) else str(value)}


def _plain(attr: dict) -> Any:
    ((kind, value),) = attr.items()
    if kind == "S":
        return value
    if kind == "N":
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    if kind == "BOOL":
        return value
    if kind == "M":
        return {k: _plain(v) for k, v in value.items()}
    if kind == "NULL":
        return None
    return value


def _item(item: dict | None) -> dict | None:
    return {k: _plain(v) for k, v in item.items()} if item else None


def _is_condition_failure(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    return isinstance(response, dict) and (
        response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
    )


class StateTable:
    """Thin, typed access to the state table. ``client`` is a boto3 DynamoDB client."""

    def __init__(self, client: Any, table_name: str, history_days: int = 30) -> None:
        self._client = client
        self._table = table_name
        self._history = history_days * DAY

    def _call(self, operation: str, **kwargs: Any) -> dict | None:
        """The response, ``None`` on a failed condition; ``StateUnavailable`` otherwise."""
        try:
            return getattr(self._client, operation)(TableName=self._table, **kwargs)
        except Exception as exc:  # botocore's errors: imported lazily, so matched by shape
            if _is_condition_failure(exc):
                return None
            raise StateUnavailable(f"{operation}: {type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _key(pk: str, sk: str) -> dict:
        return {"pk": _s(pk), "sk": _s(sk)}

    def _get(self, pk: str, sk: str) -> dict | None:
        response = self._call("get_item", Key=self._key(pk, sk), ConsistentRead=True)
        return _item((response or {}).get("Item"))

    # ---- idempotency ---------------------------------------------------------------------

    def decision(self, nid: str) -> dict | None:
        """The decision first taken for a notification, or None."""
        item = self._get(f"notif#{nid}", "decision")
        return json.loads(item["decision"]) if item and "decision" in item else None

    def put_decision(self, nid: str, decision: dict[str, Any], now: float, ttl: float) -> bool:
        """Store the first decision for a notification; False if one is already there."""
        item = self._key(f"notif#{nid}", "decision")
        item["decision"] = _s(json.dumps(decision, sort_keys=True))
        item["createdAt"] = _n(now)
        item["expiresAt"] = _n(int(now + ttl))
        response = self._call("put_item", Item=item, ConditionExpression="attribute_not_exists(pk)")
        return response is not None

    def claim_unit(self, nid: str, unit: str, now: float, lease: float, ttl: float) -> str:
        """Claim one delivery unit of a notification: ``CLAIMED``; ``ALREADY_SENT``; or
        ``IN_FLIGHT`` when another invocation holds an unexpired lease on it."""
        response = self._call(
            "update_item",
            Key=self._key(f"notif#{nid}", f"unit#{unit}"),
            UpdateExpression=(
                "SET #st = :sending, leaseUntil = :lease, updatedAt = :now, expiresAt = :exp "
                "ADD attempts :one"
            ),
            ConditionExpression=(
                "attribute_not_exists(pk) OR #st = :failed OR "
                "(#st = :sending AND leaseUntil < :now)"
            ),
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":sending": _s("sending"),
                ":failed": _s("failed"),
                ":lease": _n(now + lease),
                ":now": _n(now),
                ":exp": _n(int(now + ttl)),
                ":one": _n(1),
            },
        )
        if response is not None:
            return CLAIMED
        return ALREADY_SENT if self.unit_status(nid, unit) == "sent" else IN_FLIGHT

    def finish_unit(self, nid: str, unit: str, ok: bool, detail: str, now: float) -> None:
        self._call(
            "update_item",
            Key=self._key(f"notif#{nid}", f"unit#{unit}"),
            UpdateExpression="SET #st = :st, detail = :detail, updatedAt = :now",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":st": _s("sent" if ok else "failed"),
                ":detail": _s(detail[:1000]),
                ":now": _n(now),
            },
        )

    def unit_status(self, nid: str, unit: str) -> str | None:
        item = self._get(f"notif#{nid}", f"unit#{unit}")
        return item.get("status") if item else None

    # ---- alarms --------------------------------------------------------------------------

    def alarm(self, dedup_key: str) -> tuple[AlarmMemory, dict[str, SlackRef]]:
        item = self._get(f"alarm#{dedup_key}", "state")
        if not item:
            return AlarmMemory(), {}
        refs = {
            unit: SlackRef(ref["channel"], ref["ts"])
            for unit, ref in (item.get("slack") or {}).items()
            if isinstance(ref, dict) and "channel" in ref and "ts" in ref
        }
        notified = item.get("notifiedAt")
        memory = AlarmMemory(
            item.get("state"), float(notified) if notified else None, item.get("changedAt")
        )
        return memory, refs

    def remember_alarm(
        self,
        dedup_key: str,
        *,
        state: str,
        alarm: str,
        rule: str,
        now: float,
        notified: bool,
        changed_at: str | None = None,
    ) -> None:
        """Record an alarm's latest state (and, when delivered in ALARM, when it was sent)."""
        names = {"#st": "state"}
        values = {
            ":st": _s(state),
            ":alarm": _s(alarm),
            ":rule": _s(rule),
            ":now": _n(now),
            ":exp": _n(int(now + self._history)),
        }
        expression = "SET #st = :st, alarm = :alarm, #r = :rule, updatedAt = :now, expiresAt = :exp"
        names["#r"] = "rule"
        if changed_at:
            expression += ", changedAt = :changed"
            values[":changed"] = _s(changed_at)
        # Until the alarm is OK again, its last notification is what a later OK must follow
        # up (ALARM → INSUFFICIENT_DATA → OK still resolves the page).
        if notified and state != "OK":
            expression += ", notifiedAt = :now"
        elif state == "OK":
            expression += " REMOVE notifiedAt"
        self._call(
            "update_item",
            Key=self._key(f"alarm#{dedup_key}", "state"),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def claim_firing(
        self, dedup_key: str, *, alarm: str, rule: str, now: float, repeat_interval: float
    ) -> bool:
        """Atomically take the right to notify a firing alarm: False when it was notified less
        than ``repeat_interval`` ago (so concurrent re-notifications cannot both go out)."""
        response = self._call(
            "update_item",
            Key=self._key(f"alarm#{dedup_key}", "state"),
            UpdateExpression=(
                "SET #st = :alarm_state, notifiedAt = :now, alarm = :alarm, #r = :rule, "
                "updatedAt = :now, expiresAt = :exp"
            ),
            ConditionExpression=(
                "attribute_not_exists(notifiedAt) OR notifiedAt < :cutoff OR #st <> :alarm_state"
            ),
            ExpressionAttributeNames={"#st": "state", "#r": "rule"},
            ExpressionAttributeValues={
                ":alarm_state": _s("ALARM"),
                ":now": _n(now),
                ":cutoff": _n(now - repeat_interval),
                ":alarm": _s(alarm),
                ":rule": _s(rule),
                ":exp": _n(int(now + self._history)),
            },
        )
        return response is not None

    def save_slack_ref(self, dedup_key: str, unit: str, ref: SlackRef, now: float) -> None:
        """Keep where the alarm's Slack message is, so the recovery can update it."""
        self._call(
            "update_item",
            Key=self._key(f"alarm#{dedup_key}", "state"),
            UpdateExpression="SET slack = if_not_exists(slack, :empty), expiresAt = :exp",
            ExpressionAttributeValues={
                ":empty": {"M": {}},
                ":exp": _n(int(now + self._history)),
            },
        )
        self._call(
            "update_item",
            Key=self._key(f"alarm#{dedup_key}", "state"),
            UpdateExpression="SET slack.#u = :ref",
            ExpressionAttributeNames={"#u": unit},
            ExpressionAttributeValues={
                ":ref": {"M": {"channel": _s(ref.channel_id), "ts": _s(ref.ts)}}
            },
        )

    def set_firing(self, rule: str, dedup_key: str, firing: bool, alarm: str, now: float) -> None:
        key = self._key(f"firing#{rule}", dedup_key)
        if firing:
            item = {
                **key,
                "alarm": _s(alarm),
                "since": _n(now),
                "expiresAt": _n(int(now + self._history)),
            }
            self._call("put_item", Item=item)
        else:
            self._call("delete_item", Key=key)

    def firing(self, rule: str) -> list[str]:
        response = self._call(
            "query",
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": _s(f"firing#{rule}")},
            ConsistentRead=True,
        )
        return [item["sk"]["S"] for item in (response or {}).get("Items", [])]

    # ---- folding and history -------------------------------------------------------------

    def fold_ordinal(self, similar_key: str, window_start: int, now: float, ttl: float) -> int:
        """Count this alert in its fold window and return its 1-based place (atomic)."""
        response = self._call(
            "update_item",
            Key=self._key(f"fold#{similar_key}", f"window#{window_start}"),
            UpdateExpression="ADD #c :one SET expiresAt = :exp",
            ExpressionAttributeNames={"#c": "count"},
            ExpressionAttributeValues={":one": _n(1), ":exp": _n(int(now + ttl))},
            ReturnValues="UPDATED_NEW",
        )
        return int((response or {}).get("Attributes", {}).get("count", {}).get("N", "1"))

    def record_history(
        self, similar_key: str, timestamp: str, nid: str, record: dict[str, Any], now: float
    ) -> None:
        item = self._key(f"history#{similar_key}", f"{timestamp}#{nid}")
        item["record"] = _s(json.dumps(record, sort_keys=True, default=str))
        item["expiresAt"] = _n(int(now + self._history))
        self._call("put_item", Item=item)

    def recent_similar(self, similar_key: str, since: str) -> int:
        response = self._call(
            "query",
            KeyConditionExpression="pk = :pk AND sk >= :since",
            ExpressionAttributeValues={":pk": _s(f"history#{similar_key}"), ":since": _s(since)},
            Select="COUNT",
        )
        return int((response or {}).get("Count", 0))

    # ---- Slack pacing and request replay -------------------------------------------------

    def reserve_slot(self, channel: str, now: float, spacing: float) -> float:
        """Reserve the next free send slot for a Slack channel (shared by all containers).

        Optimistic concurrency: read ``nextAt``, write ``max(now, nextAt) + spacing`` on the
        condition that nobody moved it meanwhile. Returns the reserved epoch time.
        """
        key = self._key(f"pace#slack#{channel}", "slot")
        for _ in range(30):  # each conflict means another sender got a slot: progress is made
            item = self._get(f"pace#slack#{channel}", "slot")
            current = float(item["nextAt"]) if item else None
            slot = max(now, current or 0.0)
            values = {":next": _n(float(slot + spacing)), ":exp": _n(int(now + DAY))}
            if current is None:
                condition = "attribute_not_exists(pk)"
            else:
                condition = "nextAt = :old"
                values[":old"] = _n(float(current))
            response = self._call(
                "update_item",
                Key=key,
                UpdateExpression="SET nextAt = :next, expiresAt = :exp",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
            if response is not None:
                return slot
        raise StateUnavailable("slot reservation kept conflicting")

    def use_signature(self, signature: str, now: float) -> bool:
        """Record a Slack request signature; False if it was already used (a replay)."""
        item = self._key("slack-signature", signature)
        item["usedAt"] = _n(now)
        item["expiresAt"] = _n(int(now + 600))
        response = self._call("put_item", Item=item, ConditionExpression="attribute_not_exists(pk)")
        return response is not None

    def heartbeat(self, now: float) -> None:
        item = self._key("selfcheck", "heartbeat")
        item["at"] = _n(now)
        item["expiresAt"] = _n(int(now + DAY))
        self._call("put_item", Item=item)


def make_state_table(
    table_name: str, history_days: int = 30, client_factory: Callable[[], Any] | None = None
) -> StateTable:
    """A ``StateTable`` over a boto3 client with short timeouts (the table must not hold a page
    back: when it is slow, we fail open)."""
    if client_factory is None:
        import boto3  # deferred: keeps the handler's cold import light
        from botocore.config import Config

        client = boto3.client(
            "dynamodb",
            config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 2}),
        )
    else:
        client = client_factory()
    return StateTable(client, table_name, history_days)
