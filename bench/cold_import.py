"""Cold import time of the Lambda handler module, each in a fresh interpreter.

Run: .venv/bin/python bench/cold_import.py
Reports the handler module alone (what Lambda imports at init) and the handler plus the runtime
it builds on the first invocation (boto3 included).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7
SNIPPET = (
    "import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
)


def measure(module: str) -> list[float]:
    out = []
    for _ in range(RUNS):
        answer = subprocess.run(
            [sys.executable, "-c", SNIPPET.format(module=module)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        out.append(float(answer.stdout.strip()))
    return out


def main() -> None:
    for label, module in (
        ("alert_router.handler (module only)", "alert_router.handler"),
        (
            "handler + runtime + boto3 (first invocation)",
            "alert_router.handler, alert_router.runtime, alert_router.interactive, boto3",
        ),
        ("boto3 alone (reference)", "boto3"),
    ):
        times = measure(module)
        print(
            f"{label:48} median {statistics.median(times):7.1f} ms   "
            f"min {min(times):7.1f} ms   max {max(times):7.1f} ms   ({RUNS} fresh interpreters)"
        )


if __name__ == "__main__":
    main()
