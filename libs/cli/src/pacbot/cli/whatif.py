"""`pacbot policy whatif FILE`: a draft policy against the live inventory; stores nothing.

Through the gateway the call carries an API key (``--api-key`` or ``PACBOT_API_KEY``); straight to
the assessor it is signed with the internal secret (``PACBOT_INTERNAL_SECRET``) as ``service:cli``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

import httpx

from pacbot.common.auth import InternalAuth, InternalTokens
from pacbot.common.runtime import DEFAULT_PORTS

DEFAULT_GATEWAY = f"http://127.0.0.1:{DEFAULT_PORTS['gateway']}"


def endpoint(gateway_url: str | None, assessor_url: str | None) -> str:
    """The what-if URL: the assessor's own route, else the gateway's public one."""
    if assessor_url:
        return assessor_url.rstrip("/") + "/policies/whatif"
    return (gateway_url or DEFAULT_GATEWAY).rstrip("/") + "/api/v1/policies/whatif"


def credential(
    assessor_url: str | None, api_key: str | None, internal_secret: str | None
) -> tuple[httpx.Auth | None, dict[str, str]]:
    """How the call proves who makes it: a signed token for the assessor, else the API key."""
    if assessor_url:
        if not internal_secret:
            raise ValueError("calling the assessor directly needs PACBOT_INTERNAL_SECRET")
        tokens = InternalTokens(internal_secret)
        return InternalAuth(tokens, caller="cli", audience="assessor"), {}
    return None, ({"Authorization": f"Bearer {api_key}"} if api_key else {})


def run(
    file: Path,
    *,
    gateway_url: str | None = None,
    assessor_url: str | None = None,
    output: str = "text",
    api_key: str | None = None,
    internal_secret: str | None = None,
    timeout: float = 120.0,
    transport: httpx.BaseTransport | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Post ``file`` as a draft; 0 with a report, 1 when the draft is invalid, 2 on other errors."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"{file}: cannot read: {exc.strerror or exc}", file=err)
        return 2
    url = endpoint(gateway_url, assessor_url)
    try:
        auth, headers = credential(assessor_url, api_key, internal_secret)
    except ValueError as exc:
        print(f"cannot call {url}: {exc}", file=err)
        return 2
    try:
        with httpx.Client(transport=transport, timeout=timeout, auth=auth) as client:
            response = client.post(
                url,
                content=text.encode("utf-8"),
                params={"file": str(file)},
                headers={"content-type": "application/yaml", **headers},
            )
    except httpx.HTTPError as exc:
        print(f"cannot reach {url}: {type(exc).__name__}: {exc}", file=err)
        return 2
    body = _json(response)
    if response.status_code == 422 and isinstance(body, dict) and body.get("errors"):
        for error in body["errors"]:
            if {"file", "line", "path", "message"} <= set(error):
                print(
                    f"{error['file']}:{error['line']}: {error['path']}: {error['message']}",
                    file=err,
                )
            else:  # a request-shape error rather than a policy error
                print(f"{'.'.join(error.get('loc', []))}: {error.get('msg')}", file=err)
        return 1
    if response.status_code != 200 or not isinstance(body, dict):
        detail = body.get("detail") if isinstance(body, dict) else response.text[:500]
        print(f"what-if failed: {response.status_code} {detail}", file=err)
        if response.status_code == 401 and not assessor_url:
            print("pass an API key with --api-key or PACBOT_API_KEY", file=err)
        return 2
    if output == "json":
        print(json.dumps(body, indent=2), file=out)
    else:
        print(summary(body), file=out)
    return 0


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def summary(report: dict[str, Any]) -> str:
    """A readable what-if report."""
    failing = report.get("would_fail", [])
    errors = report.get("errors", [])
    lines = [
        f"what-if {report['policy_id']} ({report['resource']}): {report['evaluated']} evaluated, "
        f"{len(failing)} would fail, {report['would_pass']} would pass, "
        f"{report.get('not_applicable', 0)} not applicable, {len(errors)} errors"
    ]
    current = report.get("current") or {}
    if current.get("exists"):
        state = "enabled" if current.get("enabled") else "disabled"
        lines.append(
            f"live policy: version {current.get('version')}, {state}, "
            f"{current.get('failing', 0)} failing now"
        )
    else:
        lines.append("live policy: none with this id (everything failing would be new)")
    for title, key in (("would open", "would_open"), ("would close", "would_close")):
        ids = report.get(key, [])
        lines.append(f"{title} ({len(ids)}):")
        lines.extend(f"  {asset_id}" for asset_id in ids)
    for title, items in (("would fail", failing), ("errors", errors)):
        if items:
            lines.append(f"{title} ({len(items)}):")
            lines.extend(
                f"  {i['asset_id']}"
                + (f" ({i['name']})" if i.get("name") else "")
                + f": {i['reason']}"
                for i in items
            )
    return "\n".join(lines)
