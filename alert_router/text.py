"""Escaping and length limits for text that leaves the router (Slack, PagerDuty, SMS, e-mail)."""

from __future__ import annotations

import re

ELLIPSIS = "…"
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_SPACE = re.compile(r"\s+")
_DROP_CONTROL = {c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]}


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS if limit > 0 else ""


def escape_slack(text: str) -> str:
    """Slack's three control characters escaped, so ``<!channel>`` or ``<url|x>`` stay inert."""
    if "&" not in text and "<" not in text and ">" not in text:
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit_slack(text: str, limit: int) -> str:
    """``text`` escaped for Slack and at most ``limit`` characters, never cutting an entity."""
    if not text.isprintable():  # fast path: most alarm text has no control characters
        text = text.translate(_DROP_CONTROL)
    escaped = escape_slack(text)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    used = 0
    for char in text:
        piece = _ESCAPES.get(char, char)
        if used + len(piece) > limit - 1:
            break
        out.append(piece)
        used += len(piece)
    return "".join(out) + ELLIPSIS


def one_line(text: str) -> str:
    """Control characters dropped and whitespace runs collapsed to single spaces."""
    if text.isprintable() and "  " not in text:
        return text.strip()
    return _SPACE.sub(" ", text.translate(_DROP_CONTROL)).strip()
