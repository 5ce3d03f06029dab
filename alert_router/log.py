"""Structured log lines (JSON on stdout, which Lambda ships to CloudWatch Logs)."""

from __future__ import annotations

import json
import sys


def log(event: str, **fields: object) -> None:
    """One JSON line; callers never pass secrets."""
    print(
        json.dumps({"event": event, **fields}, default=str, ensure_ascii=False)[:20000],
        file=sys.stdout,
    )
