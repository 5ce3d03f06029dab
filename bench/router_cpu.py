"""CPU time per alert for parse → normalize → enrich → route → render, no I/O.

Run: .venv/bin/python bench/router_cpu.py   (target: ≤ 0.2 ms per alert)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alert_router.config import load_routing_config  # noqa: E402
from alert_router.enrich import enrich  # noqa: E402
from alert_router.events import Envelope, split_event  # noqa: E402
from alert_router.normalize import normalize  # noqa: E402
from alert_router.plan import Endpoints, plan  # noqa: E402
from alert_router.routing import channel_keys, resolve_channels  # noqa: E402

EVENTS = ROOT / "tests" / "router" / "events"
ROUNDS = 300
REPEATS = 5


def pipeline(event, config, endpoints) -> int:
    requests = 0
    for item in split_event(event):
        if not isinstance(item, Envelope):
            continue
        enriched = enrich(normalize(item), config)
        channels, _ = resolve_channels(channel_keys(enriched.classification, config), config)
        requests += len(
            plan(enriched, channels, endpoints=endpoints, email_sender=config.email_sender)
        )
    return requests


def main() -> None:
    config = load_routing_config(ROOT / "tests" / "router" / "routing-prod.json")
    endpoints = Endpoints()
    events = {p.name: json.loads(p.read_text()) for p in sorted(EVENTS.glob("*.json"))}
    alerts_per_round = sum(
        sum(isinstance(i, Envelope) for i in split_event(e)) for e in events.values()
    )
    for event in events.values():  # warm up
        pipeline(event, config, endpoints)
    print(f"{'fixture':42} {'ms/alert (CPU)':>15}")
    for name, event in events.items():
        count = sum(isinstance(i, Envelope) for i in split_event(event))
        started = time.process_time()
        for _ in range(ROUNDS):
            pipeline(event, config, endpoints)
        per_alert = (time.process_time() - started) / (ROUNDS * max(count, 1)) * 1000
        print(f"{name:42} {per_alert:15.4f}")
    means = []
    for _ in range(REPEATS):  # best and median of several runs: this machine is shared
        started = time.process_time()
        for _ in range(ROUNDS):
            for event in events.values():
                pipeline(event, config, endpoints)
        means.append((time.process_time() - started) / (ROUNDS * alerts_per_round) * 1000)
    print(
        f"\nCPU time per alert over {ROUNDS * alerts_per_round} alerts, {REPEATS} runs: "
        f"best {min(means):.4f} ms, median {statistics.median(means):.4f} ms (target 0.2 ms)"
    )


if __name__ == "__main__":
    main()
