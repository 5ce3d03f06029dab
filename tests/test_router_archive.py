"""The router's archive: reproducible, complete, and importable on the bare Lambda runtime."""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from components.router_package import ROUTING_FILE, archive_bytes, build_archive, source_files
from components.routing_config import build_routing_config

# What the Lambda Python runtime provides besides the standard library.
LAMBDA_RUNTIME_PACKAGES = (
    "boto3",
    "botocore",
    "jmespath",
    "dateutil",
    "s3transfer",
    "urllib3",
    "six",
)


def test_same_sources_give_the_same_bytes_and_hash(prod_settings, tmp_path):
    config = build_routing_config(prod_settings)
    first = build_archive(config, tmp_path / "a")
    second = build_archive(config, tmp_path / "b")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256_base64 == second.sha256_base64


def test_a_routing_change_changes_the_hash(prod_settings, dev_settings):
    assert archive_bytes(build_routing_config(prod_settings)) != archive_bytes(
        build_routing_config(dev_settings)
    )


def test_archive_holds_the_package_and_the_stack_routing(prod_settings):
    config = build_routing_config(prod_settings)
    with zipfile.ZipFile(io.BytesIO(archive_bytes(config))) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        expected = {str(p.relative_to(p.parents[1])) for p in source_files()}
        assert "alert_router/handler.py" in expected
        assert set(names) == expected | {ROUTING_FILE}
        assert json.loads(archive.read(ROUTING_FILE)) == config
        assert not [n for n in names if "__pycache__" in n or n.startswith("tests")]
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def _runtime_site(tmp_path: Path) -> Path:
    """A folder holding only the Lambda runtime's own packages, linked from this venv."""
    site = tmp_path / "runtime-site"
    site.mkdir()
    for name in LAMBDA_RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec and spec.origin:
            origin = Path(spec.origin)
            target = origin.parent if origin.name == "__init__.py" else origin
            (site / target.name).symlink_to(target)
    return site


def test_entry_point_imports_with_only_the_lambda_runtime(prod_settings, tmp_path):
    code = tmp_path / "code"
    with zipfile.ZipFile(io.BytesIO(archive_bytes(build_routing_config(prod_settings)))) as z:
        z.extractall(code)
    site = _runtime_site(tmp_path)
    probe = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "import alert_router.handler as h; assert callable(h.lambda_handler);"
        "import alert_router.config as c; c.load_routing_config();"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pulumi', 'pulumi_aws', 'yaml', 'components', 'pytest', 'moto'));"
        "assert not bad, bad; print('ok')"
    )
    # -S: no site-packages at all, -I: no user site or PYTHON* variables.
    result = subprocess.run(
        [sys.executable, "-S", "-I", "-c", probe, str(code), str(site)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
