"""Dry run of the alert router: where would this event go?

    python -m components.routes --stack prod --event tests/router/events/sns-expensive-scan.json

Builds the routing configuration from the stack's file exactly as the Pulumi program does
(``load_stack_settings`` → ``build_routing_config``), runs the router's pure pipeline on the
event (parse → normalize → enrich → route → render) with no network and no AWS, and prints
``{"alerts": [{"alert", "rule", "severity", "channels", "deliveries"}]}``. Secrets appear as
``[secret]``. Suppression is not applied: it depends on the state table, which a dry run never
reads; the output is what the router sends when nothing holds the alert back.
Exit status: 0 printed; 2 unreadable stack, file or event (the reason on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from alert_router.config import RoutingConfig, RoutingConfigError
from alert_router.enrich import enrich
from alert_router.events import Unreadable, split_event
from alert_router.normalize import normalize
from alert_router.pagerduty import DEFAULT_EVENTS_URL
from alert_router.plan import SECRET, Endpoints, plan
from alert_router.router import iso
from alert_router.routing import KIND_SLACK, channel_keys, resolve_channels
from alert_router.slack import DEFAULT_API_URL


class DryRunError(Exception):
    """Why the dry run cannot produce an answer (printed, exit status 2)."""


def routing_config(stack: str, root: Path | None = None) -> RoutingConfig:
    """The stack's routing configuration, built as the Pulumi program builds it."""
    from components.routing_config import build_routing_config
    from components.settings import ConfigError, load_stack_settings

    try:
        settings = load_stack_settings(stack, root)
    except ConfigError as exc:
        raise DryRunError(f"stack {stack!r} is not valid:\n{exc}") from None
    except (OSError, ValueError) as exc:
        raise DryRunError(f"cannot read stack {stack!r}: {exc}") from None
    try:
        return RoutingConfig.from_dict(build_routing_config(settings))
    except RoutingConfigError as exc:
        raise DryRunError(str(exc)) from None


def read_event(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DryRunError(f"cannot read {path}: {exc}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise DryRunError(f"{path} is not JSON: {exc}") from None


def dry_run(event: Any, config: RoutingConfig, endpoints: Endpoints, received: str) -> dict:
    """The router's answer for ``event`` without sending anything."""
    alerts, unreadable = [], []
    for item in split_event(event):
        if isinstance(item, Unreadable):
            unreadable.append(f"record {item.index}: {item.reason}")
            continue
        enriched = enrich(normalize(item, received), config)
        keys = channel_keys(enriched.classification, config)
        channels, missing = resolve_channels(keys, config)
        deliveries = []
        for delivery in plan(
            enriched, channels, endpoints=endpoints, email_sender=config.email_sender
        ):
            shown = delivery.to_dict()
            if delivery.channel == KIND_SLACK:
                shown["headers"] = {"Authorization": f"Bearer {SECRET}"}
            deliveries.append(shown)
        entry = {
            "alert": enriched.alert.to_dict(),
            "rule": enriched.rule,
            "severity": enriched.severity,
            "channels": list(keys),
            "deliveries": deliveries,
        }
        if missing:
            entry["unconfiguredChannels"] = list(missing)
        alerts.append(entry)
    if unreadable and not alerts:
        raise DryRunError("no readable notification in the event: " + "; ".join(unreadable))
    out: dict[str, Any] = {"alerts": alerts}
    if unreadable:
        out["unreadable"] = unreadable
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m components.routes",
        description="Show where the alert router would send an event.",
    )
    parser.add_argument("--stack", required=True, help="stack name (Pulumi.<stack>.yaml)")
    parser.add_argument("--event", required=True, type=Path, help="event JSON file")
    parser.add_argument("--root", type=Path, default=None, help="project root (default: here)")
    args = parser.parse_args(argv)
    try:
        config = routing_config(args.stack, args.root)
        event = read_event(args.event)
        endpoints = Endpoints(
            pagerduty_url=os.environ.get("PAGERDUTY_EVENTS_URL") or DEFAULT_EVENTS_URL,
            slack_api_url=(os.environ.get("SLACK_API_URL") or DEFAULT_API_URL).rstrip("/"),
        )
        result = dry_run(event, config, endpoints, iso(time.time()))
    except DryRunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 2 if "unreadable" in result else 0


if __name__ == "__main__":
    sys.exit(main())
