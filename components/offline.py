"""Runs the real Pulumi program under Pulumi's mocks and records every resource it registers.

This is how anyone sees what a stack would create without cloud credentials, and how every
test inspects the resource graph. The mocks fabricate the ids, ARNs and URLs that AWS and
PagerDuty would assign (deterministically, from the resource's URN), so wiring between
resources shows real-looking values rather than blanks.
"""

from __future__ import annotations

import hashlib
import json
import runpy
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.config_source import PROJECT_ROOT, read_stack_file
from components.settings import NAMESPACE, RawConfig, parse_settings

ACCOUNT_ID = "123456789012"
SECRET_TEXT = "[secret]"


class SecretInput:
    """A secret value seen in a resource's inputs; prints as [secret]."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __repr__(self) -> str:
        return SECRET_TEXT


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    def input(self, *path: str | int) -> Any:
        """A nested input with secrets revealed (tests assert on real values)."""
        value: Any = reveal(self.inputs)
        for step in path:
            value = value[step]
        return value

    def json_input(self, name: str) -> Any:
        """An input that holds a JSON document (policies, dashboard bodies), parsed."""
        return json.loads(self.input(name))


@dataclass
class Graph:
    """Every resource one run of the program registered, in registration order."""

    stack: str
    resources: list[RecordedResource]
    outputs: dict[str, Any]

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def by_name(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def by_urn(self, urn: str) -> RecordedResource:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def children(self, parent: RecordedResource) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == parent.urn]

    def type_counts(self) -> Counter[str]:
        return Counter(r.type for r in self.resources)

    def output(self, name: str) -> Any:
        return reveal(self.outputs[name])


def reveal(value: Any) -> Any:
    if isinstance(value, SecretInput):
        return reveal(value.value)
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def redact(value: Any) -> Any:
    """The value as a preview shows it: every secret as `[secret]`."""
    if isinstance(value, SecretInput):
        return SECRET_TEXT
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _unwrap(value: Any) -> Any:
    """Turns the SDK's wire form of secrets and assets into plain data plus SecretInput."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SecretInput(_unwrap(value["value"]))
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        # The wire format carries every number as a double; show whole numbers as integers.
        return int(value)
    if isinstance(value, pulumi.asset.AssetArchive):
        return {"archive": {k: _describe_asset(a) for k, a in sorted(value.assets.items())}}
    if isinstance(value, pulumi.asset.Asset | pulumi.asset.Archive):
        return _describe_asset(value)
    return value


def _describe_asset(asset: Any) -> Any:
    if isinstance(asset, pulumi.StringAsset):
        return {"text": asset.text}
    if isinstance(asset, pulumi.FileAsset | pulumi.FileArchive):
        return {"path": str(asset.path)}
    if isinstance(asset, pulumi.AssetArchive):
        return {"archive": {k: _describe_asset(a) for k, a in sorted(asset.assets.items())}}
    return {"asset": type(asset).__name__}


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


class FabricatingMocks(pulumi_mocks.Mocks):
    """Answers resource registrations and invokes the way the providers would."""

    def __init__(self, region: str):
        self.region = region

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict]:
        state = dict(args.inputs)
        key = f"{args.typ}::{args.name}"
        name = _physical_name(args)
        rid = name
        module = args.typ.split(":")[1].split("/")[0] if ":" in args.typ else ""
        arn = _arn(args.typ, module, name, self.region, key)
        if arn:
            state.setdefault("arn", arn)
        if args.typ.startswith("pagerduty:"):
            rid = "P" + _digest(key, 6).upper()
        if args.typ == "pagerduty:index/serviceIntegration:ServiceIntegration":
            state["integrationKey"] = rpc.wrap_rpc_secret(_digest(key + "key", 32))
        elif args.typ == "aws:sqs/queue:Queue":
            state["url"] = f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT_ID}/{name}"
            rid = state["url"]
        elif args.typ == "aws:lambda/function:Function":
            state["invokeArn"] = (
                f"arn:aws:apigateway:{self.region}:lambda:path/2015-03-31/functions/{arn}/invocations"
            )
            state["qualifiedArn"] = f"{arn}:$LATEST"
            state.setdefault("name", name)
        elif args.typ == "aws:lambda/functionUrl:FunctionUrl":
            state["functionUrl"] = f"https://{_digest(key, 32)}.lambda-url.{self.region}.on.aws/"
        elif args.typ == "aws:route53/healthCheck:HealthCheck":
            rid = f"{_digest(key, 8)}-{_digest(key, 4)}-{_digest(key + '1', 4)}-{_digest(key, 12)}"
        elif args.typ == "aws:kms/key:Key":
            h = _digest(key, 32)
            rid = f"{h[:8]}-{h[8:12]}-4{h[12:15]}-a{h[15:18]}-{h[18:30]}"
            state["arn"] = f"arn:aws:kms:{self.region}:{ACCOUNT_ID}:key/{rid}"
            state["keyId"] = rid
        elif args.typ == "aws:sns/topicSubscription:TopicSubscription":
            rid = f"{state.get('topic', 'topic')}:{_digest(key, 36)}"
            state["arn"] = rid
        if args.typ.startswith("aws:") and "name" in state:
            state.setdefault("id", rid)
        return rid, state

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict, list]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline-preview",
                "userId": "AIDAOFFLINEPREVIEW",
                "id": ACCOUNT_ID,
            }, []
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}, []
        if args.token == "pagerduty:index/getVendor:getVendor":
            name = args.args.get("name", "")
            return {"id": "P" + _digest(name, 6).upper(), "name": name, "type": "vendor"}, []
        raise LookupError(f"the offline mocks do not answer the invoke {args.token}")


