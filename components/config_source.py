"""Where the raw configuration comes from: the Pulumi runtime, or a stack file on disk.

Both produce the same `RawConfig` — values in the form Pulumi hands a program (scalars as text,
structured values as JSON text) — so one parser validates them and offline tools can never
disagree with `pulumi up`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from components.settings import RawConfig
from components.validation import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def stack_file(stack: str, root: Path | None = None) -> Path:
    return (root or PROJECT_ROOT) / f"Pulumi.{stack}.yaml"


def read_stack_file(stack: str, root: Path | None = None) -> RawConfig:
    """Reads `Pulumi.<stack>.yaml`. Secure values stay ciphertext: the result is offline."""
    path = stack_file(stack, root)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError([f"{path.name}: no such stack file in {path.parent}"]) from None
    except yaml.YAMLError as err:
        raise ConfigError([f"{path.name}: not valid YAML ({err})"]) from None
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise ConfigError([f"{path.name}: expected a mapping with a `config:` section"])
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, value in (document.get("config") or {}).items():
        if _holds_secure(value):
            secret_keys.add(key)
        values[key] = _as_pulumi_text(value)
    return RawConfig(stack=stack, values=values, secret_keys=frozenset(secret_keys), offline=True)


def read_pulumi_runtime(stack: str) -> RawConfig:
    """The configuration of the running Pulumi program (engine-provided or set by mocks)."""
    from pulumi.runtime import config as runtime_config

    # The SDK offers no public way to list config keys, and listing them is what lets us
    # reject unknown (misspelt) keys; CONFIG and the PULUMI_CONFIG environment are its sources.
    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = set(runtime_config.get_config_secret_keys_env())
    secret_keys |= {k for k in values if runtime_config.is_config_secret(k)}
    return RawConfig(
        stack=stack,
        values={
            k: _as_pulumi_text(val) if not isinstance(val, str) else val
            for k, val in values.items()
        },
        secret_keys=frozenset(secret_keys),
    )


def _holds_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_holds_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_secure(v) for v in value)
    return False


def _as_pulumi_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)
