"""CloudWatch Embedded Metric Format: one JSON log line per metric value, no API call."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TextIO

NAMESPACE = "HarborList/AlertRouter"
UNITS = {"EnrichmentMs": "Milliseconds"}


class Metrics:
    """Emits EMF lines to ``stream`` (stdout by default, which Lambda ships to CloudWatch Logs)."""

    def __init__(self, stack: str, clock_ms: Callable[[], int], stream: TextIO | None = None):
        self.stack = stack
        self._clock_ms = clock_ms
        self._stream = stream
        self.emitted: list[dict] = []  # kept for tests and the bench

    def emit(self, name: str, value: float = 1, **dimensions: str) -> dict:
        keys = ["Stack", *sorted(dimensions)]
        line = {
            "_aws": {
                "Timestamp": self._clock_ms(),
                "CloudWatchMetrics": [
                    {
                        "Namespace": NAMESPACE,
                        "Dimensions": [keys],
                        "Metrics": [{"Name": name, "Unit": UNITS.get(name, "Count")}],
                    }
                ],
            },
            "Stack": self.stack,
            **dimensions,
            name: value,
        }
        self.emitted.append(line)
        if len(self.emitted) > 10000:
            del self.emitted[:5000]
        print(json.dumps(line, separators=(",", ":")), file=self._stream or sys.stdout)
        return line
