"""Offline preview: what `pulumi up` would create for a stack, without cloud credentials.

    python -m components.preview --stack dev          # resource tree, counts, alarm table
    python -m components.preview --stack prod --json  # the shape of `pulumi preview --json`

Runs the real program (`__main__.py`) under Pulumi's mocks with `Pulumi.<stack>.yaml`.
Invalid configuration: exit status 2 and one line per problem, naming the key.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from components import catalog, naming
from components.alarm_specs import alarm_specs, clip, has_system_down
from components.config_source import read_stack_file
from components.cost import cost_table
from components.offline import Graph, RecordedResource, redact, run_program
from components.router_watchdog import watchdog_alarms
from components.settings import NAMESPACE, ConfigError, Settings, parse_settings

EXIT_INVALID_CONFIG = 2


def preview_json(graph: Graph) -> dict[str, Any]:
    """The document `pulumi preview --json` prints for a stack created from nothing."""
    stack_urn = _stack_urn(graph)
    ordered = tree_order(graph)
    steps = [
        {
            "op": "create",
            "urn": stack_urn,
            "newState": {
                "type": "pulumi:pulumi:Stack",
                "urn": stack_urn,
                "custom": False,
                "inputs": {},
            },
        }
    ]
    for r, _depth in ordered:
        steps.append(
            {
                "op": "create",
                "urn": r.urn,
                "newState": {
                    "type": r.type,
                    "urn": r.urn,
                    "parent": r.parent,
                    "custom": r.custom,
                    "inputs": redact(r.inputs),
                },
            }
        )
    return {
        "steps": steps,
        "changeSummary": {"create": len(steps)},
        "outputs": redact(graph.outputs),
    }


def tree_order(graph: Graph) -> list[tuple[RecordedResource, int]]:
    """Parents before children, siblings by type then name: stable across runs."""
    children: dict[str, list[RecordedResource]] = {}
    for r in graph.resources:
        children.setdefault(r.parent, []).append(r)
    ordered: list[tuple[RecordedResource, int]] = []

    def walk(parent: str, depth: int) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: (r.custom, r.type, r.name)):
            ordered.append((r, depth))
            walk(r.urn, depth + 1)

    walk(_stack_urn(graph), 1)
    return ordered


def _stack_urn(graph: Graph) -> str:
    return f"urn:pulumi:{graph.stack}::{NAMESPACE}::pulumi:pulumi:Stack::{NAMESPACE}-{graph.stack}"


def preview_text(graph: Graph, settings: Settings) -> str:
    """The human form: notes, the resource tree, counts per type, tables, outputs."""
    lines = [
        f"Stack {graph.stack} ({NAMESPACE}), region {settings.region}: offline preview "
        "under Pulumi mocks. Nothing was deployed; ids and ARNs are fabricated.",
        "",
    ]
    lines += [f"note: {n}" for n in notes(settings)]
    lines += ["", f"+ pulumi:pulumi:Stack {NAMESPACE}-{graph.stack}"]
    lines += [f"{'    ' * depth}+ {r.type} {r.name}" for r, depth in tree_order(graph)]
    counts = graph.type_counts()
    lines += ["", "Resources by type:"]
    lines += [f"  {n:4d}  {t}" for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines.append(f"  {len(graph.resources) + 1:4d}  to create (with the stack itself)")
    lines += ["", *alarm_table(settings)]
    lines += ["", *cost_table(graph)]
    lines += ["", "Outputs:"]
    for name, value in sorted(redact(graph.outputs).items()):
        lines.append(f"  {name}: {json.dumps(value, sort_keys=True)}")
    return "\n".join(lines)


def notes(settings: Settings) -> list[str]:
    """What a reader of the preview must know about this stack's configuration."""
    out = []
    missing = [
        s.key
        for s in (
            settings.slack_bot_token,
            settings.slack_signing_secret,
            settings.pagerduty_api_token,
        )
        if s is not None and not s.available
    ]
    if missing:
        out.append(
            "secrets are not readable offline (" + ", ".join(missing) + "): stand-in "
            "values stand in; `pulumi up` needs them set with `pulumi config set --secret`"
        )
    if not settings.pagerduty.enabled:
        critical = ", ".join(settings.notifications.severity_channels["CRITICAL"])
        out.append(
            f"PagerDuty is off for this stack: nobody is paged; CRITICAL alerts go to {critical}"
        )
    return out


def alarm_table(settings: Settings) -> list[str]:
    """Rule, resource, metric or expression, threshold, window, severity, topic."""
    specs = alarm_specs(settings)
    rows = [("RULE", "RESOURCE", "METRIC / EXPRESSION", "THRESHOLD", "WINDOW", "SEVERITY", "TOPIC")]
    for s in specs:
        op = COMPARISON_SYMBOLS[s.rule.comparison]
        unit = catalog.THRESHOLDS_BY_PATH[s.rule.threshold].unit
        value = _bytes(s.threshold) if unit == "bytes" else f"{s.threshold:g} {unit}"
        threshold = f"band {s.threshold:g} sd" if s.rule.anomaly else f"{op} {value}"
        topic = naming.topic_name(settings.prefix, f"alerts-{s.severity.lower()}")
        via = " (via -notify)" if s.suppressed_by_system_down else ""
        rows.append(
            (
                s.rule.rule,
                s.resource,
                clip(s.metric_label(), 64),
                threshold,
                s.window_text(),
                s.severity,
                topic + via,
            )
        )
    if has_system_down(settings, specs):
        sev = settings.override("system-down").severity or catalog.SYSTEM_DOWN.severity
        rows.append(
            (
                "system-down",
                settings.watch.api.name,
                "composite: health check OR (5XX rate AND latency)",
                "-",
                "-",
                sev,
                naming.topic_name(settings.prefix, f"alerts-{sev.lower()}"),
            )
        )
    health = naming.topic_name(settings.prefix, "router-health")
    for w in watchdog_alarms(settings.router.timeout_seconds):
        op = COMPARISON_SYMBOLS[w.comparison]
        rows.append(
            (
                w.rule,
                "alert-router",
                f"{w.namespace} {w.metric} {w.statistic}",
                f"{op} {w.threshold:g}",
                f"{w.evaluation_periods} × {w.period // 60} min",
                "CRITICAL",
                f"{health} (bypasses the router)",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [f"Alarms ({len(rows) - 1}):"]
    lines += [
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    return lines


def _bytes(n: float) -> str:
    for size, name in ((2**30, "GiB"), (2**20, "MiB")):
        if n >= size and n % size == 0:
            return f"{n / size:g} {name}"
    return f"{n / 1e9:g} GB" if n >= 1e9 else f"{n / 1e6:g} MB"


COMPARISON_SYMBOLS = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
    "LessThanLowerThreshold": "below",
    "GreaterThanUpperThreshold": "above",
    "LessThanLowerOrGreaterThanUpperThreshold": "outside",
}


def main(argv: Sequence[str] | None = None, root: Path | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m components.preview",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--json", action="store_true", help="print pulumi preview --json shape")
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=root,
        help="folder holding the Pulumi.<stack>.yaml files (default: this project)",
    )
    args = parser.parse_args(argv)
    try:
        raw = read_stack_file(args.stack, args.project_dir)
        settings = parse_settings(raw)
        graph = run_program(raw)
    except ConfigError as err:
        print(f"Pulumi.{args.stack}.yaml: invalid configuration:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    if args.json:
        print(json.dumps(preview_json(graph), indent=2, sort_keys=True))
    else:
        print(preview_text(graph, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
