"""The dashboard's files, read once when the app is built: a fixed manifest, never a path lookup.

Every file under ``static/`` is held in memory with its content type; a request can only name a
key of that manifest, so nothing else of the package (or the disk) can be reached. The version
in ``/ui/<version>/`` is a hash of the files' contents: a new release gets new URLs, so the
assets can be cached for a year while ``index.html`` is revalidated on every load.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pacbot.gateway.access import ACCESS

STATIC = Path(__file__).parent / "static"
CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
INDEX = "index.html"
ASSET_BASE = "__UI__"
"""Written in ``index.html`` where the versioned asset path goes (``/ui/<version>``)."""
ACCESS_FILE = "access.json"
"""The route x role table (``pacbot.gateway.access``), served so the dashboard shows an action
only to the roles the gateway lets take it, from the same table the gateway enforces."""


@dataclass(frozen=True)
class Asset:
    """One file as served."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class Site:
    """The page at ``/`` and the versioned assets under ``/ui/<version>/``."""

    version: str
    index: bytes
    assets: dict[str, Asset]

    @property
    def base(self) -> str:
        """The URL path under which the assets are served."""
        return f"/ui/{self.version}"

    @classmethod
    def load(cls, folder: Path = STATIC) -> Site:
        """Read every file under ``folder`` (only the known kinds) and the access table."""
        files: dict[str, bytes] = {}
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in CONTENT_TYPES:
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
        if INDEX not in files:
            raise FileNotFoundError(f"the dashboard has no {INDEX} in {folder}")
        files[ACCESS_FILE] = access_table()
        digest = hashlib.sha256()
        for name, body in sorted(files.items()):
            digest.update(name.encode() + b"\0" + hashlib.sha256(body).digest())
        version = digest.hexdigest()[:16]
        index = files.pop(INDEX).replace(ASSET_BASE.encode(), f"/ui/{version}".encode())
        assets = {
            name: Asset(body, CONTENT_TYPES[Path(name).suffix]) for name, body in files.items()
        }
        return cls(version=version, index=index, assets=assets)


def access_table() -> bytes:
    """``[{method, route, roles}]`` of every public route (``[]`` roles: no credential needed)."""
    rows = [
        {"method": method, "route": route, "roles": sorted(rule.roles)}
        for (method, route), rule in sorted(ACCESS.items())
    ]
    return json.dumps(rows, indent=1).encode()
