"""A framework report as one self-contained, printable HTML page: the summary, then each section's
controls with their status, failing resources and exceptions.

Nothing is fetched (no script, font or stylesheet from elsewhere; the style is inline), and every
text from the data (titles, asset names, reasons: cloud resources anyone can label) is escaped.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from pacbot.violations.compliance.framework_schemas import (
    ControlCompliance,
    ExemptedResource,
    FailingResource,
    FrameworkCompliance,
)

LABELS = {"pass": "Pass", "fail": "Fail", "manual": "Manual", "not_evaluated": "Not evaluated"}
STYLE = """
body{font:13px/1.45 system-ui,sans-serif;color:#1b1f24;margin:2em auto;max-width:70em;padding:0 1em}
h1{font-size:1.6em;margin:0}h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.4em 0}
th,td{border:1px solid #d0d4d9;padding:.25em .45em;text-align:left;vertical-align:top}
th{background:#f1f3f5}td.n{text-align:right}.muted{color:#5c6670}
.s{font-weight:600;padding:0 .4em;border-radius:3px;white-space:nowrap}
.pass{background:#d8f3dc}.fail{background:#ffd6d6}.manual{background:#fff1c2}
.not_evaluated{background:#e9ecef}.summary td{width:12%}
.detail td{font-size:.92em}.detail{margin-left:1.5em;width:calc(100% - 1.5em)}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}
"""


def _text(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _status(status: str) -> str:
    return f'<span class="s {_text(status)}">{_text(LABELS.get(status, status))}</span>'


def _summary(report: FrameworkCompliance, now: datetime) -> str:
    pct = "-" if report.compliance_pct is None else f"{report.compliance_pct:.1f}%"
    cells = [
        ("Controls passing", pct),
        ("Controls", report.controls),
        ("Passing", report.passing),
        ("Failing", report.failing),
        ("Manual", report.manual),
        ("Not evaluated", report.not_evaluated),
    ]
    exempted = "as passing" if report.exempted_as_passing else "as failing"
    return (
        f"<h1>{_text(report.name)} {_text(report.version)}</h1>"
        f'<p class="muted">{_text(report.framework_id)} · scope {_text(report.scope)} · '
        f"exempted failures count {exempted} · generated {_text(now.isoformat())}</p>"
        '<table class="summary"><tr>'
        + "".join(f"<th>{_text(name)}</th>" for name, _ in cells)
        + "</tr><tr>"
        + "".join(f'<td class="n">{_text(value)}</td>' for _, value in cells)
        + "</tr></table>"
    )


def _resources(
    title: str, rows: list[FailingResource] | list[ExemptedResource], not_listed: int
) -> str:
    if not rows and not not_listed:
        return ""
    exempted = bool(rows) and isinstance(rows[0], ExemptedResource)
    head = ["Asset", "Type", "Account", "Region", "Policy", "Violation", "Reason"]
    head += ["Exception", "Expires"] if exempted else []
    lines = []
    for row in rows:
        cells = [
            f'{_text(row.asset_name)}<br><span class="muted">{_text(row.asset_id)}</span>',
            _text(row.resource_type),
            _text(row.account_id),
            _text(row.region),
            _text(row.policy_id),
            _text(row.violation_id),
            _text(row.reason),
        ]
        if isinstance(row, ExemptedResource):
            expires = row.expires_at.isoformat() if row.expires_at else None
            cells += [_text(row.exception_id), _text(expires)]
        lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    if not_listed:
        more = f"… and {not_listed} more not listed (raise resource_limit to see them)"
        lines.append(f'<tr><td colspan="{len(head)}" class="muted">{_text(more)}</td></tr>')
    return (
        f'<tr><td colspan="5"><table class="detail"><caption>{_text(title)}</caption><tr>'
        + "".join(f"<th>{_text(h)}</th>" for h in head)
        + "</tr>"
        + "".join(lines)
        + "</table></td></tr>"
    )


def _control(control: ControlCompliance) -> str:
    sub = " · ".join(
        str(part)
        for part in (control.subsection, control.profile, "manual" if control.manual else None)
        if part
    )
    policies = ", ".join(p.policy_id for p in control.policies) or "no mapped policy"
    return (
        f"<tr><td>{_text(control.control_id)}</td>"
        f'<td>{_text(control.title)}<br><span class="muted">{_text(sub)}</span></td>'
        f"<td>{_status(control.status)}</td>"
        f'<td class="n">{control.failing} / {control.evaluated}</td>'
        f'<td class="muted">{_text(policies)}</td></tr>'
        + _resources("Failing resources", control.failing_resources, control.failing_not_listed)
        + _resources("Exceptions in force", control.exceptions, control.exceptions_not_listed)
    )


def framework_html(report: FrameworkCompliance, now: datetime) -> str:
    """The whole page."""
    sections: dict[str, list[ControlCompliance]] = {}
    for control in report.items:
        sections.setdefault(control.section, []).append(control)
    body = [_summary(report, now)]
    if not sections:
        body.append('<p class="muted">No control matches this report\'s filter.</p>')
    for section, controls in sections.items():
        body.append(
            f"<h2>{_text(section)}</h2><table><tr><th>Control</th><th>Title</th>"
            "<th>Status</th><th>Failing / evaluated</th><th>Policies</th></tr>"
            + "".join(_control(c) for c in controls)
            + "</table>"
        )
    title = f"{report.name} {report.version}: {report.scope}"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_text(title)}</title><style>{STYLE}</style></head><body>"
        + "".join(body)
        + "</body></html>\n"
    )
