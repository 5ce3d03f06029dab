"""Turn any notification (``events.Envelope``) into one ``Alert``. Pure: no clock, no I/O.

Every shape is accepted; whatever cannot be understood as an alarm or a platform alert becomes a
generic LOW alert carrying the raw text, so nothing is dropped.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

from alert_router.alert import (
    KIND_ANOMALY,
    KIND_COMPOSITE,
    KIND_EXPENSIVE_SCAN,
    KIND_GENERIC,
    KIND_LAMBDA_ERROR,
    KIND_METRIC,
    KIND_METRIC_MATH,
    SOURCE_EVENTBRIDGE,
    SOURCE_LAMBDA_ACTION,
    SOURCE_SNS,
    STATES,
    Alert,
    Metric,
)
from alert_router.events import Envelope

MAX_DEDUP_KEY = 255
_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_FAST_TIMESTAMP = re.compile(r"\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d{3}(\+0000|Z)")


def _hash(*parts: str, length: int = 32) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, default=str)


def normalize_timestamp(value: Any, fallback: str = "1970-01-01T00:00:00.000Z") -> str:
    """ISO 8601 UTC with milliseconds from AWS's variants (``+0000``, ``Z``, ``+00:00``)."""
    if not isinstance(value, str) or not value.strip():
        return fallback
    text = value.strip()
    # Fast path for CloudWatch's usual forms: 2019-02-12T15:45:24.006+0000 / ...24.006Z
    if _FAST_TIMESTAMP.fullmatch(text):
        return text[:23] + "Z"
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    text = _OFFSET.sub(r"\1:\2", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return fallback
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{parsed.microsecond // 1000:03d}Z"


def _arn_part(arn: str | None, index: int) -> str | None:
    if not arn:
        return None
    parts = arn.split(":")
    return parts[index] or None if len(parts) > 5 else None


def _topic_name(topic_arn: str | None) -> str | None:
    return topic_arn.rsplit(":", 1)[-1] if topic_arn else None


def alarm_dedup_key(arn: str) -> str:
    """One PagerDuty dedup key per alarm, whichever shape delivered it; at most 255 chars."""
    key = f"cloudwatch-alarm/{arn}"
    if len(key) <= MAX_DEDUP_KEY:
        return key
    return f"cloudwatch-alarm/{arn[:150]}#{_hash(arn, length=64)}"


def _state(value: Any) -> str:
    return value if isinstance(value, str) and value in STATES else "ALARM"


# ---- metrics -------------------------------------------------------------------------------


def _dimensions(value: Any) -> tuple[tuple[str, str], ...]:
    """Dimensions as sorted pairs, from SNS's list of {name, value} or EventBridge's object."""
    pairs: list[tuple[str, str]] = []
    if isinstance(value, dict):
        pairs = [(str(k), _text(v)) for k, v in value.items()]
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                name = item.get("name", item.get("Name"))
                val = item.get("value", item.get("Value"))
                if name is not None:
                    pairs.append((str(name), _text(val)))
    return tuple(sorted(pairs))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# Metric-math queries arrive with the same structure in both shapes, only the key spelling
# differs: PascalCase inside SNS messages, camelCase in EventBridge and Lambda-action events.
SNS_QUERY_KEYS = (
    "Id",
    "MetricStat",
    "Metric",
    "Namespace",
    "MetricName",
    "Dimensions",
    "Stat",
    "Period",
    "Expression",
    "Label",
    "ReturnData",
)
EVENT_QUERY_KEYS = (
    "id",
    "metricStat",
    "metric",
    "namespace",
    "name",
    "dimensions",
    "stat",
    "period",
    "expression",
    "label",
    "returnData",
)


def _metric_queries(items: object, keys: tuple[str, ...]) -> tuple[Metric, ...]:
    (
        id_,
        metric_stat,
        metric_key,
        namespace,
        name,
        dims,
        stat_key,
        period,
        expression,
        label,
        return_data,
    ) = keys
    metrics = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        stat = item.get(metric_stat) if isinstance(item.get(metric_stat), dict) else {}
        metric = stat.get(metric_key) if isinstance(stat.get(metric_key), dict) else {}
        metrics.append(
            Metric(
                id=item.get(id_),
                namespace=metric.get(namespace),
                name=metric.get(name),
                dimensions=_dimensions(metric.get(dims)),
                stat=stat.get(stat_key),
                period=_int(stat.get(period)),
                expression=item.get(expression),
                label=item.get(label),
                return_data=item.get(return_data),
            )
        )
    return tuple(metrics)


def _sns_metrics(trigger: dict) -> tuple[Metric, ...]:
    if isinstance(trigger.get("Metrics"), list):
        return _metric_queries(trigger["Metrics"], SNS_QUERY_KEYS)
    if trigger.get("MetricName"):
        return (
            Metric(
                namespace=trigger.get("Namespace"),
                name=trigger.get("MetricName"),
                dimensions=_dimensions(trigger.get("Dimensions")),
                stat=trigger.get("Statistic") or trigger.get("ExtendedStatistic"),
                period=_int(trigger.get("Period")),
            ),
        )
    return ()


def _is_anomaly(metrics: tuple[Metric, ...], *hints: Any) -> bool:
    if any(m.expression and "ANOMALY_DETECTION_BAND" in m.expression for m in metrics):
        return True
    return any(
        isinstance(h, str)
        and ("recentUpperThresholds" in h or "UpperThreshold" in h or "LowerThreshold" in h)
        for h in hints
    )


def _metric_kind(metrics: tuple[Metric, ...], *hints: Any) -> str:
    if _is_anomaly(metrics, *hints):
        return KIND_ANOMALY
    if len(metrics) > 1 or any(m.expression for m in metrics):
        return KIND_METRIC_MATH
    return KIND_METRIC


def _resource(metrics: tuple[Metric, ...]) -> str | None:
    for metric in metrics:
        for _, value in metric.dimensions:
            return value
    return None


# ---- alarm shapes --------------------------------------------------------------------------


def _alarm(source: str, **fields: Any) -> Alert:
    arn = fields["arn"]
    state = fields["state"]
    timestamp = fields["timestamp"]
    metrics = fields.get("metrics", ())
    return Alert(
        source=source,
        notification_id="alarm-" + _hash(arn, state, timestamp),
        dedup_key=alarm_dedup_key(arn),
        account=_arn_part(arn, 4),
        region=_arn_part(arn, 3),
        resource=_resource(metrics),
        **fields,
    )


def _from_sns_alarm(message: dict, envelope: Envelope, received: str) -> Alert:
    arn = message["AlarmArn"]
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        raise ValueError("AlarmArn is not an ARN")
    trigger = message.get("Trigger") if isinstance(message.get("Trigger"), dict) else None
    children = tuple(
        c["Arn"]
        for c in message.get("TriggeringChildren") or []
        if isinstance(c, dict) and isinstance(c.get("Arn"), str)
    )
    if trigger is None or message.get("AlarmRule"):
        kind, metrics = KIND_COMPOSITE, ()
    else:
        metrics = _sns_metrics(trigger)
        kind = _metric_kind(metrics, trigger.get("ComparisonOperator"))
    return _alarm(
        SOURCE_SNS,
        kind=kind,
        name=_text(message.get("AlarmName")) or arn.rsplit(":", 1)[-1],
        arn=arn,
        state=_state(message.get("NewStateValue")),
        previous_state=message.get("OldStateValue"),
        reason=_text(message.get("NewStateReason")),
        timestamp=normalize_timestamp(message.get("StateChangeTime"), received),
        description=_text(message.get("AlarmDescription")),
        metrics=metrics,
        topic=_topic_name(envelope.topic_arn),
        subject=envelope.subject,
        alarm_rule=message.get("AlarmRule") if isinstance(message.get("AlarmRule"), str) else None,
        triggering_children=children,
    )


def _from_alarm_data(source: str, arn: str, data: dict, received: str) -> Alert:
    """EventBridge ``detail`` and the Lambda action's ``alarmData`` share this shape."""
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        raise ValueError("alarm ARN is missing")
    state = data.get("state") if isinstance(data.get("state"), dict) else {}
    previous = data.get("previousState") if isinstance(data.get("previousState"), dict) else {}
    configuration = data.get("configuration") if isinstance(data.get("configuration"), dict) else {}
    reason_data = state.get("reasonData")
    children: tuple[str, ...] = ()
    if configuration.get("alarmRule"):
        kind, metrics = KIND_COMPOSITE, ()
        try:
            parsed = json.loads(reason_data) if isinstance(reason_data, str) else {}
            children = tuple(
                c["arn"]
                for c in parsed.get("triggeringAlarms", [])
                if isinstance(c, dict) and isinstance(c.get("arn"), str)
            )
        except (ValueError, AttributeError):
            children = ()
    else:
        metrics = _metric_queries(configuration.get("metrics"), EVENT_QUERY_KEYS)
        kind = _metric_kind(metrics, reason_data)
    return _alarm(
        source,
        kind=kind,
        name=_text(data.get("alarmName")) or arn.rsplit(":", 1)[-1],
        arn=arn,
        state=_state(state.get("value")),
        previous_state=previous.get("value"),
        reason=_text(state.get("reason")),
        timestamp=normalize_timestamp(state.get("timestamp"), received),
        description=_text(configuration.get("description")),
        metrics=metrics,
        alarm_rule=configuration.get("alarmRule") if kind == KIND_COMPOSITE else None,
        triggering_children=children,
    )


# ---- platform alerts -----------------------------------------------------------------------


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0


def expensive_scan_severity(duration_ms: float, items_scanned: float) -> str:
    """The seed's rule: > 5 s or > 10,000 items → HIGH; > 2 s or > 5,000 → MEDIUM; else LOW."""
    if duration_ms > 5000 or items_scanned > 10000:
        return "HIGH"
    if duration_ms > 2000 or items_scanned > 5000:
        return "MEDIUM"
    return "LOW"


def _details(obj: dict, keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((k, _text(obj[k])) for k in keys if k in obj and obj[k] is not None)


def _platform(source: str, payload: dict, envelope: Envelope, received: str) -> Alert | None:
    topic = _topic_name(envelope.topic_arn)
    region = _arn_part(envelope.topic_arn, 3)
    account = _arn_part(envelope.topic_arn, 4)
    nid = (
        ("sns-" + envelope.message_id)
        if envelope.message_id
        else "direct-" + _hash(envelope.raw_text)
    )
    if payload.get("alertType") == "EXPENSIVE_SCAN":
        details = payload.get("details") if isinstance(payload.get("details"), dict) else {}
        table = _text(details.get("tableName")) or "unknown-table"
        duration = _number(details.get("duration"))
        scanned = _number(details.get("itemsScanned"))
        return Alert(
            source=source,
            kind=KIND_EXPENSIVE_SCAN,
            notification_id=nid,
            dedup_key=f"harborlist/EXPENSIVE_SCAN/{table}"[:MAX_DEDUP_KEY],
            name=f"Expensive scan on {table}",
            state="ALARM",
            timestamp=normalize_timestamp(payload.get("timestamp"), received),
            account=account,
            region=region,
            reason=(f"Scan of {table} took {duration:.0f} ms and scanned {scanned:.0f} items"),
            topic=topic,
            subject=envelope.subject,
            severity_hint=expensive_scan_severity(duration, scanned),
            resource=table,
            details=_details(details, ("tableName", "duration", "itemsScanned", "itemsReturned")),
        )
    if isinstance(payload.get("functionName"), str) and (
        "errorType" in payload or "errorMessage" in payload
    ):
        function = payload["functionName"]
        error_type = _text(payload.get("errorType")) or "Error"
        return Alert(
            source=source,
            kind=KIND_LAMBDA_ERROR,
            notification_id=nid,
            dedup_key=f"harborlist/LAMBDA_ERROR/{function}/{error_type}"[:MAX_DEDUP_KEY],
            name=f"Lambda error in {function}",
            state="ALARM",
            timestamp=normalize_timestamp(payload.get("timestamp"), received),
            account=account,
            region=region,
            reason=f"{error_type}: {_text(payload.get('errorMessage'))}",
            description=_text(payload.get("stackTrace")),
            topic=topic,
            subject=envelope.subject,
            resource=function,
            details=_details(payload, ("functionName", "errorType", "errorMessage", "requestId")),
        )
    return None


def _generic(envelope: Envelope, received: str) -> Alert:
    topic = _topic_name(envelope.topic_arn)
    nid = (
        ("sns-" + envelope.message_id)
        if envelope.message_id
        else "direct-" + _hash(envelope.raw_text)
    )
    first_line = envelope.raw_text.strip().splitlines()[0] if envelope.raw_text.strip() else ""
    name = envelope.subject or first_line[:120] or "Unclassified alert"
    return Alert(
        source=envelope.source,
        kind=KIND_GENERIC,
        notification_id=nid,
        dedup_key=f"harborlist/GENERIC/{topic or 'direct'}/{_hash(name, length=16)}",
        name=name,
        state="ALARM",
        timestamp=normalize_timestamp(envelope.timestamp, received),
        account=_arn_part(envelope.topic_arn, 4),
        region=_arn_part(envelope.topic_arn, 3),
        reason=envelope.raw_text,
        topic=topic,
        subject=envelope.subject,
        severity_hint="LOW",
    )


def normalize(envelope: Envelope, received: str = "1970-01-01T00:00:00.000Z") -> Alert:
    """One ``Alert`` for one notification; ``received`` stands in for missing timestamps."""
    payload = envelope.payload
    received = normalize_timestamp(envelope.timestamp, received)
    if isinstance(payload, dict):
        try:
            if envelope.source == SOURCE_EVENTBRIDGE and isinstance(payload.get("detail"), dict):
                resources = payload.get("resources") or [None]
                return _from_alarm_data(
                    SOURCE_EVENTBRIDGE, resources[0], payload["detail"], received
                )
            if envelope.source == SOURCE_LAMBDA_ACTION and isinstance(
                payload.get("alarmData"), dict
            ):
                return _from_alarm_data(
                    SOURCE_LAMBDA_ACTION, payload.get("alarmArn"), payload["alarmData"], received
                )
            if "AlarmArn" in payload and "NewStateValue" in payload:
                return _from_sns_alarm(payload, envelope, received)
            platform = _platform(envelope.source, payload, envelope, received)
            if platform is not None:
                return platform
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            pass  # a half-formed alarm is still delivered, as a generic alert with its raw text
    return _generic(envelope, received)
