"""The stack's settings: one typed, immutable model, validated once, up front.

`parse_settings` reads the raw configuration bag (`"harborlist-monitoring:key" -> value`, as
Pulumi hands it to programs: scalars as strings, objects as JSON text) and returns `Settings`
or raises `ConfigError` listing every problem by its full key. The Pulumi program and the
offline tools both go through `config_source` → `parse_settings`, so they cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from components import catalog
from components import validation as v
from components.validation import MISSING, ConfigError, Problems

__all__ = ["NAMESPACE", "ConfigError", "Secret", "Settings", "load_stack_settings"]

NAMESPACE = "harborlist-monitoring"

CHANNEL_KINDS = ("slack", "email", "sms")
CHANNEL_KEY = {kind: rf"{kind}-[a-z0-9][a-z0-9-]*" for kind in CHANNEL_KINDS}
SLACK_CHANNEL = r"#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{8,}"
EMAIL = r"[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
E164 = r"\+[1-9][0-9]{7,14}"
PAGERDUTY_ID = r"P[A-Z0-9]{6}"
ISO_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:\d\d)"
NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}"
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
TREAT_MISSING = ("breaching", "notBreaching", "ignore", "missing")

SECRET_KEYS = ("slackBotToken", "slackSigningSecret", "pagerdutyApiToken")
TOP_LEVEL_KEYS = (
    "team",
    "runbookBaseUrl",
    "watch",
    "thresholds",
    "alarms",
    "notifications",
    "pagerduty",
    "suppression",
    "silences",
    "router",
    "dashboards",
    *SECRET_KEYS,
)


class Secret:
    """A secret configuration value. Prints as `[secret]`; `.reveal()` gives the value.

    `available` is False offline, where stack files hold ciphertext that cannot be read here.
    """

    __slots__ = ("_value", "available", "key")

    def __init__(self, key: str, value: str, available: bool = True):
        self.key = key
        self._value = value
        self.available = available

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "[secret]"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and (self.key, self._value) == (other.key, other._value)

    def __hash__(self) -> int:
        return hash(self.key)


# --- The model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiSettings:
    name: str
    stage: str
    health_url: str


@dataclass(frozen=True)
class DynamoTable:
    name: str
    billing_mode: str  # PAY_PER_REQUEST | PROVISIONED


@dataclass(frozen=True)
class Ec2Target:
    """An Auto Scaling group or a single instance: alarms use the matching dimension."""

    name: str
    dimension: str  # AutoScalingGroupName | InstanceId


@dataclass(frozen=True)
class WatchedResources:
    api: ApiSettings
    lambda_functions: tuple[str, ...]
    dynamodb_tables: tuple[DynamoTable, ...]
    rds_instances: tuple[str, ...]
    ec2: tuple[Ec2Target, ...]


@dataclass(frozen=True)
class AlarmOverride:
    """Per-rule changes from `alarms.<rule>`; None keeps the catalog's value."""

    enabled: bool = True
    period: int | None = None
    evaluation_periods: int | None = None
    datapoints_to_alarm: int | None = None
    treat_missing_data: str | None = None
    severity: str | None = None
    channels: tuple[str, ...] | None = None


def effective_window(rule: catalog.AlarmRule, o: AlarmOverride) -> tuple[int, int, int]:
    """(period, evaluation periods, datapoints to alarm) of a rule after the stack's override."""
    evaluations = o.evaluation_periods or rule.evaluation_periods
    datapoints = o.datapoints_to_alarm or min(rule.datapoints_to_alarm, evaluations)
    return o.period or rule.period, evaluations, datapoints


@dataclass(frozen=True)
class Channel:
    key: str  # e.g. slack-ops
    kind: str  # slack | email | sms | pagerduty
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Notifications:
    email_sender: str
    channels: Mapping[str, Channel]
    severity_channels: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class ScheduleLayer:
    name: str
    start: str
    rotation_virtual_start: str
    rotation_turn_length_seconds: int
    users: tuple[str, ...]


@dataclass(frozen=True)
class EscalationRule:
    delay_minutes: int
    targets: tuple[tuple[str, str], ...]  # ("schedule", "primary") | ("user", "PABC123")


