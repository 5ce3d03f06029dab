"""System-health snapshot for enrichment: the configured checks run in parallel under a hard
time budget, so enrichment never holds a page back by more than ~2 s."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, wait

from alert_router.config import HealthCheck


def _probe(url: str, timeout: float) -> str:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except Exception as exc:  # any failure to answer is a health fact, not an error
        return f"error ({type(exc).__name__})"
    elapsed = int((time.monotonic() - started) * 1000)
    return f"{'healthy' if status < 400 else 'degraded'} (HTTP {status}, {elapsed} ms)"


_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:  # created on first use: nothing happens at import time
        _pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="health")
    return _pool


def snapshot(checks: tuple[HealthCheck, ...], budget: float) -> tuple[tuple[str, str], ...]:
    """``(name, status)`` per check; a check still running when the budget ends is ``timeout``."""
    if not checks or budget <= 0:
        return ()
    futures = {check.name: _executor().submit(_probe, check.url, budget) for check in checks}
    wait(futures.values(), timeout=budget)
    return tuple(
        (name, future.result() if future.done() else "timeout") for name, future in futures.items()
    )
