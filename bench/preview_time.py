"""Wall time and peak memory of the offline preview per stack, in fresh interpreters.

.venv/bin/python bench/preview_time.py
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def run_once(stack: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "components.preview", "--stack", stack],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def main() -> None:
    for stack in ("dev", "prod"):
        results = [run_once(stack) for _ in range(RUNS)]
        times = [t for t, _ in results]
        print(
            f"preview --stack {stack:4s}  median {statistics.median(times):5.2f} s  "
            f"min {min(times):5.2f} s  max {max(times):5.2f} s  "
            f"peak RSS of any child so far {max(m for _, m in results):6.1f} MiB  ({RUNS} runs)"
        )


if __name__ == "__main__":
    main()
