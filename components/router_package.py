"""Builds the alert router's Lambda archive reproducibly: same sources → same bytes → same hash.

The archive holds the `alert_router/` package (sources only) and the stack's routing
configuration as `alert_router/routing.json`. Entries are sorted and carry a fixed timestamp
and mode, so neither checkout time nor file order changes the hash that decides whether
`pulumi up` replaces the code.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.config_source import PROJECT_ROOT

PACKAGE = "alert_router"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
ROUTING_FILE = f"{PACKAGE}/routing.json"


@dataclass(frozen=True)
class RouterArchive:
    path: Path
    sha256_base64: str  # what Lambda reports as CodeSha256
    entries: tuple[str, ...]


def source_files(root: Path = PROJECT_ROOT) -> list[Path]:
    package = root / PACKAGE
    return sorted(
        p
        for p in package.rglob("*.py")
        if "__pycache__" not in p.parts and not p.name.startswith(".")
    )


def archive_bytes(routing_config: dict[str, Any], root: Path = PROJECT_ROOT) -> bytes:
    files = {str(p.relative_to(root)): p.read_bytes() for p in source_files(root)}
    files[ROUTING_FILE] = json.dumps(routing_config, indent=1, sort_keys=True).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def build_archive(
    routing_config: dict[str, Any], out_dir: Path | None = None, root: Path = PROJECT_ROOT
) -> RouterArchive:
    """Writes `build/alert-router-<hash>.zip` (content-addressed) and describes it."""
    data = archive_bytes(routing_config, root)
    digest = hashlib.sha256(data).digest()
    out = out_dir or root / "build"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"alert-router-{hashlib.sha256(data).hexdigest()[:16]}.zip"
    if not path.exists():
        path.write_bytes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = tuple(archive.namelist())
    return RouterArchive(path, base64.b64encode(digest).decode(), entries)