@dataclass(frozen=True)
class PagerDutyService:
    key: str
    name: str
    description: str


@dataclass(frozen=True)
class MaintenanceWindow:
    start: str
    end: str
    description: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class PagerDutySettings:
    enabled: bool
    team_name: str = ""
    time_zone: str = "UTC"
    schedule_layers: tuple[ScheduleLayer, ...] = ()
    escalation_rules: tuple[EscalationRule, ...] = ()
    escalation_loops: int = 0
    services: tuple[PagerDutyService, ...] = ()
    acknowledgement_timeout_seconds: int = 1800
    auto_resolve_timeout_seconds: int = 14400
    alert_grouping_minutes: int = 5
    maintenance_windows: tuple[MaintenanceWindow, ...] = ()


@dataclass(frozen=True)
class SuppressionSettings:
    fold_threshold: int = 3
    fold_window_minutes: int = 15
    repeat_interval_minutes: int = 240
    similar_window_minutes: int = 30
    history_days: int = 30


@dataclass(frozen=True)
class Silence:
    rule: str | None
    alarm: str | None
    resource: str | None
    expires_at: str
    comment: str
    created_by: str


@dataclass(frozen=True)
class RouterSettings:
    # 256 MB: the router holds one batch of small JSON documents; more memory only buys CPU,
    # which matters for TLS handshakes to PagerDuty/Slack, hence not the 128 MB minimum.
    memory_mb: int = 256
    # 30 s: retries with backoff are bounded at ~20 s per channel; the health snapshot ~2 s.
    timeout_seconds: int = 30
    reserved_concurrency: int = 10
    log_retention_days: int = 30
    max_retry_attempts: int = 2
    max_event_age_seconds: int = 3600
    oncall_email: tuple[str, ...] = ()


@dataclass(frozen=True)
class DashboardSettings:
    executive: bool = True
    operations: bool = True


@dataclass(frozen=True)
class Settings:
    stack: str
    region: str
    team: str
    runbook_base_url: str
    watch: WatchedResources
    thresholds: Mapping[str, float]  # "ec2.cpuPercent" -> 80
    alarms: Mapping[str, AlarmOverride]
    notifications: Notifications
    pagerduty: PagerDutySettings
    suppression: SuppressionSettings
    silences: tuple[Silence, ...]
    router: RouterSettings
    dashboards: DashboardSettings
    slack_bot_token: Secret
    slack_signing_secret: Secret
    pagerduty_api_token: Secret | None

    @property
    def prefix(self) -> str:
        """Every physical name starts with this: `harborlist-<stack>`."""
        return f"harborlist-{self.stack}"

    def override(self, rule: str) -> AlarmOverride:
        return self.alarms.get(rule, AlarmOverride())

    def secrets_available(self) -> bool:
        secrets = [self.slack_bot_token, self.slack_signing_secret, self.pagerduty_api_token]
        return all(s.available for s in secrets if s is not None)


# --- Parsing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawConfig:
    """The configuration bag as Pulumi passes it to a program."""

    stack: str
    values: Mapping[str, str]  # "namespace:key" -> scalar text or JSON text
    secret_keys: frozenset[str]
    offline: bool = False  # secret values are unreadable ciphertext


