"""`pacbot report --framework ID`: a framework's report as a table, JSON, CSV or printable HTML.

Two sources, one shape (the violations service's ``FrameworkCompliance``):
- ``--gateway-url``: the running platform's report through the gateway (with ``--api-key`` or
  ``PACBOT_API_KEY``), scoped like the API (``--account-id``, ``--region``, ``--resource-type``,
  ``--tag``, ``--group``); CSV and HTML are the gateway's own exports, byte for byte;
- otherwise a one-shot scan of the current AWS credentials' account (``--endpoint-url`` for a moto
  server), rendered here by the service's own renderers.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

import httpx

from pacbot.cli.framework_report import UnknownFramework, find_framework, render_table
from pacbot.cli.scan import ScanError, ScanOptions, framework_document, run_scan
from pacbot.common.events import utcnow
from pacbot.violations.compliance.framework_schemas import FrameworkCompliance
from pacbot.violations.reports.framework_csv import framework_csv
from pacbot.violations.reports.framework_html import framework_html

EXIT_ERROR = 2
EXPORTS = {"csv": "export.csv", "html": "report.html"}
PAGES = 100  # pages of 1000 controls: far beyond any framework


class ReportError(Exception):
    """Nothing to report: a bad option, an unknown framework, or a source that failed."""


@dataclass
class Scoped:
    """The scope of a gateway report (each filter repeatable: any of its values)."""

    account_id: list[str] = field(default_factory=list)
    region: list[str] = field(default_factory=list)
    resource_type: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    group: str | None = None
    exempted_as_passing: bool = False
    resource_limit: int | None = None

    def params(self) -> list[tuple[str, str]]:
        """The query parameters of the gateway's framework routes."""
        pairs = [("account_id", a) for a in self.account_id]
        pairs += [("region", r) for r in self.region]
        pairs += [("resource_type", t) for t in self.resource_type]
        pairs += [("tag", t) for t in self.tag]
        pairs += [("group", self.group)] if self.group else []
        pairs += [("exempted_as_passing", "true")] if self.exempted_as_passing else []
        if self.resource_limit is not None:
            pairs.append(("resource_limit", str(self.resource_limit)))
        return pairs

    @property
    def narrowed(self) -> bool:
        """True when a filter only the gateway can apply was given."""
        return bool(self.account_id or self.resource_type or self.tag or self.group) or (
            self.exempted_as_passing
        )


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail or body)


class GatewayReports:
    """The gateway's framework routes, called with an API key."""

    def __init__(self, client: httpx.Client, framework_id: str, scope: Scoped) -> None:
        self.client = client
        self.base = f"/api/v1/compliance/frameworks/{quote(framework_id, safe='')}"
        self.scope = scope

    def _get(self, path: str, extra: Sequence[tuple[str, str]] = ()) -> httpx.Response:
        url = self.base + path
        try:
            response = self.client.get(url, params=[*self.scope.params(), *extra])
        except httpx.HTTPError as exc:
            raise ReportError(f"cannot reach the gateway: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise ReportError(f"the gateway answered {response.status_code}: {_problem(response)}")
        return response

    def export(self, name: str) -> str:
        """An export as the gateway sends it."""
        return self._get(f"/{name}").text

    def report(self) -> FrameworkCompliance:
        """Every page of the JSON report, as one."""
        whole: FrameworkCompliance | None = None
        extra = [("limit", "1000")]
        for _ in range(PAGES):
            page = FrameworkCompliance.model_validate(self._get("", extra).json())
            if whole is None:
                whole = page
            else:
                whole.items.extend(page.items)
            if page.next_cursor is None:
                whole.next_cursor = None
                return whole
            extra = [("limit", "1000"), ("cursor", page.next_cursor)]
        raise ReportError("the gateway kept paging the report")


def rendered(report: FrameworkCompliance, output: str) -> str:
    """The report in ``output`` format (table, json, csv or html)."""
    if output == "json":
        return json.dumps(report.model_dump(mode="json"), indent=2) + "\n"
    if output == "csv":
        return framework_csv(report)
    if output == "html":
        return framework_html(report, utcnow())
    return render_table(report) + "\n"


def from_gateway(
    framework_id: str,
    output: str,
    scope: Scoped,
    gateway_url: str,
    api_key: str | None,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """The report through the gateway: its exports as they are, JSON and table from its JSON."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    with httpx.Client(
        base_url=gateway_url.rstrip("/"), headers=headers, timeout=120.0, transport=transport
    ) as client:
        source = GatewayReports(client, framework_id, scope)
        if output in EXPORTS:
            return source.export(EXPORTS[output])
        return rendered(source.report(), output)


def from_scan(framework_id: str, output: str, options: ScanOptions) -> str:
    """The report of a one-shot scan of the policies mapped to the framework."""
    options.framework = framework_id
    try:
        result = run_scan(options)
    except ScanError as exc:
        raise ReportError(str(exc)) from exc
    return rendered(framework_document(result, framework_id), output)


def run(
    framework_id: str,
    *,
    output: str,
    output_file: Path | None,
    scope: Scoped,
    gateway_url: str | None,
    api_key: str | None,
    scan: ScanOptions,
    transport: httpx.BaseTransport | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Write the report to ``output_file`` or stdout; 0, or 2 with the reason on stderr."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        if gateway_url:
            text = from_gateway(framework_id, output, scope, gateway_url, api_key, transport)
        else:
            if scope.narrowed:
                raise ReportError(
                    "--account-id, --resource-type, --tag, --group and --exempted-as-passing "
                    "scope a platform report: add --gateway-url (a scan covers the credentials' "
                    "account; --regions chooses its regions)"
                )
            find_framework(framework_id)
            text = from_scan(framework_id, output, scan)
    except (ReportError, UnknownFramework) as exc:
        print(f"error: {exc}", file=err)
        return EXIT_ERROR
    if output_file is None:
        out.write(text)
        return 0
    try:
        output_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {output_file}: {exc.strerror or exc}", file=err)
        return EXIT_ERROR
    print(f"wrote the {framework_id} report ({output}) to {output_file}", file=err)
    return 0
