"""Test policies with params and a recording inventory double, shared by registry and what-if."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from pacbot.assessor.app import create_app
from pacbot.assessor.settings import AssessorSettings
from pacbot.common.paging import PageRequest
from pacbot.common.runtime import SharedInfra

GRANTS_POLICY = """\
id: test-bucket-grants
version: 1
name: Buckets grant few public permissions
description: A bucket may grant at most max_grants public ACL permissions and follow naming.
resource: aws.s3.bucket
severity: low
category: governance
frameworks:
  cis-aws-3.0: ["2.1.4", "2.1.1"]
remediation:
  text: Remove public ACL grants.
params:
  max_grants:
    default: 0
    description: how many public grants are tolerated
  name_pattern:
    default: "^[a-z-]+$"
    description: bucket names must match
condition:
  and:
    - {key: "length(PublicAclGrants)", op: le, value: {param: max_grants}}
    - {key: Name, op: regex, value: {param: name_pattern}}
"""

VOLUME_POLICY = """\
id: test-volume-encrypted
version: 1
name: Volumes are encrypted
description: Unencrypted volumes leak data at rest.
resource: aws.ec2.volume
severity: high
category: security
frameworks:
  cis-aws-3.0: ["2.2.1"]
remediation:
  text: Encrypt the volume.
enabled: false
condition: {key: Encrypted, op: eq, value: true}
"""


def write_policies(root: Path) -> Path:
    """The two test policies in their own directory."""
    packs = root / "packs"
    packs.mkdir(exist_ok=True)
    (packs / "grants.yaml").write_text(GRANTS_POLICY)
    (packs / "volume.yaml").write_text(VOLUME_POLICY)
    return packs


class FakeInventory:
    """A MockTransport inventory: records every request, serves ``assets`` a cursor page at a
    time."""

    def __init__(self, assets: list[dict[str, Any]] | None = None, *, down: bool = False) -> None:
        self.assets = assets or []
        self.down = down
        self.requests: list[httpx.Request] = []
        self.starts: list[int] = []  # where each page of assets began
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.method == "POST" and request.url.path == "/assets/replay":
            types = json.loads(request.content).get("resource_types") or []
            count = sum(1 for a in self.assets if a["resource_type"] in types)
            return httpx.Response(200, json={"replayed": count})
        if request.method == "GET" and request.url.path == "/assets":
            wanted = request.url.params.get("resource_type")
            asked = PageRequest(
                int(request.url.params.get("limit", "100")), request.url.params.get("cursor")
            )
            window = asked.window("inventory.assets", wanted)
            self.starts.append(window.start)
            matching = [a for a in self.assets if wanted is None or a["resource_type"] == wanted]
            items, next_cursor = window.of(matching)
            return httpx.Response(
                200, json={"items": items, "total": len(matching), "next_cursor": next_cursor}
            )
        return httpx.Response(404, json={"error": "NotFound", "detail": request.url.path})

    def replays(self) -> list[list[str]]:
        """The resource types of every replay request, in order."""
        return [
            json.loads(r.content)["resource_types"]
            for r in self.requests
            if r.url.path == "/assets/replay"
        ]


def asset(
    name: str, config: dict[str, Any], resource_type: str = "aws.s3.bucket"
) -> dict[str, Any]:
    """An inventory asset row as ``GET /assets`` returns it."""
    return {
        "asset_id": f"arn:aws:s3:::{name}",
        "account_id": "123456789012",
        "region": "us-east-1",
        "resource_type": resource_type,
        "name": name,
        "tags": {},
        "owner": None,
        "version": 1,
        "config": {"Name": name, **config},
        "config_hash": "h",
        "deleted": False,
        "first_seen": "2026-01-01T00:00:00Z",
        "last_seen": "2026-01-01T00:00:00Z",
    }


def registry_app(
    kit: Any, inventory: FakeInventory, packs: Path, *, replay_on_deploy: bool = False
) -> FastAPI:
    """An assessor on the test policies whose inventory is ``inventory``; the replay at start is
    off unless asked for, so ``inventory`` records only what a test's own calls cause."""
    settings = AssessorSettings(
        database_url=f"sqlite+aiosqlite:///{kit.tmp_path}/assessor.db",
        bus="memory",
        log_json=False,
        policy_paths=[str(packs)],
        replay_on_deploy=replay_on_deploy,
    )
    shared = SharedInfra(bus=kit.bus, transports={"inventory": inventory.transport})
    return create_app(settings, shared=shared)