def parse_settings(raw: RawConfig) -> Settings:
    """Validates the whole configuration and returns the settings, or raises ConfigError."""
    p = Problems()
    ns = NAMESPACE + ":"
    ours = {k[len(ns) :]: val for k, val in raw.values.items() if k.startswith(ns)}
    for key in ours:
        if key not in TOP_LEVEL_KEYS:
            close = [k for k in TOP_LEVEL_KEYS if k.lower() == key.lower()]
            hint = f" (did you mean {ns}{close[0]}?)" if close else ""
            p.messages.append(f"{ns}{key}: unknown key{hint}")
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,19}", raw.stack):
        p.add("stack name", "lower-case letters, digits and '-' (at most 20)", raw.stack)

    def get(key: str) -> Any:
        return ours.get(key, MISSING)

    region = v.string(
        p,
        "aws:region",
        raw.values.get("aws:region", MISSING),
        pattern=r"[a-z]{2}(-gov)?-[a-z]+-\d",
        expected="an AWS region code such as us-east-1",
    )
    team = v.string(p, ns + "team", get("team"), pattern=NAME, expected="a team name")
    runbook = v.url(p, ns + "runbookBaseUrl", get("runbookBaseUrl"))
    watch = _watch(p, ns + "watch", get("watch"))
    thresholds = _thresholds(p, ns + "thresholds", get("thresholds"))
    notifications = _notifications(p, ns + "notifications", get("notifications"))
    pagerduty = _pagerduty(p, ns + "pagerduty", get("pagerduty"))
    alarms = _alarm_overrides(p, ns + "alarms", get("alarms"))
    _check_channel_references(p, ns, notifications, alarms, pagerduty)
    router = _router(p, ns + "router", get("router"))
    if not pagerduty.enabled and not router.oncall_email:
        p.add(
            ns + "router.oncallEmail",
            "at least one address while PagerDuty is off (the router's own alarms must reach "
            "someone without going through the router)",
            [],
        )
    settings = Settings(
        stack=raw.stack,
        region=region,
        team=team,
        runbook_base_url=runbook,
        watch=watch,
        thresholds=thresholds,
        alarms=alarms,
        notifications=notifications,
        pagerduty=pagerduty,
        suppression=_suppression(p, ns + "suppression", get("suppression")),
        silences=_silences(p, ns + "silences", get("silences")),
        router=router,
        dashboards=_dashboards(p, ns + "dashboards", get("dashboards")),
        slack_bot_token=_secret(p, raw, "slackBotToken", required=True),
        slack_signing_secret=_secret(p, raw, "slackSigningSecret", required=True),
        pagerduty_api_token=_secret(p, raw, "pagerdutyApiToken", required=pagerduty.enabled),
    )
    p.raise_if_any()
    return settings


def load_stack_settings(stack: str, root: Path | None = None) -> Settings:
    """Settings for `Pulumi.<stack>.yaml` on disk (offline: secrets become stand-ins)."""
    from components.config_source import read_stack_file

    return parse_settings(read_stack_file(stack, root))


def _secret(p: Problems, raw: RawConfig, name: str, *, required: bool) -> Secret | None:
    key = f"{NAMESPACE}:{name}"
    if key not in raw.values:
        if required and not raw.offline:
            p.messages.append(
                f"{key}: required, expected a secret (pulumi config set --secret {key} ...)"
            )
        # Offline tools never need the value: a stand-in value keeps the graph complete.
        return Secret(key, f"offline-stand-in-{name}", available=False) if required else None
    if key not in raw.secret_keys:
        p.messages.append(
            f"{key}: expected a secret value (set it with `pulumi config set --secret {key}`),"
            " got plain text"
        )
    value = raw.values[key]
    if raw.offline:
        return Secret(key, f"offline-stand-in-{name}", available=False)
    if not isinstance(value, str) or not value:
        p.add(key, "a non-empty secret string", "[secret]")
    return Secret(key, str(value))


