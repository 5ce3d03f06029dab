"""Deterministic physical names: `harborlist-<stack>-…`, within each AWS limit.

Names other resources or people refer to (alarms, topics, dashboards, the router) are set
explicitly, never left to Pulumi's random suffixes, so they are stable across `pulumi up`s
and predictable in runbooks and routing.
"""

from __future__ import annotations

import hashlib
import re

ALARM_NAME_MAX = 255
TOPIC_NAME_MAX = 256
DASHBOARD_NAME_MAX = 255
IAM_ROLE_NAME_MAX = 64
LAMBDA_NAME_MAX = 64


def alarm_name(prefix: str, rule: str, resource: str | None = None) -> str:
    """`harborlist-<stack>-<rule>-<resource>`, shortened with a hash suffix past 255 chars."""
    name = f"{prefix}-{rule}" + (f"-{resource}" if resource else "")
    return fit(name, ALARM_NAME_MAX)


def topic_name(prefix: str, purpose: str) -> str:
    return fit(f"{prefix}-{purpose}", TOPIC_NAME_MAX, allowed=r"[A-Za-z0-9_-]")


def dashboard_name(prefix: str, purpose: str) -> str:
    return fit(f"{prefix}-{purpose}", DASHBOARD_NAME_MAX, allowed=r"[A-Za-z0-9_-]")


def fit(name: str, limit: int, allowed: str | None = None) -> str:
    """Replaces characters outside `allowed` and trims long names with a stable hash."""
    if allowed:
        name = re.sub(f"(?!{allowed}).", "-", name)
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return name[: limit - 9] + "-" + digest
