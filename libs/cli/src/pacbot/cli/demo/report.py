"""The demo's report: every figure read through the gateway API, then shown as text or JSON."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from pacbot.cli.demo import api
from pacbot.cli.demo.mail import SmtpSink
from pacbot.cli.demo.output import Terminal
from pacbot.cli.estate import SWEEP_ERRORS

SEVERITIES = ("critical", "high", "medium", "low")
CATEGORIES = ("security", "governance", "cost", "tagging", "operations")
RANK = {s: i for i, s in enumerate(SEVERITIES)}
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


async def collect(
    reader: httpx.AsyncClient,
    *,
    sweeps: list[dict[str, Any]],
    plans: list[dict[str, Any]],
    exceptions: list[dict[str, Any]],
    mail: SmtpSink,
    dry_run: bool,
) -> dict[str, Any]:
    """The report: accounts, assets, violations, compliance, fixes, exceptions, emails."""
    accounts = await api.every(reader, "/api/v1/accounts")
    assets = await api.get(reader, "/api/v1/assets/search", limit=1)
    summary = await api.get(reader, "/api/v1/compliance/summary")
    opened = await api.every(reader, "/api/v1/violations", status="open")
    by_severity = {
        s: await api.total(reader, "/api/v1/violations", status="open", severity=s)
        for s in SEVERITIES
    }
    by_category = {
        c: await api.total(reader, "/api/v1/violations", status="open", category=c)
        for c in CATEGORIES
    }
    fresh = {e["exception_id"]: e for e in await api.every(reader, "/api/v1/exceptions")}
    closed = await api.total(reader, "/api/v1/violations", status="closed")
    statuses = Counter(p["status"] for p in plans)
    by_policy = Counter(v["policy_id"] for v in opened)
    about = {p["policy_id"]: p for p in summary["policies"]}
    worst = sorted(by_policy, key=lambda p: (RANK[about[p]["severity"]], -by_policy[p], p))
    return {
        "accounts": [
            {k: a[k] for k in ("account_id", "name", "role_arn", "regions", "status")}
            for a in accounts
        ],
        "assets": {
            "total": assets["total"],
            "by_type": dict(sorted(assets["facets"]["resource_type"].items())),
            "by_account": dict(sorted(assets["facets"]["account_id"].items())),
            "by_region": dict(sorted(assets["facets"]["region"].items())),
        },
        "violations": {
            "total": await api.total(reader, "/api/v1/violations", status="open"),
            "exempted": summary["exempted"],
            "closed": closed,
            "by_severity": by_severity,
            "by_category": by_category,
            "by_policy": dict(by_policy.most_common()),
            "worst_policies": [
                {k: about[p][k] for k in ("policy_id", "name", "severity", "category")}
                | {"open": by_policy[p]}
                for p in worst[:10]
            ],
        },
        "compliance": {
            "overall_pct": summary["overall_pct"],
            "by_category": {c["category"]: c["compliance_pct"] for c in summary["categories"]},
            "evaluated_assets": summary["evaluated_assets"],
        },
        "fixes": {
            "dry_run": dry_run,
            "planned": len(plans),
            "applied": statuses["applied"],
            "by_status": dict(sorted(statuses.items())),
            "items": [
                {k: p[k] for k in ("plan_id", "policy_id", "action", "asset_id", "owner", "status")}
                for p in plans
            ],
        },
        "exceptions": [
            {
                k: fresh.get(e["exception_id"], e)[k]
                for k in ("exception_id", "status", "requester", "approver", "reason")
            }
            | {"asset_ids": e["asset_ids"], "policy_ids": e["policy_ids"]}
            for e in exceptions
        ],
        "emails": {
            "delivered": len(mail.messages),
            "by_kind": dict(sorted(Counter(m.kind or "other" for m in mail.messages).items())),
            "recipients": sorted({m.to for m in mail.messages}),
        },
        "sweeps": {
            "total": len(sweeps),
            "failed": [
                {k: s[k] for k in ("account_id", "region", "resource_type", "error")}
                | {"moto_gap": SWEEP_ERRORS.get(s["resource_type"])}
                for s in sweeps
                if s["status"] == "failed"
            ],
        },
    }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def render(report: dict[str, Any], out: Terminal, top: int = 8) -> None:
    """The report for people: a few lines per section, the biggest numbers first."""
    assets, violations = report["assets"], report["violations"]
    compliance, fixes = report["compliance"], report["fixes"]
    regions = sorted(r for r in assets["by_region"] if r != "global")
    out.say("\n[bold]Report[/bold] (read through the gateway API)")
    out.say(
        f"  Assets      {assets['total']} of {len(assets['by_type'])} resource types in "
        f"{len(report['accounts'])} accounts ("
        + ", ".join(f"{a['name']} {a['account_id']}" for a in report["accounts"])
        + f"), regions {', '.join(regions)} (and global services)"
    )
    unevaluated = assets["total"] - compliance["evaluated_assets"]
    out.say(
        f"  Compliance  [bold]{_pct(compliance['overall_pct'])}[/bold] overall: "
        + ", ".join(f"{c} {_pct(p)}" for c, p in compliance["by_category"].items())
        + (
            f"; [red]{unevaluated} of {assets['total']} assets not evaluated[/]"
            if unevaluated > 0
            else ""
        )
    )
    out.say(
        f"  Violations  {violations['total']} open ("
        + ", ".join(
            f"[{SEVERITY_STYLE[s]}]{n} {s}[/]" for s, n in violations["by_severity"].items()
        )
        + f"), {violations['exempted']} exempted, {violations['closed']} closed as fixed; "
        + "by category: "
        + ", ".join(f"{c} {n}" for c, n in violations["by_category"].items())
    )
    out.say("  Worst policies (most severe first):")
    for policy in violations["worst_policies"][:top]:
        style = SEVERITY_STYLE[policy["severity"]]
        out.say(
            f"    [{style}]{policy['severity']:<8}[/] {policy['open']:>3} open  {policy['name']}"
            f" ({policy['policy_id']})"
        )
    for exception in report["exceptions"]:
        decided = f" by {exception['approver']}" if exception["approver"] else ""
        out.say(
            f"  Exception   {exception['status']}{decided}: {exception['requester']} asked for "
            f"{', '.join(exception['policy_ids'])} on {', '.join(exception['asset_ids'])}"
        )
    mode = "dry run: nothing was changed" if fixes["dry_run"] else "applied to moto"
    out.say(
        f"  AutoFix     {fixes['planned']} fix plans ({mode}): "
        + ", ".join(f"{n} {s}" for s, n in fixes["by_status"].items())
    )
    emails = report["emails"]
    out.say(
        f"  Email       {emails['delivered']} messages to {len(emails['recipients'])} "
        "recipients reached the demo's SMTP server: "
        + ", ".join(f"{n} {k}" for k, n in emails["by_kind"].items())
    )
    failed = report["sweeps"]["failed"]
    out.say(f"  Sweeps      {report['sweeps']['total']} run, {len(failed)} failed")
    for sweep in failed:
        why = f"a known moto gap: {sweep['moto_gap']}" if sweep["moto_gap"] else sweep["error"]
        out.say(f"    {sweep['resource_type']} in {sweep['account_id']}/{sweep['region']}: {why}")