def _watch(p: Problems, key: str, value: Any) -> WatchedResources:
    data = v.obj(p, key, value) or {}
    f = v.fields(p, key, data, ("api", "lambdaFunctions", "dynamodbTables", "rdsInstances", "ec2"))
    api = v.obj(p, f"{key}.api", f("api")) or {}
    af = v.fields(p, f"{key}.api", api, ("name", "stage", "healthUrl"))
    api_settings = ApiSettings(
        name=v.string(p, f"{key}.api.name", af("name"), pattern=NAME, expected="an API name"),
        stage=v.string(
            p,
            f"{key}.api.stage",
            af("stage"),
            pattern=r"[A-Za-z0-9_]{1,128}",
            expected="a stage name (letters, digits, _)",
        ),
        health_url=v.url(p, f"{key}.api.healthUrl", af("healthUrl")),
    )

    def table(k: str, item: Any) -> DynamoTable:
        t = v.obj(p, k, item) or {}
        tf = v.fields(p, k, t, ("name", "billingMode"))
        return DynamoTable(
            name=v.string(
                p,
                f"{k}.name",
                tf("name"),
                pattern=r"[A-Za-z0-9_.-]{3,255}",
                expected="a DynamoDB table name",
            ),
            billing_mode=v.string(
                p, f"{k}.billingMode", tf("billingMode"), choices=("PAY_PER_REQUEST", "PROVISIONED")
            ),
        )

    ec2 = v.obj(p, f"{key}.ec2", f("ec2"), required=False) or {}
    ef = v.fields(p, f"{key}.ec2", ec2, ("autoScalingGroups", "instanceIds"))
    groups = v.string_list(
        p,
        f"{key}.ec2.autoScalingGroups",
        ef("autoScalingGroups"),
        pattern=r"[A-Za-z0-9_.:/ -]{1,255}",
        required=False,
        expected="an Auto Scaling group name",
    )
    instances = v.string_list(
        p,
        f"{key}.ec2.instanceIds",
        ef("instanceIds"),
        pattern=r"i-[0-9a-f]{8}([0-9a-f]{9})?",
        required=False,
        expected="an EC2 instance id such as i-0123456789abcdef0",
    )
    watched = WatchedResources(
        api=api_settings,
        lambda_functions=v.string_list(
            p,
            f"{key}.lambdaFunctions",
            f("lambdaFunctions"),
            pattern=r"[A-Za-z0-9_-]{1,64}",
            expected="a Lambda function name",
            required=False,
        ),
        dynamodb_tables=v.each(
            p, f"{key}.dynamodbTables", f("dynamodbTables"), table, required=False
        ),
        rds_instances=v.string_list(
            p,
            f"{key}.rdsInstances",
            f("rdsInstances"),
            pattern=r"[a-zA-Z][a-zA-Z0-9-]{0,62}",
            expected="an RDS instance identifier",
            required=False,
        ),
        ec2=tuple(Ec2Target(g, "AutoScalingGroupName") for g in groups)
        + tuple(Ec2Target(i, "InstanceId") for i in instances),
    )
    for label, names in (
        ("lambdaFunctions", watched.lambda_functions),
        ("dynamodbTables", [t.name for t in watched.dynamodb_tables]),
        ("rdsInstances", watched.rds_instances),
        ("ec2", [e.name for e in watched.ec2]),
    ):
        dupes = sorted({n for n in names if list(names).count(n) > 1})
        if dupes:
            p.add(f"{key}.{label}", "each resource once", dupes)
    return watched


def _thresholds(p: Problems, key: str, value: Any) -> Mapping[str, float]:
    data = v.obj(p, key, value, required=False) or {}
    services = tuple(dict.fromkeys(t.service for t in catalog.THRESHOLDS))
    f = v.fields(p, key, data, services)
    result: dict[str, float] = {}
    for service in services:
        known = tuple(t.key for t in catalog.THRESHOLDS if t.service == service)
        section = v.obj(p, f"{key}.{service}", f(service), required=False) or {}
        sf = v.fields(p, f"{key}.{service}", section, known)
        for t in catalog.THRESHOLDS:
            if t.service == service:
                result[t.path] = v.number(
                    p,
                    f"{key}.{t.path}",
                    sf(t.key),
                    default=t.default,
                    minimum=t.minimum,
                    maximum=t.maximum,
                )
    return MappingProxyType(result)


