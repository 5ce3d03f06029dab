"""The program's body: stack configuration → settings → MonitoringStack → stack outputs."""

from __future__ import annotations

import pulumi

from components.config_source import read_pulumi_runtime
from components.settings import ConfigError, Settings, parse_settings
from components.stack import MonitoringStack


def load_settings() -> Settings:
    """Validated settings of the running stack; a clean Pulumi error when they are not."""
    try:
        return parse_settings(read_pulumi_runtime(pulumi.get_stack()))
    except ConfigError as err:
        raise pulumi.RunError(
            "invalid stack configuration:\n  " + "\n  ".join(err.problems)
        ) from None


def main() -> None:
    settings = load_settings()
    stack = MonitoringStack(f"harborlist-{settings.stack}", settings)
    for name, value in stack.outputs.items():
        pulumi.export(name, value)
