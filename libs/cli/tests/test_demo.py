"""The demo's parts that need no estate: where output goes, the port, the sign-in link, the
report's wording, the estate's declared layout. The full runs are in ``test_demo_e2e.py``."""

from __future__ import annotations

import io
import logging
import socket
import sys
import warnings
from pathlib import Path

import pytest
from rich.console import Console

from pacbot.cli.demo import report, serve
from pacbot.cli.demo.output import Terminal, library_output_to
from pacbot.cli.estate import layout, workloads


def test_library_output_goes_to_the_log_and_the_demo_keeps_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_path = tmp_path / "demo.log"
    with library_output_to(log_path) as terminal:
        print("Unable to find appropriate backend for access-analyzer")  # what moto does
        print("a library's stderr line", file=sys.stderr)
        logging.getLogger("pacbot.inventory.sweep").warning("sweep failed")
        warnings.warn("a DeprecationWarning from somewhere", DeprecationWarning, stacklevel=1)
        logging.getLogger("pacbot.demo").info("demo step done")
        terminal.write("the demo's own line\n")
    seen = capsys.readouterr()
    assert seen.out == "the demo's own line\n"
    assert seen.err == ""
    log = log_path.read_text()
    for line in (
        "Unable to find appropriate backend",
        "a library's stderr line",
        "sweep failed",
        "DeprecationWarning",
        "demo step done",
    ):
        assert line in log
    # and everything is put back afterwards
    print("after")
    assert capsys.readouterr().out == "after\n"


def test_a_quiet_terminal_says_nothing() -> None:
    out = io.StringIO()
    Terminal(Console(file=out), quiet=True).say("hello")
    with Terminal(Console(file=out), quiet=True).progress() as bars:
        bars.add_task("Seeding", total=1, detail="")
    assert out.getvalue() == ""


def test_the_dashboard_port_falls_back_to_a_free_one_when_the_default_is_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        monkeypatch.setattr(serve, "DEFAULT_PORT", busy)
        chosen = serve.listen(None)
        try:
            assert chosen.getsockname()[1] not in (busy, 0)
        finally:
            chosen.close()
        with pytest.raises(RuntimeError, match=f"cannot listen on 127.0.0.1:{busy}"):
            serve.listen(busy)  # a port asked for by name is never swapped for another


def test_the_sign_in_link_carries_the_key_in_the_fragment() -> None:
    link = serve.login_link("http://127.0.0.1:8400", "pbk_abc_def")
    assert link == "http://127.0.0.1:8400/#/login?key=pbk_abc_def"


def test_the_layout_spreads_workloads_over_both_accounts_and_regions() -> None:
    sites = {(account.account_id, region) for account, region in layout.WORKLOADS}
    accounts = {a.account_id for a in layout.ACCOUNTS}
    assert len(accounts) == 2
    assert {r for _, r in sites} == set(layout.REGIONS)
    assert {a for a, _ in sites} == accounts
    names = [f"{w.prefix}@{r}" for (_, r), rows in layout.WORKLOADS.items() for w in rows]
    assert len(names) == len(set(names)), "every workload's names are unique in its region"
    for account in layout.ACCOUNTS:
        assert account.role_arn == f"arn:aws:iam::{account.account_id}:role/PacBotAudit"


def test_every_flaw_is_given_to_some_workload() -> None:
    given = {f for rows in layout.WORKLOADS.values() for w in rows for f in w.flaws}
    declared = {
        value
        for name, value in vars(workloads).items()
        if name.isupper() and isinstance(value, str) and "-" in value and name != "SECURITY_GROUP"
    }
    assert len(declared) >= 20
    assert declared - given == set()


def test_a_workloads_tags_follow_its_flaws() -> None:
    team = workloads.Team("web", "storefront")
    clean = workloads.Workload(team, "prod")
    assert clean.tags == {
        "Owner": "web@acme.example",
        "Environment": "prod",
        "Application": "storefront",
    }
    assert clean.tag_breaks("ec2-instance") == set()
    sloppy = workloads.Workload(team, "dev", frozenset({workloads.UNTAGGED, workloads.ENV_TYPO}))
    assert sloppy.tags == {"Owner": "web@acme.example", "Environment": "Development"}
    assert sloppy.tag_breaks("ec2-instance") == {
        "aws-tagging-ec2-instance-mandatory-tags",
        "aws-tagging-ec2-instance-environment-value",
    }


def _report(total: int, evaluated: int) -> dict[str, object]:
    return {
        "accounts": [{"name": "prod", "account_id": "401234567890"}],
        "assets": {"total": total, "by_type": {"aws.s3.bucket": total}, "by_region": {"global": 1}},
        "compliance": {"overall_pct": 50.0, "by_category": {}, "evaluated_assets": evaluated},
        "violations": {
            "total": 1,
            "by_severity": {"high": 1},
            "exempted": 0,
            "closed": 0,
            "by_category": {"security": 1},
            "worst_policies": [],
        },
        "exceptions": [],
        "fixes": {"dry_run": True, "planned": 0, "by_status": {}},
        "emails": {"delivered": 0, "recipients": [], "by_kind": {}},
        "sweeps": {"total": 1, "failed": []},
    }


@pytest.mark.parametrize(
    ("evaluated", "said"), [(446, None), (444, "2 of 446 assets not evaluated")]
)
def test_the_report_says_when_assets_discovery_saw_were_not_evaluated(
    evaluated: int, said: str | None
) -> None:
    """The compliance figures cover what was evaluated; a shortfall is named, not hidden."""
    console = Console(file=io.StringIO(), width=200, color_system=None)
    report.render(_report(446, evaluated), Terminal(console))
    compliance = next(line for line in console.file.getvalue().splitlines() if "Compliance" in line)
    assert ("not evaluated" in compliance) == (said is not None)
    if said is not None:
        assert compliance.endswith(said)