def _physical_name(args: pulumi_mocks.MockResourceArgs) -> str:
    for field_name in ("name", "dashboardName", "functionName", "emailIdentity", "bucket"):
        value = args.inputs.get(field_name)
        if isinstance(value, str) and value:
            return value
    return args.name


_ARN_SHAPES = {
    "aws:sns/topic:Topic": "arn:aws:sns:{region}:{account}:{name}",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": (
        "arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
    ),
    "aws:cloudwatch/dashboard:Dashboard": "arn:aws:cloudwatch::{account}:dashboard/{name}",
    "aws:cloudwatch/logGroup:LogGroup": "arn:aws:logs:{region}:{account}:log-group:{name}",
    "aws:cloudwatch/eventRule:EventRule": "arn:aws:events:{region}:{account}:rule/{name}",
    "aws:lambda/function:Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "aws:iam/role:Role": "arn:aws:iam::{account}:role/{name}",
    "aws:iam/policy:Policy": "arn:aws:iam::{account}:policy/{name}",
    "aws:dynamodb/table:Table": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "aws:sqs/queue:Queue": "arn:aws:sqs:{region}:{account}:{name}",
    "aws:secretsmanager/secret:Secret": (
        "arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix}"
    ),
    "aws:sesv2/emailIdentity:EmailIdentity": "arn:aws:ses:{region}:{account}:identity/{name}",
    "aws:route53/healthCheck:HealthCheck": "arn:aws:route53:::healthcheck/{suffix}",
}


def _arn(type_: str, module: str, name: str, region: str, key: str) -> str | None:
    shape = _ARN_SHAPES.get(type_)
    if shape is None:
        if not type_.startswith("aws:"):
            return None
        shape = "arn:aws:" + module + ":{region}:{account}:{name}"
    return shape.format(region=region, account=ACCOUNT_ID, name=name, suffix=_digest(key, 6))


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also keeping each registration's parent, inputs and outputs."""

    def __init__(self, mocks: pulumi_mocks.Mocks):
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        outputs = rpc.deserialize_properties(response.object) if response.object else {}
        self.recorded.append(
            RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=bool(request.custom),
                inputs=_unwrap(rpc.deserialize_properties(request.object)),
                outputs=_unwrap(outputs),
                id=response.id,
            )
        )
        return response


def run_program(raw: RawConfig, program: Path | None = None) -> Graph:
    """Runs `__main__.py` under the mocks with `raw` as the stack configuration.

    Raises ConfigError (before anything is registered) when the configuration is invalid.
    """
    settings = parse_settings(raw)
    values, secret_keys = _with_secret_stand_ins(raw, settings)
    pulumi_settings.reset_options()
    pulumi.runtime.set_all_config(values, secret_keys=sorted(secret_keys))
    mocks = FabricatingMocks(settings.region)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(
        mocks, project=NAMESPACE, stack=raw.stack, preview=True, monitor=monitor
    )
    path = program or PROJECT_ROOT / "__main__.py"
    root = pulumi_settings.get_root_resource()

    def run() -> None:
        runpy.run_path(str(path), run_name="__main__")

    _sync_await(run_pulumi_func(run))
    outputs: dict[str, Any] = {}
    if root is not None:
        # The stack's exports, serialised as the engine would receive them (secrets marked).
        wire = _sync_await(rpc.serialize_properties(root.outputs, {}))
        outputs = _unwrap(rpc.deserialize_properties(wire))
    return Graph(stack=raw.stack, resources=monitor.recorded, outputs=outputs)


def _with_secret_stand_ins(raw: RawConfig, settings) -> tuple[dict[str, str], set[str]]:
    """Offline, ciphertext cannot be read: the program gets secret-marked stand-ins."""
    values = dict(raw.values)
    secret_keys = set(raw.secret_keys)
    if raw.offline:
        for secret in (
            settings.slack_bot_token,
            settings.slack_signing_secret,
            settings.pagerduty_api_token,
        ):
            if secret is not None:
                values[secret.key] = secret.reveal()
                secret_keys.add(secret.key)
    return values, secret_keys


def run_stack(stack: str, root: Path | None = None) -> Graph:
    """The graph of `Pulumi.<stack>.yaml` as the real program would register it."""
    return run_program(read_stack_file(stack, root))


def iter_secrets(value: Any) -> Iterator[Any]:
    if isinstance(value, SecretInput):
        yield value.value
    elif isinstance(value, dict):
        for v in value.values():
            yield from iter_secrets(v)
    elif isinstance(value, list):
        for v in value:
            yield from iter_secrets(v)
