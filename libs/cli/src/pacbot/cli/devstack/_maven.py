"""Fetch artifacts from Maven Central with a generated pom and the dependency plugin."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

from ._config import DEPENDENCY_PLUGIN
from ._process import DevStackError, run

_MAVEN_LOCK = threading.Lock()  # one mvn at a time: ~/.m2 has no cross-process locking in 3.8

_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.pacbot.devstack</groupId>
  <artifactId>{name}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
{deps}
  </dependencies>
</project>
"""

_DEP = """    <dependency>
      <groupId>{g}</groupId><artifactId>{a}</artifactId><version>{v}</version><type>{t}</type>
    </dependency>"""


def fetch(
    name: str,
    coordinates: Sequence[str],
    target: Path,
    transitive: bool = True,
) -> Path:
    """Copy artifacts (g:a:v[:type]) and their runtime deps into target, once; return target."""
    done = target / ".complete"
    if done.exists():
        return target
    if shutil.which("mvn") is None:
        raise DevStackError("mvn not found: install Maven (apt-get install maven)")
    work = target.parent / f".{target.name}-pom"
    work.mkdir(parents=True, exist_ok=True)
    deps = []
    for coordinate in coordinates:
        g, a, v, *rest = coordinate.split(":")
        deps.append(_DEP.format(g=g, a=a, v=v, t=rest[0] if rest else "jar"))
    (work / "pom.xml").write_text(_POM.format(name=name, deps="\n".join(deps)))
    staging = target.parent / f".{target.name}-staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    argv = [
        "mvn",
        "-q",
        "-B",
        f"{DEPENDENCY_PLUGIN}:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DexcludeTransitive={str(not transitive).lower()}",
        f"-DoutputDirectory={staging}",
    ]
    with _MAVEN_LOCK:
        run(argv, work / "mvn.log", cwd=work, timeout=1800)
    if done.exists():  # another process finished first
        shutil.rmtree(staging, ignore_errors=True)
        return target
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    done.write_text("ok\n")
    return target
