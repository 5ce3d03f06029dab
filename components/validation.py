"""Readers that check one configuration value each and report problems by their full key.

Every reader takes the key path it is reading (for messages) and the raw value, records a
problem in the shared `Problems` list when the value is wrong, and returns a usable value
anyway (the default or a neutral one) so that one pass reports every mistake at once.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

MISSING: Any = object()


class ConfigError(Exception):
    """The stack configuration is invalid; `problems` has one line per mistake."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Problems:
    """Collects validation messages while the whole configuration is read."""

    messages: list[str] = field(default_factory=list)

    def add(self, key: str, expected: str, value: Any = MISSING) -> None:
        if value is MISSING:
            self.messages.append(f"{key}: required, expected {expected}")
        else:
            self.messages.append(f"{key}: expected {expected}, got {describe(value)}")

    def raise_if_any(self) -> None:
        if self.messages:
            raise ConfigError(self.messages)


def describe(value: Any) -> str:
    """A short, unambiguous rendering of a bad value for an error message."""
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def number(
    problems: Problems,
    key: str,
    value: Any,
    *,
    default: float | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
) -> float:
    """A number (JSON number or numeric string, as Pulumi passes top-level scalars)."""
    kind = "a whole number" if integer else "a number"
    if minimum is not None and maximum is not None:
        expected = f"{kind} between {_fmt(minimum)} and {_fmt(maximum)}"
    elif minimum is not None:
        expected = f"{kind} of at least {_fmt(minimum)}"
    else:
        expected = kind
    if value is MISSING:
        if default is None:
            problems.add(key, expected)
            return 0
        return default
    parsed: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = float(value)
        except ValueError:
            parsed = None
    if (
        parsed is None
        or not math.isfinite(parsed)
        or (integer and parsed != int(parsed))
        or (minimum is not None and parsed < minimum)
        or (maximum is not None and parsed > maximum)
    ):
        problems.add(key, expected, value)
        return default if default is not None else 0
    return int(parsed) if integer or (parsed == int(parsed) and isinstance(value, int)) else parsed


def whole(
    problems: Problems,
    key: str,
    value: Any,
    *,
    default: int | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """A whole number in range (counts, seconds, minutes)."""
    return int(
        number(
            problems, key, value, default=default, minimum=minimum, maximum=maximum, integer=True
        )
    )


def _fmt(n: float) -> str:
    return str(int(n)) if n == int(n) else str(n)


def boolean(problems: Problems, key: str, value: Any, *, default: bool | None = None) -> bool:
    if value is MISSING:
        if default is None:
            problems.add(key, "true or false")
            return False
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    problems.add(key, "true or false", value)
    return bool(default)


def string(
    problems: Problems,
    key: str,
    value: Any,
    *,
    default: str | None = None,
    pattern: str | None = None,
    expected: str | None = None,
    max_length: int | None = None,
    choices: tuple[str, ...] | None = None,
) -> str:
    if choices:
        expected = expected or "one of " + ", ".join(choices)
    expected = expected or "a non-empty string"
    if value is MISSING:
        if default is None:
            problems.add(key, expected)
            return ""
        return default
    if (
        not isinstance(value, str)
        or not value
        or (pattern is not None and not re.fullmatch(pattern, value))
        or (max_length is not None and len(value) > max_length)
        or (choices is not None and value not in choices)
    ):
        problems.add(key, expected, value)
        return default or ""
    return value


def url(problems: Problems, key: str, value: Any, *, default: str | None = None) -> str:
    text = string(
        problems,
        key,
        value,
        default=default,
        pattern=r"https://[A-Za-z0-9.-]+(:\d+)?(/[^\s]*)?",
        expected="an https:// URL",
    )
    return text.rstrip("/")


def obj(problems: Problems, key: str, value: Any, *, required: bool = True) -> dict | None:
    """A JSON object (or its JSON text, as Pulumi passes structured values)."""
    if value is MISSING:
        if required:
            problems.add(key, "an object")
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            problems.add(key, "an object", value)
            return None
    if not isinstance(value, dict):
        problems.add(key, "an object", value)
        return None
    return value


def array(problems: Problems, key: str, value: Any, *, required: bool = True) -> list | None:
    if value is MISSING:
        if required:
            problems.add(key, "a list")
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            problems.add(key, "a list", value)
            return None
    if not isinstance(value, list):
        problems.add(key, "a list", value)
        return None
    return value


class Fields:
    """The keys of one configuration object: `fields(name)` gives a raw value (MISSING when
    absent, so readers apply their own defaults); `whole(...)` reads a whole number."""

    def __init__(self, problems: Problems, key: str, value: Mapping[str, Any]):
        self._problems = problems
        self._key = key
        self._value = value

    def __call__(self, name: str) -> Any:
        return self._value.get(name, MISSING)

    def whole(self, name: str, default: int | None, minimum: int, maximum: int) -> int:
        return whole(
            self._problems,
            f"{self._key}.{name}",
            self(name),
            default=default,
            minimum=minimum,
            maximum=maximum,
        )


def fields(
    problems: Problems, key: str, value: Mapping[str, Any], allowed: tuple[str, ...]
) -> Fields:
    """Checks that an object has only `allowed` keys and returns a reader for them."""
    for name in value:
        if name not in allowed:
            problems.messages.append(
                f"{key}.{name}: unknown key (expected one of: {', '.join(allowed)})"
            )
    return Fields(problems, key, value)


def each(
    problems: Problems,
    key: str,
    value: Any,
    read: Callable[[str, Any], T],
    *,
    required: bool = True,
) -> tuple[T, ...]:
    """Reads every element of a list with `read(element_key, element)`."""
    items = array(problems, key, value, required=required)
    return tuple(read(f"{key}[{i}]", item) for i, item in enumerate(items or []))


def string_list(
    problems: Problems,
    key: str,
    value: Any,
    *,
    pattern: str | None = None,
    expected: str | None = None,
    required: bool = True,
    non_empty: bool = False,
) -> tuple[str, ...]:
    items = each(
        problems,
        key,
        value,
        lambda k, v: string(problems, k, v, pattern=pattern, expected=expected),
        required=required,
    )
    if non_empty and not items and value is not MISSING:
        problems.add(key, "a non-empty list", value)
    return items