def _alarm_overrides(p: Problems, key: str, value: Any) -> Mapping[str, AlarmOverride]:
    data = v.obj(p, key, value, required=False) or {}
    result = {}
    for rule, raw in data.items():
        k = f"{key}.{rule}"
        if rule not in catalog.ALL_RULE_IDS:
            p.messages.append(
                f"{k}: unknown alarm rule (expected one of: {', '.join(catalog.ALL_RULE_IDS)})"
            )
            continue
        o = v.obj(p, k, raw) or {}
        note = catalog.NOTIFICATION_RULES.get(rule)
        if note is not None and note is not catalog.SYSTEM_DOWN:
            # Platform alerts have no CloudWatch alarm: only their routing can change.
            fixed = not (note.severity and note.severity_configurable)
            allowed: tuple[str, ...] = ("channels",) if fixed else ("severity", "channels")
            why = (
                ""
                if not fixed
                else "; its severity comes from its content"
                if note.severity is None
                else f"; it is always {note.severity}"
            )
            for name in o:
                if name not in allowed:
                    p.messages.append(
                        f"{k}.{name}: not configurable for this rule (a platform alert, not a "
                        f"CloudWatch alarm{why}); expected only: {', '.join(allowed)}"
                    )
            o = {name: value for name, value in o.items() if name in allowed}
        f = v.fields(
            p,
            k,
            o,
            (
                "enabled",
                "periodSeconds",
                "evaluationPeriods",
                "datapointsToAlarm",
                "treatMissingData",
                "severity",
                "channels",
            ),
        )

        def opt_int(name: str, minimum: int, maximum: int, k: str = k, f: Any = f) -> int | None:
            raw_value = f(name)
            if raw_value is MISSING:
                return None
            return v.whole(p, f"{k}.{name}", raw_value, minimum=minimum, maximum=maximum)

        period = opt_int("periodSeconds", 10, 86_400)
        if period is not None and period not in (10, 20, 30) and period % 60:
            p.add(f"{k}.periodSeconds", "10, 20, 30 or a multiple of 60", period)
        override = AlarmOverride(
            enabled=v.boolean(p, f"{k}.enabled", f("enabled"), default=True),
            period=period,
            evaluation_periods=opt_int("evaluationPeriods", 1, 100),
            datapoints_to_alarm=opt_int("datapointsToAlarm", 1, 100),
            treat_missing_data=None
            if f("treatMissingData") is MISSING
            else v.string(p, f"{k}.treatMissingData", f("treatMissingData"), choices=TREAT_MISSING),
            severity=None
            if f("severity") is MISSING
            else v.string(p, f"{k}.severity", f("severity"), choices=catalog.SEVERITIES),
            channels=None
            if f("channels") is MISSING
            else v.string_list(p, f"{k}.channels", f("channels"), non_empty=True),
        )
        if rule in catalog.RULES_BY_ID:
            _check_window(p, k, catalog.RULES_BY_ID[rule], override)
        result[rule] = override
    return MappingProxyType(result)


def _check_window(p: Problems, key: str, rule: catalog.AlarmRule, o: AlarmOverride) -> None:
    """CloudWatch's own limits on the effective window (PutMetricAlarm)."""
    period, evaluations, datapoints = effective_window(rule, o)
    if datapoints > evaluations:
        p.add(f"{key}.datapointsToAlarm", f"at most evaluationPeriods ({evaluations})", datapoints)
    limit = 86_400 if period < 3600 else 604_800
    if period * evaluations > limit:
        p.add(
            f"{key}.evaluationPeriods",
            f"periodSeconds × evaluationPeriods ≤ {limit} s (period {period} s)",
            evaluations,
        )


def _notifications(p: Problems, key: str, value: Any) -> Notifications:
    data = v.obj(p, key, value) or {}
    f = v.fields(p, key, data, ("emailSender", "slack", "email", "sms", "severityChannels"))
    channels: dict[str, Channel] = {"pagerduty": Channel("pagerduty", "pagerduty", ())}
    target_rules = {
        "slack": (SLACK_CHANNEL, "a Slack channel (#name or channel id)"),
        "email": (EMAIL, "an e-mail address"),
        "sms": (E164, "a phone number in E.164 form such as +15555550100"),
    }
    for kind, (pattern, expected) in target_rules.items():
        section = v.obj(p, f"{key}.{kind}", f(kind), required=kind == "slack") or {}
        for name, targets in section.items():
            k = f"{key}.{kind}.{name}"
            if not re.fullmatch(CHANNEL_KEY[kind], name):
                p.add(k, f"a channel key starting with '{kind}-'", name)
                continue
            if kind == "slack":
                values = (v.string(p, k, targets, pattern=pattern, expected=expected),)
            else:
                # An empty list switches the channel off for this stack, explicitly.
                values = v.string_list(p, k, targets, pattern=pattern, expected=expected)
            channels[name] = Channel(name, kind, values)
    sc = v.obj(p, f"{key}.severityChannels", f("severityChannels")) or {}
    scf = v.fields(p, f"{key}.severityChannels", sc, catalog.SEVERITIES)
    severity_channels = {
        sev: v.string_list(p, f"{key}.severityChannels.{sev}", scf(sev), non_empty=True)
        for sev in catalog.SEVERITIES
    }
    return Notifications(
        email_sender=v.string(
            p, f"{key}.emailSender", f("emailSender"), pattern=EMAIL, expected="an e-mail address"
        ),
        channels=MappingProxyType(channels),
        severity_channels=MappingProxyType(severity_channels),
    )


