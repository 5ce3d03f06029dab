"""The graph harness: the real program, run under Pulumi's mocks, for any stack file."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from components.config_source import PROJECT_ROOT
from components.offline import Graph, run_stack
from components.settings import Settings, load_stack_settings


@functools.cache
def _graph(stack: str) -> Graph:
    return run_stack(stack)


@pytest.fixture(scope="session")
def dev_graph() -> Graph:
    return _graph("dev")


@pytest.fixture(scope="session")
def prod_graph() -> Graph:
    return _graph("prod")


@pytest.fixture(params=["dev", "prod"])
def graph(request) -> Graph:
    """Each test using it runs once per committed stack."""
    return _graph(request.param)


@pytest.fixture(scope="session")
def prod_settings() -> Settings:
    return load_stack_settings("prod")


@pytest.fixture(scope="session")
def dev_settings() -> Settings:
    return load_stack_settings("dev")


def stack_document(stack: str) -> dict:
    return yaml.safe_load((PROJECT_ROOT / f"Pulumi.{stack}.yaml").read_text())


@pytest.fixture
def stack_variant(tmp_path: Path) -> Callable[..., Path]:
    """Writes a copy of a stack file changed by `edit(config)`; returns its folder.

    Usage: `root = stack_variant("prod", lambda c: c.pop("harborlist-monitoring:team"))`,
    then `run_stack("prod", root)` or `preview.main([...], root=root)`.
    """

    def make(stack: str, edit: Callable[[dict], object]) -> Path:
        document = copy.deepcopy(stack_document(stack))
        edit(document["config"])
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))
        return tmp_path

    return make