def _check_channel_references(
    p: Problems,
    ns: str,
    notifications: Notifications,
    alarms: Mapping[str, AlarmOverride],
    pagerduty: PagerDutySettings,
) -> None:
    """Every channel a route names must be defined: a typo must not lose alerts."""
    known = set(notifications.channels)
    expected = "one of the channels defined under notifications: " + ", ".join(sorted(known))
    refs = [
        (f"{ns}notifications.severityChannels.{sev}", chs)
        for sev, chs in notifications.severity_channels.items()
    ]
    refs += [
        (f"{ns}alarms.{rule}.channels", o.channels) for rule, o in alarms.items() if o.channels
    ]
    refs += [
        (f"{ns}alarms (catalog default for {r.rule})", r.channels)
        for r in catalog.RULES
        if r.channels and r.rule not in alarms
    ]
    for key, chs in refs:
        for ch in chs:
            if ch not in known:
                p.add(key, expected, ch)
    for sev, chs in notifications.severity_channels.items():
        reaches = [
            c
            for c in chs
            if c in known
            and (notifications.channels[c].targets or (c == "pagerduty" and pagerduty.enabled))
        ]
        if chs and not reaches and all(c in known for c in chs):
            p.add(
                f"{ns}notifications.severityChannels.{sev}",
                "at least one channel that reaches someone in this stack (a Slack channel, a "
                "non-empty e-mail or SMS list, or pagerduty while enabled)",
                list(chs),
            )
    if pagerduty.enabled:
        crit = notifications.severity_channels.get("CRITICAL", ())
        if "pagerduty" not in crit:
            p.add(
                f"{ns}notifications.severityChannels.CRITICAL",
                "a list including pagerduty while pagerduty.enabled is true",
                list(crit),
            )


def _pagerduty(p: Problems, key: str, value: Any) -> PagerDutySettings:
    data = v.obj(p, key, value) or {}
    f = v.fields(
        p,
        key,
        data,
        (
            "enabled",
            "teamName",
            "timeZone",
            "schedule",
            "escalation",
            "services",
            "acknowledgementTimeoutSeconds",
            "autoResolveTimeoutSeconds",
            "alertGroupingMinutes",
            "maintenanceWindows",
        ),
    )
    enabled = v.boolean(p, f"{key}.enabled", f("enabled"))
    if not enabled:
        return PagerDutySettings(enabled=False)

    def layer(k: str, item: Any) -> ScheduleLayer:
        o = v.obj(p, k, item) or {}
        lf = v.fields(
            p, k, o, ("name", "start", "rotationVirtualStart", "rotationTurnLengthSeconds", "users")
        )
        start = v.string(
            p,
            f"{k}.start",
            lf("start"),
            pattern=ISO_TIME,
            expected="an ISO 8601 time such as 2026-12-07T09:00:00-05:00",
        )
        return ScheduleLayer(
            name=v.string(p, f"{k}.name", lf("name")),
            start=start,
            rotation_virtual_start=v.string(
                p,
                f"{k}.rotationVirtualStart",
                lf("rotationVirtualStart"),
                default=start or "x",
                pattern=ISO_TIME,
                expected="an ISO 8601 time",
            ),
            rotation_turn_length_seconds=v.whole(
                p,
                f"{k}.rotationTurnLengthSeconds",
                lf("rotationTurnLengthSeconds"),
                default=604800,
                minimum=3600,
                maximum=365 * 86400,
            ),
            users=v.string_list(
                p,
                f"{k}.users",
                lf("users"),
                pattern=PAGERDUTY_ID,
                expected="a PagerDuty user id such as PABC123",
                non_empty=True,
            ),
        )

    schedule = v.obj(p, f"{key}.schedule", f("schedule")) or {}
    sf = v.fields(p, f"{key}.schedule", schedule, ("layers",))
    layers = v.each(p, f"{key}.schedule.layers", sf("layers"), layer)
    if not layers and sf("layers") is not MISSING:
        p.add(f"{key}.schedule.layers", "at least one layer", [])

    def esc_rule(k: str, item: Any) -> EscalationRule:
        o = v.obj(p, k, item) or {}
        ef = v.fields(p, k, o, ("delayMinutes", "targets"))
        targets = []
        for i, t in enumerate(v.array(p, f"{k}.targets", ef("targets")) or []):
            tk = f"{k}.targets[{i}]"
            if t == "schedule":
                targets.append(("schedule", "primary"))
            elif isinstance(t, str) and re.fullmatch(PAGERDUTY_ID, t):
                targets.append(("user", t))
            else:
                p.add(tk, '"schedule" or a PagerDuty user id such as PABC123', t)
        if not targets:
            p.add(f"{k}.targets", "at least one target", o.get("targets", []))
        return EscalationRule(
            delay_minutes=v.whole(
                p, f"{k}.delayMinutes", ef("delayMinutes"), minimum=1, maximum=1440
            ),
            targets=tuple(targets),
        )

    escalation = v.obj(p, f"{key}.escalation", f("escalation")) or {}
    esf = v.fields(p, f"{key}.escalation", escalation, ("loops", "rules"))

    def service(name: str, item: Any) -> PagerDutyService:
        k = f"{key}.services.{name}"
        o = v.obj(p, k, item) or {}
        of = v.fields(p, k, o, ("name", "description"))
        return PagerDutyService(
            key=name,
            name=v.string(p, f"{k}.name", of("name"), max_length=255),
            description=v.string(p, f"{k}.description", of("description"), default="-"),
        )

    services_raw = v.obj(p, f"{key}.services", f("services")) or {}
    needed = sorted({r.pagerduty_service for r in catalog.RULES})
    for name in needed:
        if name not in services_raw:
            p.add(
                f"{key}.services.{name}",
                "an object with name and description "
                f"(the catalog routes alarms to the services {', '.join(needed)})",
            )
    for name in services_raw:
        if name not in needed:
            p.messages.append(
                f"{key}.services.{name}: unknown service (expected one of: {', '.join(needed)})"
            )
    services = tuple(service(n, services_raw[n]) for n in needed if n in services_raw)

    def window(k: str, item: Any) -> MaintenanceWindow:
        o = v.obj(p, k, item) or {}
        wf = v.fields(p, k, o, ("start", "end", "description", "services"))
        svcs = v.string_list(p, f"{k}.services", wf("services"), non_empty=True)
        for s in svcs:
            if s not in needed:
                p.add(f"{k}.services", f"service keys among {', '.join(needed)}", s)
        start = v.string(
            p, f"{k}.start", wf("start"), pattern=ISO_TIME, expected="an ISO 8601 time"
        )
        end = v.string(p, f"{k}.end", wf("end"), pattern=ISO_TIME, expected="an ISO 8601 time")
        return MaintenanceWindow(
            start, end, v.string(p, f"{k}.description", wf("description")), svcs
        )

    return PagerDutySettings(
        enabled=True,
        team_name=v.string(p, f"{key}.teamName", f("teamName"), max_length=100),
        time_zone=v.string(
            p,
            f"{key}.timeZone",
            f("timeZone"),
            pattern=r"[A-Za-z_]+(/[A-Za-z_]+)*",
            expected="an IANA time zone such as America/New_York",
        ),
        schedule_layers=layers,
        escalation_rules=v.each(p, f"{key}.escalation.rules", esf("rules"), esc_rule),
        escalation_loops=esf.whole("loops", 2, 0, 9),
        services=services,
        acknowledgement_timeout_seconds=f.whole("acknowledgementTimeoutSeconds", 1800, 60, 86400),
        auto_resolve_timeout_seconds=f.whole("autoResolveTimeoutSeconds", 14400, 60, 604800),
        alert_grouping_minutes=f.whole("alertGroupingMinutes", 5, 1, 1440),
        maintenance_windows=v.each(
            p, f"{key}.maintenanceWindows", f("maintenanceWindows"), window, required=False
        ),
    )


def _suppression(p: Problems, key: str, value: Any) -> SuppressionSettings:
    data = v.obj(p, key, value, required=False) or {}
    f = v.fields(
        p,
        key,
        data,
        (
            "foldThreshold",
            "foldWindowMinutes",
            "repeatIntervalMinutes",
            "similarWindowMinutes",
            "historyDays",
        ),
    )
    d = SuppressionSettings()
    n = f.whole
    return SuppressionSettings(
        fold_threshold=n("foldThreshold", d.fold_threshold, 1, 1000),
        fold_window_minutes=n("foldWindowMinutes", d.fold_window_minutes, 1, 1440),
        repeat_interval_minutes=n("repeatIntervalMinutes", d.repeat_interval_minutes, 1, 10080),
        similar_window_minutes=n("similarWindowMinutes", d.similar_window_minutes, 1, 1440),
        history_days=n("historyDays", d.history_days, 1, 365),
    )


def _silences(p: Problems, key: str, value: Any) -> tuple[Silence, ...]:
    def silence(k: str, item: Any) -> Silence:
        o = v.obj(p, k, item) or {}
        f = v.fields(p, k, o, ("rule", "alarm", "resource", "expiresAt", "comment", "createdBy"))

        def opt(name: str) -> str | None:
            return None if f(name) is MISSING else v.string(p, f"{k}.{name}", f(name))

        s = Silence(
            rule=opt("rule"),
            alarm=opt("alarm"),
            resource=opt("resource"),
            expires_at=v.string(
                p,
                f"{k}.expiresAt",
                f("expiresAt"),
                pattern=ISO_TIME,
                expected="an ISO 8601 expiry time (silences must end)",
            ),
            comment=v.string(p, f"{k}.comment", f("comment")),
            created_by=v.string(p, f"{k}.createdBy", f("createdBy")),
        )
        if not (s.rule or s.alarm or s.resource):
            p.add(k, "at least one matcher of rule, alarm, resource", o)
        if s.rule and s.rule not in catalog.ALL_RULE_IDS:
            p.add(f"{k}.rule", "a catalog rule id", s.rule)
        return s

    return v.each(p, key, value, silence, required=False)


def _router(p: Problems, key: str, value: Any) -> RouterSettings:
    data = v.obj(p, key, value, required=False) or {}
    f = v.fields(
        p,
        key,
        data,
        (
            "memoryMb",
            "timeoutSeconds",
            "reservedConcurrency",
            "logRetentionDays",
            "maxRetryAttempts",
            "maxEventAgeSeconds",
            "oncallEmail",
        ),
    )
    d = RouterSettings()
    n = f.whole

    retention = n("logRetentionDays", d.log_retention_days, 1, 3653)
    if retention not in LOG_RETENTION_DAYS:
        p.add(
            f"{key}.logRetentionDays",
            "one of " + ", ".join(map(str, LOG_RETENTION_DAYS)),
            retention,
        )
    return RouterSettings(
        memory_mb=n("memoryMb", d.memory_mb, 128, 10240),
        timeout_seconds=n("timeoutSeconds", d.timeout_seconds, 5, 900),
        reserved_concurrency=n("reservedConcurrency", d.reserved_concurrency, 1, 1000),
        log_retention_days=retention,
        max_retry_attempts=n("maxRetryAttempts", d.max_retry_attempts, 0, 2),
        max_event_age_seconds=n("maxEventAgeSeconds", d.max_event_age_seconds, 60, 21600),
        oncall_email=v.string_list(
            p,
            f"{key}.oncallEmail",
            f("oncallEmail"),
            pattern=EMAIL,
            expected="an e-mail address",
            required=False,
        ),
    )


def _dashboards(p: Problems, key: str, value: Any) -> DashboardSettings:
    data = v.obj(p, key, value, required=False) or {}
    f = v.fields(p, key, data, ("executive", "operations"))
    return DashboardSettings(
        executive=v.boolean(p, f"{key}.executive", f("executive"), default=True),
        operations=v.boolean(p, f"{key}.operations", f("operations"), default=True),
    )
